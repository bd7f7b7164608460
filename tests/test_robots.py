"""robots.txt by RFC 9309: unavailable (4xx) allows everything, unreachable disallows."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import run_crawl
from tests.webserver import LocalWeb, Resource, html

PAGE = html('<p>home</p><a href="/next">next</a>')


def sites() -> dict:
    return {
        "down.test": {
            "/robots.txt": Resource(b"oops", 503, {"Content-Type": "text/plain"}),
            "/": PAGE,
            "/next": PAGE,
        },
        "gone.test": {"/": PAGE, "/next": PAGE},  # robots.txt: 404
        "slow.test": {
            "/robots.txt": Resource(b"", 200, {"Content-Type": "text/plain"}, stall=threading.Event()),
            "/": PAGE,
        },
        "ok.test": {
            "/robots.txt": Resource(b"User-agent: *\nDisallow: /next\n", 200, {"Content-Type": "text/plain"}),
            "/": PAGE,
            "/next": PAGE,
        },
    }  # fmt: skip


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with LocalWeb(sites()) as web:
        run = run_crawl(
            web.proxy_url,
            tmp_path_factory.mktemp("robots"),
            "-a",
            "seeds=down.test,gone.test,slow.test,ok.test",
            settings={"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "0"},
        )
        run.web = web
        yield run


def test_an_unreachable_robots_txt_disallows_the_host(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.web.fetched("down.test") == ["/robots.txt"]
    assert crawl.pages("domain = 'down.test'", "url, status, error") == [
        ("http://down.test/", None, "robots.txt unreachable (HTTP 503)")
    ]
    assert crawl.web.fetched("slow.test") == ["/robots.txt"]
    [(error,)] = crawl.pages("domain = 'slow.test'", "error")
    assert error.startswith(
        "robots.txt unreachable (DownloadTimeoutError: Getting http://slow.test"
    )
    assert crawl.stats["linkspider/skipped/robots_unreachable"] == 2


def test_an_unavailable_robots_txt_allows_everything(crawl):
    assert sorted(crawl.web.fetched("gone.test")) == ["/", "/next", "/robots.txt"]
    assert crawl.pages("domain = 'gone.test'", "url, status, error") == [
        ("http://gone.test/", 200, None),
        ("http://gone.test/next", 200, None),
    ]


def test_a_readable_robots_txt_is_obeyed(crawl):
    assert sorted(crawl.web.fetched("ok.test")) == ["/", "/robots.txt"]
    assert crawl.pages("url = 'http://ok.test/next'", "status, error") == [
        (None, "robots.txt disallowed")
    ]
