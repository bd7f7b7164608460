"""A crawl shared by worker processes through a real Redis (redis-server on loopback).

Two workers record exactly the edges of one process on the same web and fetch no page
twice; a worker killed mid-crawl loses nothing (its leases go back to the queue) and the
dataset still holds each page once."""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, crawl_command, proxy_env, run_crawl
from tests.test_resume import HOSTS, generated_web
from tests.webserver import LocalWeb

PAGES_PER_HOST = 200
ARGS = (
    "-a", f"seeds={','.join(HOSTS)}", "-a", "max_depth=100",
    "-a", "max_pages_per_domain=100000", "-a", "render=never",
)  # fmt: skip
SETTINGS = {
    "LINKSPIDER_FLUSH_PAGE_ROWS": "20",
    "LINKSPIDER_FLUSH_ROWS": "200",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "LINKSPIDER_RANK_ON_CLOSE": "False",
}
EDGE = (
    "source_url, target_url, position, anchor_text, rel, region, link_type, fetched_at IS NOT NULL"
)


class RedisServer:
    """``redis-server`` on a free loopback port, no persistence; stopped on exit."""

    def __enter__(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("CI must run the shared-crawl tests: apt-get install redis-server")
            pytest.skip("no redis-server (apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loglevel", "notice"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        for line in self.proc.stdout:  # its own word that it listens
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError("redis-server did not start")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def web():
    sites = generated_web(PAGES_PER_HOST)
    for pages in sites.values():
        for resource in pages.values():
            resource.latency = 0.05  # a real server's pace: long enough for two workers to share
    return sites


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, web) -> tuple[collections.Counter, int]:
    """The same web crawled by one ordinary process."""
    out = tmp_path_factory.mktemp("one") / "out"
    with LocalWeb(web) as server:
        run = run_crawl(server.proxy_url, out, *ARGS, "-a", "crawl_id=s1", settings=SETTINGS)
    assert run.returncode == 0, run.log[-3000:]
    return edges(out), len(pages(out))


def edges(out: Path) -> collections.Counter:
    rows = duckdb.sql(
        f"SELECT {EDGE} FROM read_parquet('{out}/links/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    return collections.Counter(
        tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in rows
    )


def pages(out: Path) -> list[str]:
    return [
        r[0]
        for r in duckdb.sql(f"SELECT url FROM read_parquet('{out}/pages/*.parquet')").fetchall()
    ]


def worker(
    out: Path, redis_url: str, name: str, proxy: str, crawl_id: str, **settings: str
) -> subprocess.Popen:
    cmd = crawl_command(
        out, *ARGS, "-a", f"crawl_id={crawl_id}",
        settings={**SETTINGS, "LINKSPIDER_REDIS_URL": redis_url, "LINKSPIDER_WORKER_ID": name,
                  "LINKSPIDER_STATS_FILE": str(out / f"stats-{name}.json"), **settings},
    )  # fmt: skip
    log = open(out / f"{name}.log", "w")  # noqa: SIM115 - closed by the child's exit
    return subprocess.Popen(
        cmd, cwd=REPO, env=proxy_env(proxy), stdout=log, stderr=subprocess.STDOUT
    )


def same_as_baseline(out: Path, baseline) -> None:
    expected_edges, expected_pages = baseline
    urls = pages(out)
    assert len(urls) == len(set(urls)) == expected_pages  # each page once
    got = edges(out)
    assert got == expected_edges, (len(got), len(expected_edges))


def test_two_workers_record_what_one_process_records(tmp_path, redis_server, web, baseline):
    out = tmp_path / "out"
    out.mkdir()
    with LocalWeb(web) as server:
        workers = [
            worker(out, redis_server.url, name, server.proxy_url, "s1") for name in ("w1", "w2")
        ]
        codes = [w.wait(timeout=300) for w in workers]
        fetched = [r for r in server.requests if not r[1].startswith("/robots.txt")]
    logs = {n: (out / f"{n}.log").read_text() for n in ("w1", "w2")}
    assert codes == [0, 0], {n: log[-3000:] for n, log in logs.items()}
    assert len(fetched) == len(set(fetched)), "a page was fetched twice"
    same_as_baseline(out, baseline)
    stats = {n: json.loads((out / f"stats-{n}.json").read_text()) for n in ("w1", "w2")}
    assert all(s["linkspider/pages"] > 0 for s in stats.values()), "one worker did everything"
    assert sum(s["linkspider/pages"] for s in stats.values()) == baseline[1]
    # the part files say which worker wrote them; the crawl was finished once
    names = {p.name for p in (out / "pages").glob("*.parquet")}
    finishing = [n for n, log in logs.items() if "every worker has closed; finishing it" in log]
    assert len(finishing) == 1
    record = duckdb.sql(
        f"SELECT status, pages FROM read_parquet('{out}/crawls/*.parquet')"
    ).fetchall()
    assert record == [("finished", baseline[1])]
    assert names and all("~w" in n or n.count("-") >= 3 for n in names)


def test_a_killed_worker_loses_nothing(tmp_path, redis_server, web, baseline):
    out = tmp_path / "out"
    out.mkdir()
    total = len(HOSTS) * PAGES_PER_HOST
    with LocalWeb(web, notify_after=total // 3) as server:
        victim = worker(
            out, redis_server.url, "k1", server.proxy_url, "s2", LINKSPIDER_REDIS_LEASE="2"
        )
        survivor = worker(
            out, redis_server.url, "k2", server.proxy_url, "s2", LINKSPIDER_REDIS_LEASE="2"
        )
        assert server.reached.wait(timeout=240), "the crawl never got a third of the way"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        code = survivor.wait(timeout=300)
    log = (out / "k2.log").read_text()
    assert code == 0, log[-3000:]
    assert "put back in the queue" in log  # the victim's leases went to the survivor
    same_as_baseline(out, baseline)


def test_compaction_keeps_one_fetch_of_each_page(tmp_path):
    """What a killed worker can leave: a page written twice (the second fetch by another
    worker), and the edges of a page whose row was never written (killed mid-write)."""
    from datetime import UTC, datetime, timedelta

    from linkspider.pipelines.compact import compact_crawl
    from linkspider.pipelines.writer import DatasetWriter

    from linkspider.items import CrawledPage
    from tests.test_writer import fill

    root = tmp_path / "data"
    first = DatasetWriter(str(root), "c", worker="w1")
    fill(first, pages=30, per_page=5, seed=1)  # pages p0..p29 of src*.org
    first.close()
    late = datetime.now(UTC) + timedelta(seconds=5)
    second = DatasetWriter(str(root), "c", worker="w2", first_sequence=5)
    fill(second, pages=10, per_page=3, seed=2)  # p0..p9 again, other edges, fetched later
    second.close()
    before = {p.name for p in (root / "pages").glob("*.parquet")}
    orphan = DatasetWriter(str(root), "c", worker="w3", first_sequence=9)
    orphan.add(CrawledPage("http://orphan.org/", "orphan.org", "orphan.org", 200, late, 1,
                           edges=[_edge("http://d1.com/o")]))  # fmt: skip
    orphan.close()
    for path in (root / "pages").glob("*.parquet"):  # its page row never made it
        if path.name not in before:
            path.unlink()
    assert any("~w2" in p.name for p in (root / "pages").glob("*.parquet"))

    compact_crawl(str(root), "c", 20, shared=True)
    pages_rows = duckdb.sql(
        f"SELECT url, fetched_at FROM read_parquet('{root}/pages/*.parquet')"
    ).fetchall()
    assert len(pages_rows) == 30 == len({u for u, _ in pages_rows})
    links = f"read_parquet('{root}/links/*/*.parquet', hive_partitioning = true)"
    per_page = dict(duckdb.sql(f"SELECT source_url, count(*) FROM {links} GROUP BY ALL").fetchall())
    assert "http://orphan.org/" not in per_page
    assert all(per_page[f"http://src{p}.org/p{p}"] == 3 for p in range(10))  # the later fetch
    assert all(per_page[f"http://src{p % 40}.org/p{p}"] == 5 for p in range(10, 30))
    outlinks = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{root}/outlinks/*/*.parquet')"
    ).fetchall()[0][0]
    assert outlinks == sum(per_page.values())


def _edge(url: str):
    from linkspider.extract import Edge

    return Edge(url, "", "d1.com", "d1.com", "a", None, None, (), False, "main", "text", 0, True)
