"""``-a recrawl=CRAWL_ID``: conditional requests with the validators kept in ``pages/``; a
304 carries the earlier page's row and edges forward without parsing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
from linkspider.pipelines.layout import Inventory

from tests.conftest import run_crawl
from tests.test_changes import TEXT
from tests.test_cli import LINKSPIDER
from tests.webserver import LocalWeb, Resource

DATE = "Tue, 24 Nov 2026 08:00:00 GMT"


def page(links: list[str], **headers: str) -> Resource:
    anchors = " ".join(f'<a href="{u}">to {u.rsplit("/", 1)[-1]}</a>' for u in links)
    body = (
        f"<!doctype html><html><head><title>t</title></head><body><main><article>{TEXT}"
        f"<p>{anchors}</p></article></main><footer><a href='/'>home</a></footer></body></html>"
    )
    return Resource(body.encode(), 200, {"Content-Type": "text/html; charset=utf-8", **headers})


def web(changed: bool) -> dict:
    return {
        "a.test": {
            "/": page(["/e1", "/m1", "/plain"], ETag='"root"'),
            "/e1": page(["http://t.test/1", "http://t.test/2"], ETag='"e1"'),
            "/m1": page(["http://t.test/3"], **{"Last-Modified": DATE}),
            "/plain": page(["http://t.test/4"]),  # no validator: fetched whole every time
        },
        "b.test": {
            "/": page(
                ["/x", "http://t.test/6"] + (["http://t.test/7"] if changed else []),
                ETag='"b-root-2"' if changed else '"b-root-1"',
            ),
            "/x": page(["http://t.test/8", "http://t.test/8"], ETag='"x"'),
        },
    }


def table(out: Path, sql: str) -> list[tuple]:
    inventory = Inventory.scan(str(out))
    con = duckdb.connect()
    for name in ("links", "pages"):
        files = [f.path for f in inventory.files(name)]
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files!r}, union_by_name = true)"
        )
    return con.sql(sql).fetchall()


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("recrawl") / "data"
    settings = {"RETRY_TIMES": "0", "LINKSPIDER_RANK_ON_CLOSE": "False"}
    with LocalWeb(web(changed=False)) as server:
        first = run_crawl(
            server.proxy_url, out, "-a", "seeds=http://a.test/,http://b.test/",
            "-a", "render=never", "-a", "crawl_id=r1", settings=settings,
        )  # fmt: skip
    assert first.returncode == 0, first.log[-3000:]
    with LocalWeb(web(changed=True)) as server:
        # no seeds, no scope: the recrawl takes the earlier crawl's arguments
        second = run_crawl(
            server.proxy_url, out, "-a", "recrawl=r1", "-a", "crawl_id=r2", settings=settings
        )
        requests, not_modified = list(server.requests), list(server.not_modified)
    assert second.returncode == 0, second.log[-3000:]
    return out, second, requests, not_modified


def test_unchanged_pages_answer_304_and_are_not_parsed(recrawled):
    out, run, requests, not_modified = recrawled
    assert sorted(not_modified) == [
        ("a.test", "/"), ("a.test", "/e1"), ("a.test", "/m1"), ("b.test", "/x"),
    ]  # fmt: skip
    pages = {
        url: (status, unchanged, etag)
        for url, status, unchanged, etag in table(
            out, "SELECT url, status, unchanged, etag FROM pages WHERE crawl_id = 'r2'"
        )
    }
    assert pages["http://a.test/e1"] == (304, True, '"e1"')
    assert pages["http://a.test/m1"][:2] == (304, True)
    assert pages["http://a.test/plain"] == (200, False, None)
    assert pages["http://b.test/"] == (200, False, '"b-root-2"')  # changed: parsed
    assert run.stats["linkspider/recrawl/unchanged"] == 4
    assert run.stats["linkspider/recrawl/conditional_requests"] == 5
    # parsed pages: the changed one and the one without a validator (robots.txt aside)
    assert run.stats["linkspider/pages_extracted"] == 2
    fetched = sorted((host, path) for host, path in requests if path != "/robots.txt")
    assert fetched == sorted([*not_modified, ("a.test", "/plain"), ("b.test", "/")])  # once each


def test_carried_edges_are_the_earlier_ones(recrawled):
    out, *_ = recrawled
    columns = "source_url, target_url, anchor_text, rel, nofollow, region, link_type, position"
    before = table(
        out,
        f"SELECT {columns} FROM links WHERE crawl_id = 'r1' AND source_url IN "
        "('http://a.test/e1', 'http://a.test/m1', 'http://b.test/x', 'http://a.test/') "
        "ORDER BY ALL",
    )
    after = table(
        out,
        f"SELECT {columns}, unchanged FROM links WHERE crawl_id = 'r2' AND source_url IN "
        "('http://a.test/e1', 'http://a.test/m1', 'http://b.test/x', 'http://a.test/') "
        "ORDER BY ALL",
    )
    assert [row[:-1] for row in after] == before and len(before) > 5
    assert {row[-1] for row in after} == {True}
    assert table(out, "SELECT count(*) FROM links WHERE crawl_id = 'r2' AND unchanged AND source_url = 'http://b.test/'") == [(0,)]  # fmt: skip


def test_changes_of_a_recrawl_are_the_real_ones(recrawled):
    out, *_ = recrawled
    proc = subprocess.run(
        [LINKSPIDER, "changes", "--data", str(out), "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = [(r["source_url"], r["target_url"], r["reason"]) for r in json.loads(proc.stdout)]
    assert got == [("http://b.test/", "http://t.test/7", "new_link")]


def test_recrawl_of_an_unknown_crawl_is_one_clear_error(tmp_path):
    with LocalWeb(web(changed=False)) as server:
        run = run_crawl(server.proxy_url, tmp_path / "data", "-a", "recrawl=nope")
    assert run.returncode == 2
    assert "-a recrawl='nope'" in run.log and "Traceback" not in run.log
