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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, crawl_command, proxy_env, run_crawl
from tests.test_resume import HOSTS, generated_web
from tests.webserver import LocalWeb

PAGES_PER_HOST = 150
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
            resource.latency = 0.04  # a real server's pace: long enough for two workers to share
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


@contextmanager
def answers_held(sites: dict) -> Iterator[threading.Event]:
    """Every answer of the web waits until the event is set (see :func:`release_when_joined`)."""
    gate = threading.Event()
    resources = [resource for pages in sites.values() for resource in pages.values()]
    for resource in resources:
        resource.stall = gate
    try:
        yield gate
    finally:
        gate.set()
        for resource in resources:
            resource.stall = None


def release_when_joined(gate: threading.Event, redis_url: str, crawl_id: str, procs) -> None:
    """Open the web once every worker has joined the shared crawl (each is in its ``workers``
    set): a worker slower to start, on a loaded machine, would otherwise find the crawl done
    by the other, and a test of two workers sharing it would test one."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 120
    while client.zcard(f"linkspider:{crawl_id}:workers") < len(procs):
        assert time.monotonic() < deadline, "the workers did not all join within 120 s"
        assert all(p.poll() is None for p in procs), "a worker exited before the crawl began"
        gate.wait(0.05)  # polls Redis for the condition; the gate itself is still closed
    gate.set()


def same_as_baseline(out: Path, baseline) -> None:
    expected_edges, expected_pages = baseline
    urls = pages(out)
    assert len(urls) == len(set(urls)) == expected_pages  # each page once
    got = edges(out)
    assert got == expected_edges, (len(got), len(expected_edges))


def test_two_workers_record_what_one_process_records(tmp_path, redis_server, web, baseline):
    out = tmp_path / "out"
    out.mkdir()
    with LocalWeb(web) as server, answers_held(web) as gate:
        workers = [
            worker(out, redis_server.url, name, server.proxy_url, "s1") for name in ("w1", "w2")
        ]
        release_when_joined(gate, redis_server.url, "s1", workers)
        codes = [w.wait(timeout=300) for w in workers]
        fetched = [r for r in server.requests if not r[1].startswith("/robots.txt")]
    logs = {n: (out / f"{n}.log").read_text() for n in ("w1", "w2")}
    assert codes == [0, 0], {n: log[-3000:] for n, log in logs.items()}
    assert len(fetched) == len(set(fetched)), "a page was fetched twice"
    robots = [r for r in server.requests if r[1] == "/robots.txt"]
    assert sorted(robots) == sorted({(h, "/robots.txt") for h in HOSTS})  # once per host
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
    """The first worker crawls alone for a third of the web (writing files), then a second
    joins the running crawl and the first is killed: the second finishes everything."""
    out = tmp_path / "out"
    out.mkdir()
    total = len(HOSTS) * PAGES_PER_HOST
    lease = {"LINKSPIDER_REDIS_LEASE": "2"}
    with LocalWeb(web, notify_after=total // 3) as server:
        victim = worker(out, redis_server.url, "k1", server.proxy_url, "s2", **lease)
        assert server.reached.wait(timeout=240), "the crawl never got a third of the way"
        assert list((out / "pages").glob("*~k1.parquet")), "the first worker wrote nothing yet"
        survivor = worker(out, redis_server.url, "k2", server.proxy_url, "s2", **lease)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        code = survivor.wait(timeout=300)
    log = (out / "k2.log").read_text()
    assert code == 0, log[-3000:]
    assert "worker k2 joined it" in log  # a late worker joins a crawl that has files
    assert "put back in the queue" in log  # the victim's leases went to the survivor
    same_as_baseline(out, baseline)


@pytest.mark.parametrize(
    "args, settings, message",
    [
        ((), {}, "needs -a crawl_id=ID"),
        (("-a", "crawl_id=e1"), {"JOBDIR": "JOB"}, "JOBDIR and LINKSPIDER_REDIS_URL"),
        (("-a", "crawl_id=e1"), {"LINKSPIDER_REDIS_URL": "redis://127.0.0.1:1/0"},
         "LINKSPIDER_REDIS_URL='redis://127.0.0.1:1/0'"),
        (("-a", "crawl_id=e1"), {"LINKSPIDER_WORKER_ID": "a b"}, "LINKSPIDER_WORKER_ID='a b'"),
    ],
)  # fmt: skip
def test_shared_crawl_errors_are_one_line(tmp_path, redis_server, args, settings, message):
    settings = {"LINKSPIDER_REDIS_URL": redis_server.url, **settings}
    if settings.get("JOBDIR") == "JOB":
        settings["JOBDIR"] = str(tmp_path / "job")
    with LocalWeb({}) as server:
        run = run_crawl(
            server.proxy_url, tmp_path / "out", "-a", "seeds=a.test", *args, settings=settings
        )
    assert run.returncode == 2, run.log[-2000:]
    last = run.log.strip().splitlines()[-1]
    assert last.startswith("linkspider: ") and message in last, run.log[-2000:]
    assert "Traceback" not in run.log and server.requests == []


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


def test_one_pace_per_host_across_workers(tmp_path, redis_server):
    """CONCURRENT_REQUESTS_PER_DOMAIN=1 holds for the crawl, not per worker: the server never
    answers two requests to one host at once, though two workers crawl every host."""
    sites = generated_web(25)
    for pages in sites.values():
        for resource in pages.values():
            # each host's 25 answers, one at a time, take 5 s or more: the second worker, which
            # looks at the queue 0.1, 0.3, 0.7, 1.5 and 3.1 s after joining, finds some
            resource.latency = 0.2
    out = tmp_path / "out"
    out.mkdir()
    with LocalWeb(sites) as server, answers_held(sites) as gate:
        workers = [
            worker(out, redis_server.url, name, server.proxy_url, "s3",
                   CONCURRENT_REQUESTS_PER_DOMAIN="1")
            for name in ("p1", "p2")
        ]  # fmt: skip
        release_when_joined(gate, redis_server.url, "s3", workers)
        codes = [w.wait(timeout=300) for w in workers]
    assert codes == [0, 0], (out / "p1.log").read_text()[-3000:]
    stats = [json.loads((out / f"stats-{n}.json").read_text()) for n in ("p1", "p2")]
    assert all(s["linkspider/pages"] > 0 for s in stats)
    assert sum(s.get("linkspider/shared/polite_waits", 0) for s in stats) > 0
    assert server.max_in_flight == {h: 1 for h in HOSTS}


def test_the_shared_frontier_admits_what_the_local_one_does(redis_server):
    """Same candidates, same answers: seen, traps, query variants, the domain cap, scope
    (a moved seed's domain added by another worker counts at once)."""
    import random

    from linkspider.frontier import Frontier
    from linkspider.shared import SharedCrawl, SharedFrontier
    from linkspider.traps import TrapRules

    rules = TrapRules(max_query_variants=3)
    local = Frontier("site", {"a.test", "b.test"}, 40, rules)
    shared = SharedCrawl(redis_server.url, "frontier-check", "f1", 120)
    remote = SharedFrontier(shared, "site", {"a.test", "b.test"}, 40, rules)
    shared.join(remote.allowed_domains)
    other = SharedFrontier(SharedCrawl(redis_server.url, "frontier-check", "f2", 120),
                           "site", {"a.test", "b.test"}, 40, rules)  # fmt: skip
    rnd = random.Random(3)
    for step in range(60):
        batch = []
        for _ in range(rnd.randrange(1, 30)):
            domain = rnd.choice(["a.test", "b.test", "c.test"])
            path = rnd.choice(["/p", "/q", "/x/x/x/x/x/x", "/s;jsessionid=1"])
            query = rnd.choice(["", f"?v={rnd.randrange(6)}"])
            batch.append((f"http://{domain}{path}{rnd.randrange(20)}{query}", domain, 1, 0))
        if step == 30:  # a seed that moved, seen by the other worker
            local.add_domain("c.test")
            other.add_domain("c.test")
        expected = [
            local.admit(u, d) if local.in_scope(d) else (None, "out_of_scope")
            for u, d, _, _ in batch
        ]
        assert remote.admit_many(batch) == expected, step
    assert shared.queued() == len(local.known)


def test_losing_redis_stops_the_worker_as_failed(tmp_path, web):
    """Redis dies mid-crawl: the worker stops with exit status 1 and says why (it does not
    take the silence for the end of the crawl and finish it)."""
    out = tmp_path / "out"
    out.mkdir()
    with RedisServer() as redis_server, LocalWeb(web, notify_after=60) as server:
        survivor = worker(out, redis_server.url, "r1", server.proxy_url, "s4")
        assert server.reached.wait(timeout=240)
        redis_server.proc.kill()
        redis_server.proc.wait(timeout=30)
        code = survivor.wait(timeout=240)
    log = (out / "r1.log").read_text()
    assert code == 1, log[-3000:]
    last = log.strip().splitlines()[-1]
    assert last.startswith("linkspider: crawl failed: lost the shared crawl's Redis"), last
    assert "finishing it" not in log
    record = duckdb.sql(f"SELECT status FROM read_parquet('{out}/crawls/*.parquet')").fetchall()
    assert record == [("running",)]  # not finished, not compacted
