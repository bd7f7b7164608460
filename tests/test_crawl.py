"""End to end: `scrapy crawl discover` over a local multi-host web, read back with DuckDB."""

from __future__ import annotations

import pytest

from tests.conftest import run_crawl
from tests.webserver import LocalWeb, Resource, html, redirect

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8

HOME = """<!doctype html><html lang="en"><head><title>A home</title>
<link rel="canonical" href="http://a.test/"></head><body>
<nav><a href="/about">About</a> <a href="page2.html">Page 2</a></nav>
<main><p>Read <a href="http://b.test/article?id=1#sec" rel="NoFollow noopener">B&#39;s   article</a>,
<a href="//www.a.test/rel">protocol relative</a>, <a href="?q=1">query only</a>, <a href="#top">fragment</a>,
<a href="">empty</a>, <a href="javascript:void(0)">js</a>, <a href="mailto:x@a.test">mail</a>,
<a href="tel:+1">tel</a>, <a href="data:text/html,hi">data</a>, <a href="http://[::1">bad</a>,
<a href="/about">About again</a>, <a href="/private/secret">secret</a>, <a href="/trap/x/">trap</a>,
<a href="/redirect-internal">moved</a>, <a href="/redirect-external">gone</a>,
<a href="/missing">missing</a>, <a href="/error">error</a>, <a href="/binary.html">binary</a>,
<a href="/cp1251">cp1251</a>, <a href="/sjis">sjis</a>, <a href="/malformed">malformed</a>,
<a href="/big">big</a>, <a href="/nofollow-meta">meta</a>, <a href="/nofollow-header">header</a>,
<a href="http://alice.blogspot.com/">Alice</a>, <a href="HTTP://B.TEST:80/a/./b/../c">norm</a>,
<a href="http://bücher.example/">IDN</a>
</p></main>
<footer><a href="http://c.test/" title="C &amp; co"><img src="logo.png" alt=" C  logo "></a></footer>
</body></html>"""

ABOUT = """<html><head><title>About</title></head><body>
<div id="sidebar"><a href="/">Home</a></div><div class="content"><a href="/">Home</a></div>
</body></html>"""

PAGE2 = """<html><head><meta http-equiv="refresh" content="5; url=/about"></head><body>
<a href="x.html">X</a> <map name="m"><area href="/area-target" alt="Area"></map>
<base href="http://a.test/sub/dir/"><base href="/ignored/">
</body></html>"""

TRAP = '<html><body><a href="x/">deeper</a></body></html>'

CP1251 = '<html><head><meta charset="windows-1251"></head><body><a href="/">Привет мир</a></body></html>'.encode(
    "cp1251"
)
SJIS = '<html><body><a href="/">日本語のリンク</a></body></html>'.encode("shift_jis")

MALFORMED = """<html><body><a href="/m1">unclosed <b>bold <a href=/m2>second</a>
<table><tr><a href='/m3'>in table</a><td></div></span><p><a href="/m4" title=x>last"""

BIG_LINKS = 20_000


def big_page() -> bytes:
    filler = "<p>" + "lorem ipsum dolor sit amet " * 10 + "</p>"
    parts = ["<html><body>"]
    for i in range(BIG_LINKS):
        parts.append(f'<a href="http://d.test/p{i}">link {i}</a>{filler}')
    parts.append("</body></html>")
    return "".join(parts).encode()


def make_sites() -> dict[str, dict[str, Resource]]:
    return {
        "a.test": {
            "/robots.txt": Resource(
                b"User-agent: *\nDisallow: /private/\n", 200, {"Content-Type": "text/plain"}
            ),
            "/": html(HOME),
            "/about": html(ABOUT),
            "/page2.html": html(PAGE2),
            "/private/secret": html('<a href="/never">never</a>'),
            "/trap/x/": html(TRAP),
            "/trap/x/x/": html(TRAP),
            "/trap/x/x/x/": html(TRAP),
            "/redirect-internal": redirect("/hop2", 301),
            "/hop2": redirect("http://a.test/landing", 302),
            "/landing": html('<a href="/about">back</a>'),
            "/redirect-external": redirect("http://b.test/landing", 302),
            "/error": html("<p>boom</p>", status=500),
            "/binary.html": Resource(PNG, 200, {"Content-Type": "text/html"}),
            "/cp1251": Resource(CP1251, 200, {"Content-Type": "text/html"}),
            "/sjis": Resource(SJIS, 200, {"Content-Type": "text/html; charset=Shift_JIS"}),
            "/malformed": html(MALFORMED),
            "/big": html(big_page()),
            "/nofollow-meta": html(
                '<meta name="robots" content="noindex, NOFOLLOW"><a href="/about">m</a>'
            ),
            "/nofollow-header": html(
                '<a href="/about">h</a>', **{"X-Robots-Tag": "noarchive, nofollow"}
            ),
        },
        "old.test": {"/": redirect("http://new.test/", 301)},
        "new.test": {"/": html('<a href="/p">P</a>'), "/p": html("<p>new home</p>")},
    }


# (source path, target_url, anchor_text, link_type, rel, nofollow, region, fragment, img_alt, title)
A = "http://a.test"
EXPECTED_HOME = [
    (f"{A}/", "canonical", f"{A}/", "", ("canonical",), False, "meta", "", None, None),
    (f"{A}/", "text", f"{A}/about", "About", (), False, "nav", "", None, None),
    (f"{A}/", "text", f"{A}/page2.html", "Page 2", (), False, "nav", "", None, None),
    (
        f"{A}/",
        "text",
        "http://b.test/article?id=1",
        "B's article",
        ("nofollow", "noopener"),
        True,
        "main",
        "sec",
        None,
        None,
    ),
    (
        f"{A}/",
        "text",
        "http://www.a.test/rel",
        "protocol relative",
        (),
        False,
        "main",
        "",
        None,
        None,
    ),
    (f"{A}/", "text", f"{A}/?q=1", "query only", (), False, "main", "", None, None),
    (f"{A}/", "text", f"{A}/about", "About again", (), False, "main", "", None, None),
    *[
        (f"{A}/", "text", f"{A}{path}", text, (), False, "main", "", None, None)
        for path, text in [
            ("/private/secret", "secret"),
            ("/trap/x/", "trap"),
            ("/redirect-internal", "moved"),
            ("/redirect-external", "gone"),
            ("/missing", "missing"),
            ("/error", "error"),
            ("/binary.html", "binary"),
            ("/cp1251", "cp1251"),
            ("/sjis", "sjis"),
            ("/malformed", "malformed"),
            ("/big", "big"),
            ("/nofollow-meta", "meta"),
            ("/nofollow-header", "header"),
        ]
    ],
    (f"{A}/", "text", "http://alice.blogspot.com/", "Alice", (), False, "main", "", None, None),
    (f"{A}/", "text", "http://b.test/a/c", "norm", (), False, "main", "", None, None),
    (f"{A}/", "text", "http://xn--bcher-kva.example/", "IDN", (), False, "main", "", None, None),
    (f"{A}/", "image", "http://c.test/", "", (), False, "footer", "", "C logo", "C & co"),
]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with LocalWeb(make_sites()) as web:
        run = run_crawl(
            web.proxy_url,
            tmp_path_factory.mktemp("out"),
            "-a",
            "seeds=a.test,old.test",
            "-a",
            "crawl_id=t1",
        )
        run.web = web
        yield run


COLS = "source_url, link_type, target_url, anchor_text, rel, nofollow, region, target_fragment, img_alt, title"


def test_exit_code_and_stats(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert crawl.stats["linkspider/edges_written"] == crawl.stats["linkspider/edges_extracted"]
    assert "Traceback" not in crawl.log, crawl.log


def test_home_page_edges_exact(crawl):
    rows = crawl.links(f"source_url = '{A}/'", COLS)
    assert [(*tuple(r[:4]), tuple(r[4]), *tuple(r[5:])) for r in rows] == EXPECTED_HOME
    positions = [r[0] for r in crawl.links(f"source_url = '{A}/'", "position")]
    assert positions == list(range(len(EXPECTED_HOME)))


def test_registered_domains_and_external(crawl):
    rows = dict(
        crawl.links(
            f"source_url = '{A}/'", "target_url, target_domain || '|' || is_external::varchar"
        )
    )
    assert rows["http://alice.blogspot.com/"] == "alice.blogspot.com|true"
    assert rows["http://www.a.test/rel"] == "a.test|false"
    assert rows["http://b.test/a/c"] == "b.test|true"
    assert rows["http://xn--bcher-kva.example/"] == "xn--bcher-kva.example|true"
    (source,) = crawl.links(f"source_url = '{A}/' AND position = 0", "source_host, source_domain")
    assert source == ("a.test", "a.test")


def test_repeated_targets_are_separate_edges(crawl):
    rows = crawl.links(f"source_url = '{A}/about'", "target_url, anchor_text, region")
    assert rows == [(f"{A}/", "Home", "aside"), (f"{A}/", "Home", "main")]


def test_base_href_anywhere_area_and_refresh(crawl):
    rows = crawl.links(
        f"source_url = '{A}/page2.html'", "link_type, target_url, anchor_text, img_alt"
    )
    assert rows == [
        ("refresh", f"{A}/about", "", None),
        ("text", f"{A}/sub/dir/x.html", "X", None),
        ("area", f"{A}/area-target", "", "Area"),
    ]


def test_redirect_hops_are_edges_and_pages(crawl):
    rows = crawl.links("link_type = 'redirect'", "source_url, target_url, region")
    assert rows == [
        (f"{A}/hop2", f"{A}/landing", "meta"),
        (f"{A}/redirect-external", "http://b.test/landing", "meta"),
        (f"{A}/redirect-internal", f"{A}/hop2", "meta"),
        ("http://old.test/", "http://new.test/", "meta"),
    ]
    pages = dict(crawl.pages("true", "url, status"))
    assert pages[f"{A}/redirect-internal"] == 301
    assert pages[f"{A}/hop2"] == 302
    assert pages[f"{A}/landing"] == 200
    # cross-domain redirect of a normal page: recorded, not followed (scope=site)
    assert crawl.web.fetched("b.test") == []
    # a seed that moved: its new home is crawled
    assert pages["http://new.test/p"] == 200


def test_robots_disallowed_never_fetched(crawl):
    assert "/private/secret" not in crawl.web.fetched("a.test")
    assert crawl.pages(f"url = '{A}/private/secret'", "status, error") == [
        (None, "robots.txt disallowed")
    ]
    assert crawl.stats["linkspider/skipped/robots_txt"] == 1


def test_trap_contained(crawl):
    trap = [p for p in crawl.web.fetched("a.test") if p.startswith("/trap/")]
    assert trap == ["/trap/x/", "/trap/x/x/"]
    assert crawl.stats["linkspider/trap/repeated_segment"] >= 1


def test_encodings(crawl):
    assert crawl.links(f"source_url = '{A}/cp1251'", "anchor_text") == [("Привет мир",)]
    assert crawl.links(f"source_url = '{A}/sjis'", "anchor_text") == [("日本語のリンク",)]
    encodings = dict(crawl.pages(f"url IN ('{A}/cp1251', '{A}/sjis')", "url, encoding"))
    assert encodings == {f"{A}/cp1251": "windows-1251", f"{A}/sjis": "shift_jis"}


def test_malformed_html_parsed_like_a_browser(crawl):
    rows = crawl.links(f"source_url = '{A}/malformed'", "target_url, anchor_text, title")
    assert rows == [
        (f"{A}/m1", "unclosed bold", None),
        (f"{A}/m2", "second", None),
        (f"{A}/m3", "in table", None),
        (f"{A}/m4", "last", "x"),
    ]


def test_binary_as_html_errors_and_http_errors(crawl):
    pages = {
        url: (status, error, count)
        for url, status, error, count in crawl.pages("true", "url, status, error, outlink_count")
    }
    assert pages[f"{A}/binary.html"] == (200, "binary body", 0)
    assert pages[f"{A}/missing"] == (404, "HTTP 404", 0)
    assert pages[f"{A}/error"] == (500, "HTTP 500", 0)
    assert pages["http://www.a.test/rel"][0] == 404


def test_big_page(crawl):
    (row,) = crawl.pages(f"url = '{A}/big'", "outlink_count, bytes, error")
    assert row[0] == BIG_LINKS and row[1] > 6_000_000 and row[2] is None
    rows = crawl.links(
        f"source_url = '{A}/big' AND position IN (0, 19999)", "position, target_url, anchor_text"
    )
    assert rows == [
        (0, "http://d.test/p0", "link 0"),
        (19999, "http://d.test/p19999", "link 19999"),
    ]


def test_page_level_nofollow(crawl):
    assert crawl.links(f"source_url = '{A}/nofollow-meta'", "nofollow") == [(True,)]
    assert crawl.links(f"source_url = '{A}/nofollow-header'", "nofollow") == [(True,)]
    (meta,) = crawl.pages(f"url = '{A}/nofollow-meta'", "meta_robots")
    assert meta == ("noindex, NOFOLLOW",)
    (hdr,) = crawl.pages(f"url = '{A}/nofollow-header'", "x_robots_tag")
    assert hdr == ("noarchive, nofollow",)


def test_page_rows(crawl):
    (home,) = crawl.pages(
        f"url = '{A}/'",
        "crawl_id, status, content_type, depth, title, canonical_url, lang, outlink_count, error",
    )
    assert home == (
        "t1",
        200,
        "text/html; charset=utf-8",
        0,
        "A home",
        f"{A}/",
        "en",
        len(EXPECTED_HOME),
        None,
    )


def test_no_url_fetched_twice_and_nothing_out_of_scope(crawl):
    requests = crawl.web.requests
    # a 500 is retried (RETRY_TIMES=2): the only URL asked for more than once
    assert requests.count(("a.test", "/error")) == 3
    requests = [r for r in requests if r != ("a.test", "/error")]
    assert len(requests) == len(set(requests)), sorted(requests)
    hosts = {h for h, _ in requests}
    assert hosts <= {"a.test", "www.a.test", "old.test", "new.test"}, hosts


def test_the_scheduler_takes_the_configured_dupefilter():
    from scrapy.dupefilters import BaseDupeFilter
    from scrapy.utils.test import get_crawler

    from linkspider.scheduler import FrontierScheduler

    crawler = get_crawler(settings_dict={"DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter"})
    scheduler = FrontierScheduler.from_crawler(crawler)
    assert type(scheduler.df) is BaseDupeFilter
