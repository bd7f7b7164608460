"""Spider arguments: scope, max_depth, max_pages_per_domain, seeds files, crawl_id, errors."""

from __future__ import annotations

import re

from tests.conftest import run_crawl
from tests.webserver import LocalWeb, html


def chain_site(prefix: str, n: int, external: str | None = None) -> dict:
    pages = {}
    for i in range(n):
        links = f'<a href="/p{i + 1}">next</a>'
        if external:
            links += f'<a href="http://{external}/from-{prefix}-{i}">out</a>'
        pages["/" if i == 0 else f"/p{i}"] = html(links)
    return pages


def test_scope_web_follows_external_links_and_depth_limits(tmp_path):
    sites = {"one.test": chain_site("one", 6, external="two.test"), "two.test": {}}
    sites["two.test"] = {
        f"/from-one-{i}": html('<a href="http://three.test/">3</a>') for i in range(6)
    }
    sites["three.test"] = {"/": html("<p>three</p>")}
    with LocalWeb(sites) as web:
        run = run_crawl(
            web.proxy_url, tmp_path, "-a", "seeds=one.test", "-a", "scope=web", "-a", "max_depth=2"
        )
    assert run.returncode == 0, run.log[-2000:]
    assert sorted(web.fetched("one.test")) == ["/", "/p1", "/p2", "/robots.txt"]
    assert sorted(web.fetched("two.test")) == ["/from-one-0", "/from-one-1", "/robots.txt"]
    assert sorted(web.fetched("three.test")) == ["/", "/robots.txt"]
    depths = dict(run.pages("true", "url, depth"))
    assert depths["http://one.test/"] == 0 and depths["http://two.test/from-one-1"] == 2
    # every outbound edge is recorded, followed or not
    assert run.links("source_url = 'http://one.test/p2'", "target_url") == [
        ("http://one.test/p3",),
        ("http://two.test/from-one-2",),
    ]


def test_scope_site_records_but_does_not_follow_external(tmp_path):
    sites = {"one.test": chain_site("one", 3, external="two.test"), "two.test": {}}
    with LocalWeb(sites) as web:
        run = run_crawl(web.proxy_url, tmp_path, "-a", "seeds=one.test", "-a", "max_depth=0")
    assert run.returncode == 0
    assert web.fetched("one.test") == ["/robots.txt", "/"]
    assert web.fetched("two.test") == []
    assert run.links("true", "target_url, is_external") == [
        ("http://one.test/p1", False),
        ("http://two.test/from-one-0", True),
    ]


def test_max_pages_per_domain_counts_registered_domains(tmp_path):
    home = "".join(f'<a href="http://h{i}.big.test/">{i}</a>' for i in range(10))
    sites = {"big.test": {"/": html(home)}}
    for i in range(10):
        sites[f"h{i}.big.test"] = {"/": html("x")}
    with LocalWeb(sites) as web:
        run = run_crawl(
            web.proxy_url, tmp_path, "-a", "seeds=big.test", "-a", "max_pages_per_domain=4"
        )
    assert run.returncode == 0
    assert len(run.pages("error IS NULL")) == 4
    assert run.stats["linkspider/skipped/domain_page_cap"] == 7


def test_seeds_file_with_comments_and_generated_crawl_id(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# my seeds\n\none.test   # the first\nhttp://two.test/start\n")
    sites = {"one.test": {"/": html("<a href='/x'>x</a>")}, "two.test": {"/start": html("s")}}
    with LocalWeb(sites) as web:
        run = run_crawl(
            web.proxy_url, tmp_path / "out", "-a", f"seeds={seeds}", "-a", "max_depth=0"
        )
    assert run.returncode == 0
    rows = run.pages("true", "url, crawl_id")
    assert [r[0] for r in rows] == ["http://one.test/", "http://two.test/start"]
    assert re.fullmatch(r"\d{8}T\d{6}Z", rows[0][1])


def test_bad_arguments_fail_with_a_clear_message(tmp_path):
    with LocalWeb({}) as web:
        for args, message in [
            (["-a", "seeds=ftp://x.test/"], "not an http(s) URL or domain"),
            (["-a", "seeds=one.test", "-a", "scope=everything"], "expected one of site, web"),
            (["-a", "seeds=one.test", "-a", "max_depth=-1"], "must be >= 0"),
            (["-a", "seeds=one.test", "-a", "crawl_id=../../etc"], "crawl_id"),
            (["-a", f"seeds={tmp_path}/missing/seeds.txt"], "seeds file not found"),
        ]:
            run = run_crawl(web.proxy_url, tmp_path / "o", *args)
            assert run.returncode == 2, args
            assert message in run.log.strip().splitlines()[-1], (args, run.log[-1500:])
            assert "Traceback" not in run.log
        assert web.requests == []
