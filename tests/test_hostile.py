"""Hostile input: the crawl goes on, says what it skipped in stats and the pages table."""

from __future__ import annotations

import threading
import zlib

import pytest

from tests.conftest import run_crawl
from tests.webserver import LocalWeb, Resource, html, redirect

H = "http://hostile.test"
LONG_URL = "http://far.test/" + "x" * 10_000


def bomb() -> bytes:
    # 64 MiB of zeros inflate from ~64 KB: past any DOWNLOAD_MAXSIZE
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()


def make_sites() -> dict:
    pages = {
        "/loop-a": redirect("/loop-b", 302),
        "/loop-b": redirect("/loop-a", 302),
        **{f"/chain-{i}": redirect(f"/chain-{i + 1}", 301) for i in range(30)},
        "/slow": Resource(
            b"<a href='/never'>x</a>", 200, {"Content-Type": "text/html"}, stall=threading.Event()
        ),
        "/bomb": Resource(b"", 200, {"Content-Type": "text/html"}, raw_gzip=bomb()),
        "/huge-anchor": html('<a href="/target">' + "word " * 700_000 + "</a>"),
        "/long-url": html(f'<a href="{LONG_URL}">long</a><a href="/ok">ok</a>'),
        "/bad-urls": html(
            '<a href="http://\u00ad/">IDNA maps to empty</a><a href="http://a%zzb.com/">bad escape in host</a>'
            '<a href="http://a..b:99999/">bad port</a>'
            '<a href="http://ex ample.com/">space</a><a href="/a%zz%">bad percent</a>'
            '<a href="http://[1::2::3]/">bad ipv6</a><a href="http://%E0%A4%A.com/">bad escape</a>'
        ),
        "/empty": Resource(b"", 200, {"Content-Type": "text/html"}),
        "/wrong-charset": Resource(
            '<a href="/">café crème</a>'.encode("cp1252"),
            200,
            {"Content-Type": "text/html; charset=utf-8"},
        ),
        "/bogus-charset": Resource(
            b'<a href="/">plain</a>', 200, {"Content-Type": "text/html; charset=x-no-such"}
        ),
        "/binary": Resource(bytes(range(256)) * 64, 200, {"Content-Type": "text/html"}),
        "/gone": html("<p>gone</p>", status=410),
        # each paragraph opens 200 unclosed <b>s again (12 s and 4.6 GB unbounded)
        "/reopened": Resource(
            b"<p>"
            + b"".join(b"<b id=%d>" % i for i in range(200))
            + b"</p>"
            + b"<p>x</p>" * 50_000
            + b'<a href="/after-reopened">after</a>',
            200,
            {"Content-Type": "text/html"},
        ),
        # MathML <a>s nest (no links), then a link
        "/deep-math": Resource(
            b"<math>" + b'<a href="/x">t' * 32_000 + b'</math><a href="/after-math">after</a>',
            200,
            {"Content-Type": "text/html"},
        ),
        # the parser's work for each option grows with the options before it (24 s)
        "/options": Resource(
            b"<select>" + b"<option>x" * 60_000 + b'</select><a href="/after-options">after</a>',
            200,
            {"Content-Type": "text/html"},
        ),
        "/sess;jsessionid=1": html('<a href="/sess;jsessionid=2">again</a>'),
        "/sess": html('<a href="/sess;jsessionid=3">again</a>'),
    }
    # a calendar that links to next month forever
    for year in range(2026, 2040):
        for month in range(1, 13):
            nxt = (year, month + 1) if month < 12 else (year + 1, 1)
            pages[f"/cal/{year}/{month:02d}/"] = html(
                f'<a href="/cal/{nxt[0]}/{nxt[1]:02d}/">next</a>'
            )
    # endless query variations
    for n in range(200):
        pages[f"/list?page={n}"] = html(f'<a href="/list?page={n + 1}">more</a>')
    links = [p for p in pages if not p.startswith(("/chain-", "/cal", "/list", "/sess"))]
    links += ["/chain-0", "/cal/2026/01/", "/list?page=0", "/sess;jsessionid=1"]
    pages["/"] = html("".join(f'<a href="{p}">{p}</a>' for p in links))
    return {"hostile.test": pages}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with LocalWeb(make_sites()) as web:
        run = run_crawl(
            web.proxy_url,
            tmp_path_factory.mktemp("hostile"),
            "-a",
            "seeds=hostile.test",
            "-a",
            "max_depth=1000",
            settings={
                "DOWNLOAD_TIMEOUT": "2",
                "RETRY_TIMES": "0",
                "LINKSPIDER_TRAP_MAX_QUERY_VARIANTS": "20",
            },
        )
        run.web = web
        yield run


def page(crawl, path: str):
    rows = crawl.pages(f"url = '{H}{path}'", "status, error, outlink_count, edges_dropped")
    assert len(rows) == 1, (path, rows)
    return rows[0]


def test_crawl_finishes_cleanly(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert "Traceback" not in crawl.log


def test_redirect_loop_fetches_each_hop_once(crawl):
    fetched = crawl.web.fetched("hostile.test")
    assert fetched.count("/loop-a") == 1 and fetched.count("/loop-b") == 1
    assert crawl.links(
        "link_type = 'redirect' AND source_url LIKE '%loop%'", "source_url, target_url"
    ) == [
        (f"{H}/loop-a", f"{H}/loop-b"),
        (f"{H}/loop-b", f"{H}/loop-a"),
    ]


def test_redirect_chain_is_cut(crawl):
    fetched = [p for p in crawl.web.fetched("hostile.test") if p.startswith("/chain-")]
    assert len(fetched) == 21  # the first request and 20 hops
    assert crawl.stats["linkspider/skipped/redirect_chain_too_long"] == 1


def test_timeout_costs_that_page_only(crawl):
    status, error, _, _ = page(crawl, "/slow")
    assert status is None and "TimeoutError" in error


def test_compression_bomb_is_refused(crawl):
    status, error, _, _ = page(crawl, "/bomb")
    assert status is None and "DOWNLOAD_MAXSIZE" in error


def test_megabyte_anchor_is_capped(crawl):
    (anchor,) = crawl.links(f"source_url = '{H}/huge-anchor'", "anchor_text")
    assert anchor[0] == ("word " * 103).strip()[:512] and len(anchor[0]) <= 512


def test_ten_thousand_character_url_is_counted_not_recorded(crawl):
    assert crawl.links(f"source_url = '{H}/long-url'", "target_url") == [(f"{H}/ok",)]
    assert page(crawl, "/long-url")[3] == 1


def test_invalid_urls_are_not_edges(crawl):
    assert crawl.links(f"source_url = '{H}/bad-urls'", "target_url") == [(f"{H}/a%zz%",)]


def test_empty_binary_and_gone(crawl):
    assert page(crawl, "/empty")[:2] == (200, "empty body")
    assert page(crawl, "/binary")[:2] == (200, "binary body")
    assert page(crawl, "/gone")[:2] == (410, "HTTP 410")


def test_wrong_and_bogus_charsets(crawl):
    (anchor,) = crawl.links(f"source_url = '{H}/wrong-charset'", "anchor_text")
    assert anchor[0] == "caf\ufffd cr\ufffdme"  # declared UTF-8 wins, as in a browser
    assert crawl.links(f"source_url = '{H}/bogus-charset'", "anchor_text") == [("plain",)]


def test_traps_are_contained(crawl):
    fetched = crawl.web.fetched("hostile.test")
    calendar = [p for p in fetched if p.startswith("/cal")]
    assert 0 < len(calendar) <= 12 * 4  # stops a couple of years ahead
    assert crawl.stats["linkspider/trap/calendar"] == 1
    assert len([p for p in fetched if p.startswith("/list")]) == 20
    assert crawl.stats["linkspider/trap/query_variants"] == 1
    assert [p for p in fetched if p.startswith("/sess")] == ["/sess"]


def test_pages_that_make_the_parser_superlinear_are_bounded_not_lost(crawl):
    """Formatting elements reopened in every paragraph, MathML nested 32,000 deep, a select of
    60,000 options: bounded before the parse (stat ``linkspider/pages_bounded``), their links
    recorded."""
    for path, after in (
        ("/reopened", "/after-reopened"),
        ("/deep-math", "/after-math"),
        ("/options", "/after-options"),
    ):
        status, error, outlinks, _ = page(crawl, path)
        assert (status, error, outlinks) == (200, None, 1), path
        assert crawl.links(f"source_url = '{H}{path}'", "target_url") == [(f"{H}{after}",)]
    assert crawl.stats["linkspider/pages_bounded"] >= 3


def test_every_fetch_has_a_page_row(crawl):
    urls = {r[0] for r in crawl.pages("true", "url")}
    fetched = {f"{H}{p}" for p in crawl.web.fetched("hostile.test") if p != "/robots.txt"}
    assert fetched <= urls
