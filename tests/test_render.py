"""JavaScript rendering with a real Chromium through scrapy-playwright."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from pathlib import Path

import pytest

from linkspider.render import find_browser
from tests.conftest import run_crawl, run_crawl_env
from tests.webserver import LocalWeb, Resource, html

BROWSER = find_browser()
if BROWSER is None:
    reason = "no Chromium on this machine (apt-get install chromium)"
    pytestmark = pytest.mark.skipif(not os.environ.get("CI"), reason=reason)
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the rendering tests: {reason}")

A = "http://js.test"


def shell(script: str, plain: str = "") -> Resource:
    """An app shell: an empty root filled by a script."""
    return html(f'<html><body><div id="root"></div>{plain}<script>{script}</script></body></html>')


FILL = "document.getElementById('root').innerHTML = {!r};"


def kill_browsers(marker: str) -> None:
    """Kill the Chromium processes started by the crawl that carries ``marker``."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if "chrom" in comm and marker.encode() in environ:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def sites() -> dict:
    return {
        "js.test": {
            "/": html(
                "<html><body><p>A plain page with enough text to not look like an app shell at all, "
                'really, it is plain HTML.</p><a href="/app">app</a> <a href="/plain">plain</a> '
                '<a href="/never-settles">slow</a></body></html>'
            ),
            "/plain": html(
                "<p>" + "Plain words. " * 40 + '</p><a href="/">home</a><script>var x = 1;</script>'
            ),
            "/app": shell(
                FILL.format(
                    '<nav><a href="/from-script">made by script</a></nav><a href="http://ext.test/x">ext</a>'
                )
            ),
            "/from-script": html("<p>reached</p>"),
            "/never-settles": html(
                '<html><body><div id="root"></div><a href="/fallback-link">plain link</a>'
                '<script src="/stalled.js"></script></body></html>'
            ),
            "/stalled.js": Resource(
                b"", 200, {"Content-Type": "application/javascript"}, stall=threading.Event()
            ),
            "/fallback-link": html("<p>ok</p>"),
        },
    }


def crash_sites(marker: str) -> dict:
    return {
        "js.test": {
            "/": html(
                '<html><body><div id="root"></div><a href="/after-crash">plain link</a>'
                '<script src="/kill.js"></script></body></html>'
            ),
            "/kill.js": Resource(
                b"",
                200,
                {"Content-Type": "application/javascript"},
                before=lambda: kill_browsers(marker),
            ),
            "/after-crash": shell(FILL.format('<a href="/after-restart">rendered again</a>')),
            "/after-restart": html("<p>ok</p>"),
        },
    }


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with LocalWeb(sites()) as web:
        run = run_crawl(
            web.proxy_url,
            tmp_path_factory.mktemp("render"),
            "-a",
            "seeds=js.test",
            "-a",
            "max_depth=5",
            settings={"LINKSPIDER_RENDER_TIMEOUT": "5"},
        )
        run.web = web
        yield run


def test_crawl_completes(crawl):
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"


def test_script_made_links_are_found_with_auto(crawl):
    rows = crawl.links(f"source_url = '{A}/app'", "target_url, anchor_text, region, rendered")
    assert rows == [
        (f"{A}/from-script", "made by script", "nav", True),
        ("http://ext.test/x", "ext", "body", True),
    ]
    (page,) = crawl.pages(f"url = '{A}/app'", "status, rendered, render_error, error")
    assert page == (200, True, None, None)
    assert crawl.pages(f"url = '{A}/from-script'", "status") == [(200,)]


def test_plain_pages_are_never_rendered(crawl):
    rendered = dict(crawl.pages("true", "url, rendered"))
    assert rendered[f"{A}/"] is False and rendered[f"{A}/plain"] is False
    fetched = crawl.web.fetched("js.test")
    assert (
        fetched.count("/") == 1 and fetched.count("/plain") == 1
    )  # the browser never asked for them
    assert fetched.count("/app") == 2  # the plain fetch, then the browser, through the proxy


def test_page_that_never_settles_costs_that_page_only(crawl):
    (page,) = crawl.pages(f"url = '{A}/never-settles'", "status, rendered, render_error")
    assert page[0] == 200 and page[1] is False and "Timeout" in page[2]
    # the plain fetch's edges are kept and followed
    assert crawl.links(f"source_url = '{A}/never-settles'", "target_url") == [
        (f"{A}/fallback-link",)
    ]
    assert crawl.pages(f"url = '{A}/fallback-link'", "status") == [(200,)]


def test_render_stats(crawl):
    assert crawl.stats["linkspider/render/rendered"] == 1
    assert crawl.stats["linkspider/render/failed"] == 1


def test_killed_browser_does_not_stop_the_crawl(tmp_path):
    marker = f"LINKSPIDER_TEST_{uuid.uuid4().hex}"
    with LocalWeb(crash_sites(marker)) as web:
        run = run_crawl_env(web.proxy_url, tmp_path, "-a", "seeds=js.test", extra_env={marker: "1"})
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats["playwright/browser_count"] >= 2  # the killed browser was started again
    # the page being rendered when the browser died is either rendered on the new browser
    # (scrapy-playwright retries) or keeps its plain result with the render error: never lost
    (page,) = run.pages(f"url = '{A}/'", "status, rendered, render_error")
    assert page[0] == 200 and (page[1:] == (True, None) or (page[1] is False and page[2]))
    assert run.links(f"source_url = '{A}/'", "target_url") == [(f"{A}/after-crash",)]
    # and the crawl goes on rendering
    assert run.links(f"source_url = '{A}/after-crash'", "target_url, rendered") == [
        (f"{A}/after-restart", True)
    ]
    stats = run.stats
    assert stats.get("linkspider/render/failed", 0) + stats["linkspider/render/rendered"] == 2


def test_without_a_browser_auto_degrades_and_always_fails_fast(tmp_path):
    site = {"js.test": {"/": shell(FILL.format('<a href="/x">x</a>'))}}
    with LocalWeb(site) as web:
        auto = run_crawl(
            web.proxy_url,
            tmp_path / "auto",
            "-a",
            "seeds=js.test",
            settings={"LINKSPIDER_BROWSER": "/nonexistent/chrome"},
        )
        always = run_crawl(
            web.proxy_url,
            tmp_path / "always",
            "-a",
            "seeds=js.test",
            "-a",
            "render=always",
            settings={"LINKSPIDER_BROWSER": "/nonexistent/chrome"},
        )
    assert auto.returncode == 0
    assert auto.log.count("render=auto: no browser found") == 1
    assert auto.pages("true", "url, rendered") == [(f"{A}/", False)]
    assert always.returncode != 0
    assert (
        "-a render=always: no browser found" in always.log
        and "apt-get install chromium" in always.log
    )


def test_render_budget_and_context_recycling(tmp_path):
    apps = {f"/app{i}": shell(FILL.format(f'<a href="/done{i}">done {i}</a>')) for i in range(4)}
    home = html(
        "<p>"
        + "Plain words. " * 40
        + "</p>"
        + "".join(f'<a href="/app{i}">{i}</a>' for i in range(4))
    )
    site = {"js.test": {"/": home, **apps, **{f"/done{i}": html("<p>ok</p>") for i in range(4)}}}
    with LocalWeb(site) as web:
        budget = run_crawl(
            web.proxy_url,
            tmp_path / "budget",
            "-a",
            "seeds=js.test",
            settings={"LINKSPIDER_RENDER_BUDGET_PER_DOMAIN": "2"},
        )
        recycle = run_crawl(
            web.proxy_url,
            tmp_path / "recycle",
            "-a",
            "seeds=js.test",
            settings={"LINKSPIDER_RENDER_CONTEXT_RECYCLE": "1"},
        )
    assert budget.returncode == 0 and recycle.returncode == 0
    assert budget.stats["linkspider/render/rendered"] == 2
    assert budget.stats["linkspider/render/budget_exhausted"] == 2
    rendered = budget.pages("url LIKE '%/app%'", "rendered")
    assert sorted(r[0] for r in rendered) == [False, False, True, True]
    # one context per render, each closed when done: all four rendered
    assert recycle.stats["linkspider/render/rendered"] == 4
    assert recycle.stats["playwright/context_count"] == 4
    assert len(recycle.links("source_url LIKE '%/app%'")) == 4
