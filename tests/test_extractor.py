"""Extraction in worker processes: a page over its time or memory limit costs that page only."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal

import pytest

from linkspider.extract import Limits
from linkspider.extractor import Extractor
from tests.conftest import run_crawl
from tests.webserver import LocalWeb, html

H = {"Content-Type": "text/html; charset=utf-8"}
URL = "http://a.test/"
FINE = b'<p>fine</p><a href="/next">next</a>'
# without the nesting bound, Lexbor spends tens of seconds on this
POISON = b"<div>" * 150_000 + b'<a href="/deep">deep</a>'
UNBOUNDED = Limits(max_nesting_depth=10**9)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_page_over_the_time_limit_gets_an_error_and_the_next_page_a_new_worker():
    extractor = Extractor(workers=1, timeout=1.0, limits=UNBOUNDED)

    async def pages():
        slow = await extractor.extract(POISON, URL, H, 200)
        fine = await extractor.extract(FINE, URL, H, 200)
        return slow, fine

    try:
        (slow, seconds), (fine, _) = run(pages())
    finally:
        extractor.close()
    assert slow.error == "extraction took longer than 1 s" and slow.edges == []
    assert seconds == 1.0
    assert fine.error is None and [e.target_url for e in fine.edges] == ["http://a.test/next"]


def test_a_page_over_the_memory_limit_gets_an_error():
    # 600,000 links: the edges alone need far more than the 400 MB the worker may use
    huge = b'<a href="/x">t</a>' * 600_000
    extractor = Extractor(workers=1, timeout=60, memory_mb=400, limits=Limits(max_edges=10**7))

    async def pages():
        return await extractor.extract(huge, URL, H, 200), await extractor.extract(
            FINE, URL, H, 200
        )

    try:
        (big, _), (fine, _) = run(pages())
    finally:
        extractor.close()
    assert big.error == "extraction ran out of memory (400 MB)" and big.edges == []
    assert fine.error is None and len(fine.edges) == 1


def test_a_worker_that_dies_costs_its_page_only():
    extractor = Extractor(workers=1, timeout=60, limits=UNBOUNDED)

    async def pages():
        pending = asyncio.ensure_future(extractor.extract(POISON, URL, H, 200))
        # the worker has started and been sent the job (the send follows `ready` at once)
        while not (extractor._all and extractor._all[0].ready):
            await asyncio.sleep(0.01)
        os.kill(extractor._all[0].process.pid, signal.SIGKILL)
        return await pending, await extractor.extract(FINE, URL, H, 200)

    try:
        (dead, _), (fine, _) = run(pages())
    finally:
        extractor.close()
    assert dead.error == "extraction crashed (exit status -9)"
    assert fine.error is None and len(fine.edges) == 1


def test_extraction_in_the_crawl_process_when_asked():
    extractor = Extractor(workers=0)
    page, seconds = run(extractor.extract(FINE, URL, H, 200))
    assert page.error is None and len(page.edges) == 1 and seconds >= 0


@pytest.fixture(scope="module")
def poisoned_crawl(tmp_path_factory):
    """A poison page on one host, linked from a slow host whose 60 pages are fetched one
    after the other (each takes the server 60 ms), so that one of them is always in flight."""
    others = {}
    for i in range(60):
        extra = '<a href="http://poison.test/">poison</a>' if i == 5 else ""
        others[f"/p{i}"] = html(f'<a href="/p{(i + 1) % 60}">next</a>{extra}')
        others[f"/p{i}"].latency = 0.06
    others["/"] = html('<a href="/p0">start</a>')
    sites = {"poison.test": {"/": html(POISON)}, "other.test": others}
    out = tmp_path_factory.mktemp("poison")
    settings = {
        "LINKSPIDER_MAX_NESTING_DEPTH": "1000000000",  # as if Lexbor met it unbounded
        # a reactor blocked for the extraction's 4 s would time out the other host's
        # requests in flight (2 s)
        "LINKSPIDER_EXTRACT_TIMEOUT": "4",
        "DOWNLOAD_TIMEOUT": "2",
        "JOBDIR": str(out / "job"),
    }
    args = ("-a", "seeds=other.test", "-a", "scope=web", "-a", "max_depth=100", "-a", "crawl_id=p1")
    with LocalWeb(sites) as web:
        run_ = run_crawl(web.proxy_url, out, *args, settings=settings)
        again = run_crawl(web.proxy_url, out, *args, settings=settings)
        run_.again_requests = len(web.requests)
    return run_, again


def test_a_poison_page_is_recorded_once_and_the_crawl_goes_on(poisoned_crawl):
    run_, again = poisoned_crawl
    assert run_.returncode == 0, run_.log[-3000:]
    assert run_.pages("domain = 'poison.test'", "url, error") == [
        ("http://poison.test/", "extraction took longer than 4 s")
    ]
    other = run_.pages("domain = 'other.test'", "status, error")
    assert len(other) == 61 and set(other) == {(200, None)}
    # the other host's pages went on while the poison page was parsed for 4 s: no gap
    # between two of them is anywhere near it (a blocked reactor would make one)
    times = sorted(t for (t,) in run_.pages("domain = 'other.test'", "fetched_at"))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert max(gaps) < 2, gaps
    # the same command again: the poison page is done, nothing is fetched again
    assert again.returncode == 0
    assert len(run_.pages("true", "url")) == 62
    assert again.stats.get("downloader/request_count", 0) == 0
