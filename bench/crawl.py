"""End-to-end crawl: `scrapy crawl discover` against plain Scrapy + LinkExtractor.

    uv run python bench/crawl.py [--pages 10000] [--hosts 20] [--rounds 2] [--json OUT]

Generates a web of realistic pages (30-100 KB, 50-300 links: mostly within the
host, some to other hosts, a few external) over N hosts, serves it with nginx
(virtual hosts by ``$host``) on loopback, and points both crawlers at it through
``http_proxy``.  The two crawls alternate, ``--rounds`` times each; the ratio of
median wall times is the figure to quote.  Peak RSS of each crawl process is
reported too (``--pages 100000 --rounds 1`` for the memory figure at 100k).
Needs nginx (``apt-get install nginx-light``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "bench.test"
WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "enim",
    "ad",
    "minim",
    "veniam",
    "quis",
    "nostrud",
    "exercitation",
    "ullamco",
]


def generate(root: Path, pages: int, hosts: int, seed: int = 1) -> list[str]:
    rnd = random.Random(seed)
    names = [f"h{i}.{DOMAIN}" for i in range(hosts)]
    per_host = pages // hosts
    paragraph = [" ".join(rnd.choice(WORDS) for _ in range(80)) + "." for _ in range(64)]
    for host in names:
        directory = root / host
        directory.mkdir(parents=True)
        for i in range(per_host):
            n_links = rnd.randint(50, 300)
            links = []
            for j in range(n_links):
                r = rnd.random()
                if r < 0.80:
                    target = f"/p{rnd.randrange(per_host)}"
                elif r < 0.95:
                    target = f"http://{rnd.choice(names)}/p{rnd.randrange(per_host)}"
                else:
                    target = f"https://ext{rnd.randrange(5000)}.example.org/a/{j}"
                links.append(
                    f'<li><a href="{target}">{rnd.choice(WORDS)} {rnd.choice(WORDS)} {j}</a></li>'
                )
            nav = "".join(links[:20])
            body_links = links[20:]
            size = rnd.randint(30_000, 100_000)
            parts = [
                f"<!doctype html><html lang='en'><head><title>{host} page {i}</title></head><body>",
                f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Page {i}</h1>",
            ]
            k = 0
            while sum(map(len, parts)) < size - 2000:
                parts.append(f"<p>{rnd.choice(paragraph)} {''.join(body_links[k : k + 3])}</p>")
                k += 3
            parts.append(f"<ul>{''.join(body_links[k:])}</ul></article></main>")
            parts.append(
                f'<footer><a href="/p{(i + 1) % per_host}">next</a></footer></body></html>'
            )
            (directory / (f"p{i}.html")).write_text("".join(parts))
        (directory / "index.html").write_text((directory / "p0.html").read_text())
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(root: Path, www: Path) -> tuple[subprocess.Popen, str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise SystemExit("nginx not found: apt-get install nginx-light")
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    client_body_temp_path {root}/tmp-body;
    proxy_temp_path {root}/tmp-proxy;
    fastcgi_temp_path {root}/tmp-fastcgi;
    uwsgi_temp_path {root}/tmp-uwsgi;
    scgi_temp_path {root}/tmp-scgi;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {www}/$host;
        location = / {{ try_files /index.html =404; }}
        location / {{ try_files $uri $uri.html =404; }}
    }}
}}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(root), "-g", "daemon off;"])
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nginx did not start")


COMMON = {
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "1",
    "COOKIES_ENABLED": "0",
    "DEPTH_PRIORITY": "1",
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": "0",
}


def proxy_env(proxy: str) -> dict[str, str]:
    """This process's environment with every request sent to ``proxy`` (nothing bypasses it)."""
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    env.update(
        http_proxy=proxy, https_proxy=proxy, HTTP_PROXY=proxy, HTTPS_PROXY=proxy,
        no_proxy="", NO_PROXY="",
    )  # fmt: skip
    return env


def run(cmd: list[str], cwd: Path, proxy: str) -> tuple[float, int, int]:
    """(wall seconds, peak RSS bytes, exit status) of one crawl process (the RSS of the
    largest of it and the processes it started and waited for, such as its extraction
    workers; CPU seconds of them all are in ``run.cpu``)."""
    env = proxy_env(proxy)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    run.cpu = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or os.environ.get("BENCH_DEBUG"):
        print(proc.stderr.read().decode()[-3000:], file=sys.stderr)
    return elapsed, usage.ru_maxrss * 1024, proc.returncode


def settings_args(settings: dict) -> list[str]:
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("both", "linkspider", "plain"), default="both")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SETTING=VALUE",
        help="a linkspider setting for its crawls (repeatable)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="linkspider-crawl-bench-"))
    root.chmod(0o755)  # nginx's workers drop privileges: they must be able to read the pages
    try:
        started = time.perf_counter()
        hosts = generate(root / "www", args.pages, args.hosts)
        size = sum(f.stat().st_size for f in (root / "www").rglob("*.html"))
        print(
            f"generated {args.pages:,} pages on {len(hosts)} hosts ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
        )
        nginx, proxy = start_nginx(root, root / "www")
        seeds = ",".join(hosts)
        try:
            results: dict[str, list] = {"linkspider": [], "plain": []}
            for round_ in range(args.rounds):
                if args.only in ("both", "linkspider"):
                    out = root / f"out-{round_}"
                    cmd = [
                        sys.executable,
                        "-m",
                        "scrapy",
                        "crawl",
                        "discover",
                        "-a",
                        f"seeds={seeds}",
                        "-a",
                        "max_depth=1000",
                        "-a",
                        "max_pages_per_domain=10000000",
                        *settings_args(
                            {
                                **COMMON,
                                "LINKSPIDER_OUTPUT": str(out),
                                "LINKSPIDER_STATS_FILE": f"{out}.json",
                                **dict(item.split("=", 1) for item in args.set),
                            }
                        ),
                    ]
                    wall, rss, code = run(cmd, REPO, proxy)
                    stats = json.loads(Path(f"{out}.json").read_text())
                    compaction = (
                        f"compacted {stats.get('linkspider/compacted_files', 0)} files into "
                        f"{stats.get('linkspider/files_after_compaction', 0)}"
                    )
                    if "linkspider/compaction_failed" in stats:
                        compaction += f", FAILED: {stats['linkspider/compaction_failed']}"
                    pages = duckdb.sql(
                        f"SELECT count(*) FROM read_parquet('{out}/pages/*.parquet')"
                    ).fetchall()[0][0]
                    edges = duckdb.sql(
                        f"SELECT count(*) FROM read_parquet('{out}/links/*/*.parquet')"
                    ).fetchall()[0][0]
                    results["linkspider"].append(
                        {
                            "wall_s": wall,
                            "cpu_s": run.cpu,
                            "peak_rss_mb": rss / 2**20,
                            "exit": code,
                            "pages": pages,
                            "edges": edges,
                            "compaction": compaction,
                        }
                    )
                    print(
                        f"linkspider round {round_ + 1}: {wall:7.1f} s ({run.cpu:.1f} s CPU), {pages:,} pages, {edges:,} edges written, "
                        f"peak RSS {rss / 2**20:.0f} MB, {compaction}"
                    )
                    shutil.rmtree(out, ignore_errors=True)
                if args.only in ("both", "plain"):
                    cwd = root / "plain-cwd"
                    cwd.mkdir(exist_ok=True)  # outside the project: plain Scrapy settings
                    cmd = [
                        sys.executable,
                        "-m",
                        "scrapy",
                        "runspider",
                        str(REPO / "bench" / "plain_spider.py"),
                        "-a",
                        f"seeds={seeds}",
                        "-a",
                        f"domain={DOMAIN}",
                        *settings_args(COMMON),
                    ]
                    wall, rss, code = run(cmd, cwd, proxy)
                    results["plain"].append(
                        {"wall_s": wall, "peak_rss_mb": rss / 2**20, "exit": code}
                    )
                    print(
                        f"plain    round {round_ + 1}: {wall:7.1f} s, peak RSS {rss / 2**20:.0f} MB"
                    )
        finally:
            nginx.terminate()
            nginx.wait()
        summary = {
            name: statistics.median(r["wall_s"] for r in runs)
            for name, runs in results.items()
            if runs
        }
        if len(summary) == 2:
            print(
                f"median wall: linkspider {summary['linkspider']:.1f} s, plain {summary['plain']:.1f} s: "
                f"ratio {summary['linkspider'] / summary['plain']:.2f}x (<= 1.0 means linkspider is as fast)"
            )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(
                json.dumps(
                    {
                        "pages": args.pages,
                        "hosts": args.hosts,
                        "results": results,
                        "median_wall_s": summary,
                        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    },
                    indent=1,
                )
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
