"""Crash safety: SIGKILL mid-crawl, resume from JOBDIR, get exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess

import duckdb
import pytest

from tests.conftest import REPO, crawl_command, proxy_env, run_crawl, start_crawl
from tests.webserver import LocalWeb, html

HOSTS = [f"h{i}.site.test" for i in range(3)]
PAGES_PER_HOST = 300


def generated_web(pages_per_host: int = PAGES_PER_HOST) -> dict:
    rnd = random.Random(7)
    sites = {host: {} for host in HOSTS}
    for host in HOSTS:
        for i in range(pages_per_host):
            links = [
                f'<a href="http://{rnd.choice(HOSTS)}/p{rnd.randrange(1, pages_per_host)}">to {j}</a>'
                for j in range(6)
            ]
            links.append(
                f'<a href="/p{i + 1}">next</a>'
                if i + 1 < pages_per_host
                else '<a href="/">first</a>'
            )
            links.append(f'<a href="http://elsewhere.test/{i}" rel="nofollow">out</a>')
            text = f"<p>Page {i} of {host}, with some words, commas, and sentences.</p>" * 3
            sites[host]["/" if i == 0 else f"/p{i}"] = html(
                f"<html><body><main>{text}{''.join(links)}</main></body></html>"
            )
    return sites


ARGS = (
    "-a",
    f"seeds={','.join(HOSTS)}",
    "-a",
    "max_depth=100",
    "-a",
    "max_pages_per_domain=100000",
    "-a",
    "crawl_id=r1",
)
SETTINGS = {
    "LINKSPIDER_FLUSH_ROWS": "400",
    "LINKSPIDER_FLUSH_PAGE_ROWS": "100",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}
# depth is left out: with concurrent fetching, the hop count at which a page is
# first reached may differ between any two runs.
EDGE_KEY = "source_url, position, target_url, target_fragment, anchor_text, rel, nofollow, region, link_type"


def snapshot(out) -> tuple[list, list]:
    con = duckdb.connect()
    links = con.execute(
        f"SELECT {EDGE_KEY} FROM read_parquet('{out}/links/*/*.parquet', hive_partitioning=true) ORDER BY ALL"
    ).fetchall()
    pages = con.execute(
        f"SELECT url, status, error, outlink_count FROM read_parquet('{out}/pages/*.parquet') ORDER BY ALL"
    ).fetchall()
    return links, pages


def crawl_record(out) -> dict:
    """The crawl's row in ``crawls/``."""
    rel = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}/crawls/*.parquet')")
    rows = rel.fetchall()
    assert len(rows) == 1
    return dict(zip([d[0] for d in rel.description], rows[0], strict=True))


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    sites = generated_web()
    total_pages = len(HOSTS) * PAGES_PER_HOST

    with LocalWeb(sites) as web:
        reference = run_crawl(web.proxy_url, tmp_path / "ref", *ARGS, settings=SETTINGS)
    assert reference.returncode == 0, reference.log[-2000:]
    ref_links, ref_pages = snapshot(tmp_path / "ref")
    assert len(ref_pages) == total_pages and len(ref_links) == total_pages * 8

    out, jobdir = tmp_path / "out", tmp_path / "job"
    settings = {**SETTINGS, "JOBDIR": str(jobdir)}
    with LocalWeb(sites, notify_after=total_pages // 3) as web:
        proc = start_crawl(web.proxy_url, out, *ARGS, settings=settings)
        try:
            assert web.reached.wait(timeout=240), "the crawl never got a third of the way"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        # what a reader sees after the crash is valid Parquet, just fewer rows
        _, partial_pages = snapshot(out)
        assert 0 < len(partial_pages) < total_pages
        killed = crawl_record(out)
        assert (killed["status"], killed["runs"], killed["finished_at"]) == ("running", 1, None)

        resumed = run_crawl(web.proxy_url, out, *ARGS, settings=settings)
    assert resumed.returncode == 0, resumed.log[-2000:]
    resume = re.search(
        r"resuming crawl r1 .*: (\d+) URLs known, (\d+) still to fetch, (\d+) uncommitted",
        resumed.log,
    )
    assert resume is not None, resumed.log[-2000:]
    known, to_fetch, removed = map(int, resume.groups())
    print(
        f"killed with {len(partial_pages)} pages committed; resume: {known} known, {to_fetch} to fetch, {removed} files removed"
    )
    assert to_fetch > 0
    links, pages = snapshot(out)
    assert pages == ref_pages
    assert links == ref_links  # exactly: no edge lost, no duplicate row
    record = crawl_record(out)
    assert (record["status"], record["runs"]) == ("finished", 2)
    assert (record["pages"], record["edges"]) == (len(ref_pages), len(ref_links))
    assert record["started_at"] == killed["started_at"] < record["finished_at"]
    assert (
        resumed.stats["linkspider/compacted_files"]
        > resumed.stats["linkspider/files_after_compaction"]
    )

    # running a finished crawl again: nothing to fetch, and its compacted files stay
    with LocalWeb(sites) as web:
        again = run_crawl(web.proxy_url, out, *ARGS, settings=settings)
    assert again.returncode == 0 and web.requests == []
    assert snapshot(out) == (ref_links, ref_pages)


def test_sigterm_stops_gracefully_flushes_and_resumes(tmp_path):
    sites = generated_web(pages_per_host=200)
    total_pages = len(HOSTS) * 200
    out, jobdir = tmp_path / "out", tmp_path / "job"
    # nothing is flushed before the end: what is on disk after SIGTERM was flushed by it
    settings = {
        "LINKSPIDER_FLUSH_ROWS": "1000000",
        "LINKSPIDER_FLUSH_PAGE_ROWS": "1000000",
        "JOBDIR": str(jobdir),
    }
    with LocalWeb(sites, notify_after=150) as web:
        proc = start_crawl(web.proxy_url, out, *ARGS, settings=settings)
        try:
            assert web.reached.wait(timeout=240)
            proc.send_signal(signal.SIGTERM)
        finally:
            proc.wait(timeout=120)
        assert proc.returncode == 0, (out / "crawl.log").read_text()[-2000:]
        stats = json.loads((out / "stats.json").read_text())
        assert stats["finish_reason"] == "shutdown"
        links, pages = snapshot(out)
        assert 0 < len(pages) < total_pages
        assert len(pages) == stats["item_scraped_count"] == stats["linkspider/pages_written"]
        assert (
            len(links) == stats["linkspider/edges_extracted"] == stats["linkspider/edges_written"]
        )

        resumed = run_crawl(web.proxy_url, out, *ARGS, settings=settings)
    assert resumed.returncode == 0
    links, pages = snapshot(out)
    assert len(pages) == len({p[0] for p in pages}) == total_pages
    assert len(links) == len({(row[0], row[1]) for row in links}) == total_pages * 8


ODD_HREFS = ["/a|b", "/p?a[]=1&b[x]=2", "/q?", "/c{d}^e", "/été", "/sp ace", "/t?q=%7C|`"]
# as the URL standard serializes them (and the crawl requests them): | [ ] stay, a
# trailing ? stays, { } ^ ` and non-ASCII in a path are percent-encoded
ODD = [
    "/a|b",
    "/p?a[]=1&b[x]=2",
    "/q?",
    "/c%7Bd%7D%5Ee",
    "/%C3%A9t%C3%A9",
    "/sp%20ace",
    "/t?q=%7C|`",
]


def odd_web() -> dict:
    """Pages whose URLs Scrapy would re-encode (| [ ] ` in a query, a trailing ?)."""
    links = "".join(f'<a href="{h}">{h}</a>' for h in ODD_HREFS)
    pages = {"/": html(f"<p>odd links</p>{links}")}
    for path in ODD:
        pages[path] = html(f'<p>page {path}</p><a href="/">home</a>{links}')
    return {"odd.test": pages}


def test_odd_urls_are_fetched_once_as_linked_and_a_finished_crawl_adds_nothing(tmp_path):
    out, jobdir = tmp_path / "out", tmp_path / "job"
    args = ("-a", "seeds=odd.test", "-a", "crawl_id=odd")
    settings = {"JOBDIR": str(jobdir)}
    with LocalWeb(odd_web()) as web:
        run = run_crawl(web.proxy_url, out, *args, settings=settings)
        assert run.returncode == 0, run.log[-2000:]
        fetched = sorted(path for host, path in web.requests if path != "/robots.txt")
    assert fetched == sorted(["/", *ODD])  # each once, under the URL the links give
    con = duckdb.connect()
    urls = {
        row[0]
        for row in con.execute(f"SELECT url FROM read_parquet('{out}/pages/*.parquet')").fetchall()
    }
    targets = {
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT target_url FROM read_parquet('{out}/links/*/*.parquet', hive_partitioning=true)"
        ).fetchall()
    }
    assert urls == {f"http://odd.test{p}" for p in ["/", *ODD]} == targets
    before = snapshot(out)

    with LocalWeb(odd_web()) as web:
        again = run_crawl(web.proxy_url, out, *args, settings=settings)
    assert again.returncode == 0 and web.requests == []
    assert snapshot(out) == before


def test_a_full_disk_stops_the_crawl_with_exit_1_and_the_resume_is_exact(tmp_path):
    """The output directory is a small tmpfs (in a mount namespace of its own): the crawl
    fills it, stops and exits 1; after the space is freed, the same command completes
    the crawl with exactly the rows of an uninterrupted one."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a small file system")
    sites = generated_web(pages_per_host=300)
    settings = {**SETTINGS, "LINKSPIDER_WRITE_RETRY_PAUSES": "0.05,0.05"}
    with LocalWeb(sites) as web:
        reference = run_crawl(web.proxy_url, tmp_path / "ref", *ARGS, settings=settings)
    assert reference.returncode == 0, reference.log[-2000:]

    small, copy, jobdir = tmp_path / "small", tmp_path / "copy", tmp_path / "job"
    small.mkdir()
    copy.mkdir()
    settings = {
        **settings,
        "JOBDIR": str(jobdir),
        "LINKSPIDER_STATS_FILE": str(tmp_path / "s.json"),
    }
    with LocalWeb(sites) as web:
        command = shlex.join(crawl_command(small, *ARGS, settings=settings))
        script = f"""
            mount -t tmpfs -o size=160k tmpfs {small}
            {command} > {tmp_path}/first.log 2>&1; echo "first=$?"
            mount -o remount,size=256m {small}
            {command} > {tmp_path}/second.log 2>&1; echo "second=$?"
            cp -a {small}/. {copy}/
        """
        proc = subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            cwd=REPO, env=proxy_env(web.proxy_url), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    first_log = (tmp_path / "first.log").read_text()
    assert "first=1" in proc.stdout, (proc.stdout, proc.stderr, first_log[-3000:])
    assert "linkspider: crawl failed: writing the dataset under" in first_log
    assert "No space left on device" in first_log
    assert "second=0" in proc.stdout, (tmp_path / "second.log").read_text()[-3000:]
    assert snapshot(copy) == snapshot(tmp_path / "ref")
