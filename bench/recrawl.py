"""What a conditional recrawl saves on a web that did not change.

    uv run python bench/recrawl.py [--pages 3000] [--hosts 10] [--rounds 2] [--json OUT]

Generates the web of ``bench/crawl.py`` and serves it with nginx (which sends ``ETag``
and ``Last-Modified`` for static files and answers a matching conditional request with
304).  Crawls it once (the crawl to recrawl), then alternates, ``--rounds`` times each:

* a full crawl again (the baseline: what refreshing the data costs without validators);
* ``-a recrawl=<first crawl>``: every page fetched conditionally, 304s carried forward.

Per crawl: wall and CPU seconds of the crawl process (and its extraction workers),
requests, response bytes (Scrapy's ``downloader/`` stats), pages parsed, and the edges
written, which must be the same.  The ratios of the medians are the figures to quote.
Needs nginx.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import crawl as crawl_bench  # noqa: E402


def one_crawl(out: Path, seeds: str, proxy: str, crawl_id: str, *extra: str) -> dict:
    stats_file = out.parent / f"{crawl_id}.json"
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "discover",
        "-a", f"seeds={seeds}", "-a", "max_depth=1000", "-a", "max_pages_per_domain=10000000",
        "-a", "render=never", "-a", f"crawl_id={crawl_id}", *extra,
        *crawl_bench.settings_args({
            **crawl_bench.COMMON,
            "LINKSPIDER_OUTPUT": str(out),
            "LINKSPIDER_STATS_FILE": str(stats_file),
            "LINKSPIDER_RANK_ON_CLOSE": "False",
        }),
    ]  # fmt: skip
    wall, rss, code = crawl_bench.run(cmd, REPO, proxy)
    if code != 0:
        raise SystemExit(f"crawl {crawl_id} failed ({code})")
    stats = json.loads(stats_file.read_text())
    edges = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{out}/links/*/*.parquet') WHERE crawl_id = '{crawl_id}'"
    ).fetchall()[0][0]
    return {
        "wall_s": wall,
        "cpu_s": crawl_bench.run.cpu,
        "peak_rss_mb": rss / 2**20,
        "requests": stats.get("downloader/request_count", 0),
        "response_bytes": stats.get("downloader/response_bytes", 0),
        "pages_parsed": stats.get("linkspider/pages_extracted", 0),
        "unchanged": stats.get("linkspider/recrawl/unchanged", 0),
        "edges": edges,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="linkspider-recrawl-bench-"))
    root.chmod(0o755)
    try:
        hosts = crawl_bench.generate(root / "www", args.pages, args.hosts)
        nginx, proxy = crawl_bench.start_nginx(root, root / "www")
        seeds = ",".join(hosts)
        out = root / "data"
        try:
            first = one_crawl(out, seeds, proxy, "first")
            print(f"first crawl: {first}")
            results: dict[str, list] = {"full": [], "recrawl": []}
            for n in range(args.rounds):
                for kind in ("full", "recrawl"):
                    extra = ("-a", "recrawl=first") if kind == "recrawl" else ()
                    r = one_crawl(out, seeds, proxy, f"{kind}{n}", *extra)
                    results[kind].append(r)
                    print(
                        f"{kind:8} round {n + 1}: {r['wall_s']:6.1f} s wall, {r['cpu_s']:6.1f} s "
                        f"CPU, {r['requests']:,} requests, {r['response_bytes'] / 1e6:,.1f} MB, "
                        f"{r['pages_parsed']:,} parsed, {r['unchanged']:,} unchanged, "
                        f"{r['edges']:,} edges"
                    )
                    if r["edges"] != first["edges"]:
                        raise SystemExit(f"{kind} wrote {r['edges']} edges, not {first['edges']}")
        finally:
            nginx.terminate()
            nginx.wait()
        summary = {}
        for key in ("wall_s", "cpu_s", "requests", "response_bytes", "pages_parsed"):
            full = statistics.median(r[key] for r in results["full"])
            again = statistics.median(r[key] for r in results["recrawl"])
            summary[key] = {"full": full, "recrawl": again, "ratio": again / full if full else None}
            print(
                f"{key:15} full {full:>14,.1f}  recrawl {again:>14,.1f}  ratio {again / full:.3f}"
            )
        if args.json:
            args.json.write_text(
                json.dumps({"first": first, **results, "summary": summary}, indent=1)
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
