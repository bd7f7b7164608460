"""A shared crawl (``LINKSPIDER_REDIS_URL``) with 1, 2 and 4 worker processes.

    uv run python bench/shared.py [--pages 3000] [--hosts 20] [--workers 1,2,4] [--rounds 1]
                                  [--queued 1000000] [--json OUT]

Generates the web of ``bench/crawl.py``, serves it with nginx on loopback, starts a
``redis-server`` on loopback, and crawls the web: once as one ordinary process (the
baseline, in the same run), then as a shared crawl of N workers started together, for
each N.  Per crawl: wall time from the first start to the last exit, pages written,
pages/s, the ratio to the baseline's pages/s, and the CPU time Redis spent per page
(its ``used_cpu_sys`` + ``used_cpu_user``: what bounds the workers one Redis can serve).  Then Redis's memory per million
queued URLs, measured: ``--queued`` generated URLs admitted into an empty shared crawl
(the ``known`` set, the queue and the per-domain counters), ``used_memory`` before and
after.  Needs nginx and redis-server.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import crawl as crawl_bench  # noqa: E402


def start_redis(root: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    port = crawl_bench.free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(root)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    for line in proc.stdout:
        if "Ready to accept connections" in line:
            return proc, f"redis://127.0.0.1:{port}/0"
    raise SystemExit("redis-server did not start")


#: --set: settings of every crawl
EXTRA: dict[str, str] = {}


def command(out: Path, seeds: str, crawl_id: str, settings: dict) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "discover",
        "-a", f"seeds={seeds}", "-a", "max_depth=1000", "-a", "max_pages_per_domain=10000000",
        "-a", "render=never", "-a", f"crawl_id={crawl_id}",
        *crawl_bench.settings_args({
            **crawl_bench.COMMON,
            "LINKSPIDER_OUTPUT": str(out),
            "LINKSPIDER_RANK_ON_CLOSE": "False",
            "LINKSPIDER_HISTORY_ON_CLOSE": "False",
            **EXTRA,
            **settings,
        }),
    ]  # fmt: skip


def crawl(out: Path, seeds: str, proxy: str, crawl_id: str, workers: int, redis_url: str) -> dict:
    """Wall seconds from the first start to the last exit, and the pages written."""
    env = crawl_bench.proxy_env(proxy)
    redis = _redis(redis_url)
    cpu_before = _redis_cpu(redis)
    started = time.perf_counter()
    procs = []
    for i in range(max(workers, 1)):
        settings = {"LINKSPIDER_STATS_FILE": str(out.parent / f"{crawl_id}-{i}.json")}
        if workers:
            settings |= {"LINKSPIDER_REDIS_URL": redis_url, "LINKSPIDER_WORKER_ID": f"w{i}"}
        procs.append(
            subprocess.Popen(
                command(out, seeds, crawl_id, settings),
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    codes = []
    for proc in procs:
        _, err = proc.communicate()
        codes.append(proc.returncode)
        if proc.returncode:
            print(err.decode()[-6000:], file=sys.stderr)
    wall = time.perf_counter() - started
    if any(codes):
        raise SystemExit(f"crawl {crawl_id} failed: {codes}")
    pages = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/pages/*.parquet')").fetchall()[0][
        0
    ]
    shares = [
        json.loads((out.parent / f"{crawl_id}-{i}.json").read_text()).get("linkspider/pages", 0)
        for i in range(max(workers, 1))
    ]
    redis_cpu = _redis_cpu(redis) - cpu_before
    return {
        "wall_s": wall,
        "pages": pages,
        "pages_per_s": pages / wall,
        "per_worker": shares,
        "redis_cpu_s": redis_cpu if workers else 0.0,
    }


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def _redis_cpu(client) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def queue_memory(redis_url: str, urls: int) -> dict:
    """Redis's memory for ``urls`` admitted and queued URLs (600 hosts, 2 path segments)."""
    from linkspider.shared import SharedCrawl, SharedFrontier

    shared = SharedCrawl(redis_url, "memory-probe", "probe", 120)
    shared.redis.flushdb()
    frontier = SharedFrontier(shared, "web", set(), 10**9)
    before = shared.redis.info("memory")["used_memory"]
    batch = []
    for i in range(urls):
        host = f"host{i % 600}.example{i % 7}.com"
        batch.append((f"https://{host}/section{i % 97}/page-{i}.html", f"example{i % 7}.com", 3, 0))
        if len(batch) == 2000:
            frontier.admit_many(batch)
            batch = []
    frontier.admit_many(batch)
    after = shared.redis.info("memory")["used_memory"]
    queued = shared.queued()
    shared.redis.flushdb()
    return {
        "queued": queued,
        "bytes": after - before,
        "bytes_per_million": (after - before) * 1e6 / queued,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--queued", type=int, default=1_000_000)
    parser.add_argument(
        "--set", action="append", default=[], metavar="SETTING=VALUE",
        help="a setting for every crawl (repeatable), e.g. LINKSPIDER_EXTRACT_WORKERS=0",
    )  # fmt: skip
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    EXTRA.update(item.split("=", 1) for item in args.set)
    counts = [int(n) for n in args.workers.split(",")]
    root = Path(tempfile.mkdtemp(prefix="linkspider-shared-bench-"))
    root.chmod(0o755)
    nginx = redis = None
    try:
        hosts = crawl_bench.generate(root / "www", args.pages, args.hosts)
        nginx, proxy = crawl_bench.start_nginx(root, root / "www")
        redis, redis_url = start_redis(root)
        seeds = ",".join(hosts)
        runs: dict[str, list[dict]] = {}
        for round_ in range(args.rounds):
            for workers in [0, *counts]:  # 0: one ordinary process, the baseline
                name = "one process" if workers == 0 else f"{workers} workers"
                crawl_id = f"r{round_}-n{workers}"
                out = root / crawl_id / "data"
                out.parent.mkdir()
                result = crawl(out, seeds, proxy, crawl_id, workers, redis_url)
                runs.setdefault(name, []).append(result)
                print(
                    f"{name:12} round {round_ + 1}: {result['wall_s']:6.1f} s, "
                    f"{result['pages']:,} pages, {result['pages_per_s']:.1f} pages/s "
                    f"(per worker: {result['per_worker']}), Redis CPU {result['redis_cpu_s']:.2f} s"
                )
                shutil.rmtree(out.parent, ignore_errors=True)
        base = statistics.median(r["pages_per_s"] for r in runs["one process"])
        summary = {
            name: {
                "pages_per_s": statistics.median(r["pages_per_s"] for r in rs),
                "ratio": statistics.median(r["pages_per_s"] for r in rs) / base,
                "pages": rs[0]["pages"],
                "redis_cpu_ms_per_page": statistics.median(
                    1000 * r["redis_cpu_s"] / r["pages"] for r in rs
                ),
            }
            for name, rs in runs.items()
        }
        print(
            "\n| crawl | pages/s (median) | x one process | Redis CPU ms per page |"
            "\n|---|---|---|---|"
        )
        for name, row in summary.items():
            print(
                f"| {name} | {row['pages_per_s']:.1f} | {row['ratio']:.2f} | "
                f"{row['redis_cpu_ms_per_page']:.3f} |"
            )
        memory = queue_memory(redis_url, args.queued)
        print(
            f"\nRedis: {memory['queued']:,} URLs queued take {memory['bytes'] / 2**20:.0f} MiB "
            f"({memory['bytes_per_million'] / 2**20:.0f} MiB per million)"
        )
        if args.json:
            args.json.write_text(
                json.dumps({"crawls": summary, "runs": runs, "redis": memory}, indent=1)
            )
    finally:
        for proc in (nginx, redis):
            if proc is not None:
                proc.terminate()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
