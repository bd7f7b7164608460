"""``linkspider changes``: a web crawled twice with injected churn; every injected change is
reported with its change and reason, and nothing else is."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_crawl
from tests.test_cli import LINKSPIDER
from tests.webserver import LocalWeb, Resource, html

SITES = ("a.test", "b.test", "c.test", "d.test")
TEXT = "<p>" + "Some ordinary text of an article, with commas, and sentences. " * 6 + "</p>"


def page(links: str, *, head: str = "", footer: str = "") -> Resource:
    return html(
        f"<!doctype html><html><head><title>t</title>{head}</head><body><main><article>"
        f"{TEXT}<p>{links}</p>{TEXT}</article></main><footer>{footer}</footer></body></html>"
    )


def a(n: int, text: str = "", rel: str = "") -> str:
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a href="http://t.test/{n}"{rel_attr}>{text or f"target {n}"}</a>'


def root(paths) -> Resource:
    return page(" ".join(f'<a href="{p}">{p}</a>' for p in paths))


def webs():
    """The web before and after, and the changes injected between them."""
    before = {
        "a.test": {"/": root(["/p1", "/p2", "/p3"]), "/p1": page(a(1)),
                   "/p2": page(a(2) + " " + a(2, "again")), "/p3": page(a(10))},
        "b.test": {"/": root(["/p1", "/p2", "/p3"]), "/p1": page(a(4)),
                   "/p2": page(a(5, rel="nofollow")), "/p3": page(a(6, "old words"))},
        "c.test": {"/": root(["/p1", "/p2", "/p3", "/p4"]), "/p1": page(a(11)),
                   "/p2": page(a(12)), "/p3": page(a(13)), "/p4": page(a(14))},
        "d.test": {"/": root(["/p1", "/p2", "/p3", "/p4"]), "/p1": page(a(8)),
                   "/p2": page(a(15)), "/p3": page(a(16, rel="noopener")), "/p4": page(a(17))},
    }  # fmt: skip
    after = {
        "a.test": {"/": root(["/p1", "/p2", "/p3"]), "/p1": page("no links now"),
                   "/p2": page(a(2)), "/p3": page(a(10) + " " + a(3))},
        "b.test": {"/": root(["/p1", "/p2", "/p3"]), "/p1": page(a(4, rel="nofollow")),
                   "/p2": page(a(5)), "/p3": page(a(6, "new words"))},
        "c.test": {"/": root(["/p1", "/p2", "/p3", "/p4"]),
                   "/p1": Resource(b"gone", status=404, headers={"Content-Type": "text/plain"}),
                   "/p2": Resource(b"gone", status=410, headers={"Content-Type": "text/plain"}),
                   "/p3": Resource(b"", status=301, headers={"Location": "http://c.test/"}),
                   "/p4": Resource(b"oops", status=500, headers={"Content-Type": "text/plain"})},
        "d.test": {"/": root(["/p1", "/p2", "/p3", "/p5"]),
                   "/p1": page(a(8), head='<meta name="robots" content="noindex">'),
                   "/p2": page("moved to the footer", footer=a(15)),
                   "/p3": page(a(16, rel="external")), "/p5": page(a(9))},
    }  # fmt: skip
    injected = {
        ("http://a.test/p1", "http://t.test/1", "lost", "link_removed"),
        ("http://a.test/p2", "http://t.test/2", "lost", "link_removed"),  # one of two
        ("http://a.test/p3", "http://t.test/3", "new", "new_link"),
        ("http://b.test/p1", "http://t.test/4", "changed", "nofollow_added"),
        ("http://b.test/p2", "http://t.test/5", "changed", "nofollow_removed"),
        ("http://b.test/p3", "http://t.test/6", "changed", "anchor_changed"),
        ("http://c.test/p1", "http://t.test/11", "lost", "page_gone"),
        ("http://c.test/p2", "http://t.test/12", "lost", "page_gone"),
        ("http://c.test/p3", "http://t.test/13", "lost", "page_redirected"),
        ("http://c.test/p4", "http://t.test/14", "lost", "page_error"),
        ("http://d.test/p1", "http://t.test/8", "lost", "noindex"),
        ("http://d.test/p2", "http://t.test/15", "changed", "region_changed"),
        ("http://d.test/p3", "http://t.test/16", "changed", "rel_changed"),
        ("http://d.test/p4", "http://t.test/17", "lost", "not_recrawled"),
        ("http://d.test/p5", "http://t.test/9", "new", "new_page"),
    }
    return before, after, injected


def crawl(out: Path, web: dict, crawl_id: str, *args: str):
    """Crawl ``web`` (site scope, every site of it) into ``out`` as ``crawl_id``."""
    seeds = ",".join(f"http://{site}/" for site in SITES)
    with LocalWeb(web) as server:
        run = run_crawl(
            server.proxy_url, out,
            "-a", f"seeds={seeds}", "-a", "scope=site", "-a", "render=never",
            "-a", f"crawl_id={crawl_id}", *args,
            settings={"RETRY_TIMES": "0", "LINKSPIDER_RANK_ON_CLOSE": "False"},
        )  # fmt: skip
    assert run.returncode == 0, run.log[-3000:]
    return run


@pytest.fixture(scope="module")
def churned(tmp_path_factory) -> tuple[Path, set]:
    out = tmp_path_factory.mktemp("changes") / "data"
    before, after, injected = webs()
    for crawl_id, web in (("w1", before), ("w2", after)):
        crawl(out, web, crawl_id)
    return out, injected


def changes(data: Path, *args: str) -> list[dict]:
    proc = subprocess.run(
        [LINKSPIDER, "changes", *args, "--data", str(data), "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_every_injected_change_and_nothing_else(churned):
    data, injected = churned
    rows = changes(data)
    got = {(r["source_url"], r["target_url"], r["change"], r["reason"]) for r in rows}
    assert got == injected
    assert len(rows) == len(injected)  # one row each: the page that linked twice lost one
    assert {r["from_crawl"] for r in rows} == {"w1"} and {r["to_crawl"] for r in rows} == {"w2"}
    by_reason = {r["reason"]: r for r in rows}
    assert by_reason["anchor_changed"]["anchor_before"] == "old words"
    assert by_reason["anchor_changed"]["anchor_after"] == "new words"
    assert by_reason["region_changed"]["region_before"] == "main"
    assert by_reason["region_changed"]["region_after"] == "footer"
    assert by_reason["rel_changed"]["rel_before"] == ["noopener"]
    assert by_reason["rel_changed"]["rel_after"] == ["external"]
    assert by_reason["nofollow_added"]["nofollow_before"] is False
    assert by_reason["nofollow_added"]["nofollow_after"] is True
    assert by_reason["page_error"]["source_status_after"] == 500


def test_changes_of_one_target_and_the_options(churned):
    data, _ = churned
    rows = changes(data, "http://t.test/2", "--from", "w1", "--to", "w2")
    assert [(r["change"], r["reason"], r["occurrence"]) for r in rows] == [
        ("lost", "link_removed", 2)
    ]
    assert changes(data, "t.test", "--from", "w2", "--to", "w1")  # backwards: the reverse
    reverse = {
        (r["source_url"], r["change"], r["reason"])
        for r in changes(data, "--from", "w2", "--to", "w1")
    }
    assert ("http://d.test/p5", "lost", "not_recrawled") in reverse
    assert ("http://c.test/p1", "new", "new_page") in reverse  # not parsed in w2
    internal = changes(data, "--internal")
    assert ("http://d.test/", "http://d.test/p4") in {
        (r["source_url"], r["target_url"]) for r in internal if r["reason"] == "link_removed"
    }
    proc = subprocess.run(
        [LINKSPIDER, "changes", "--data", str(data), "--from", "w1", "--to", "w1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and "same crawl" in proc.stderr
