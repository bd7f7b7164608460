"""Reverse lookup speed: linkspider's layout against the same rows in one unsorted file.

    uv run python bench/lookup.py [--edges 10000000] [--dir DIR] [--json OUT]

Generates a ``links/`` dataset of N edges (skewed: a few domains get most
links) written by linkspider's own writer at its default flush size, and the
same rows shuffled into one Parquet file.  Then times, warm, in DuckDB:

* "backlinks to one domain": every edge whose target_domain is D;
* "referring domains of one domain": source domains linking to D, with counts.

Each query runs for several domains (popular and rare), median of 5 runs, with
every row fetched two ways: into Python tuples (``fetchall()``) and as an Arrow
table (``to_arrow_table()``, what pandas and Polars frames build on).  For a domain with
hundreds of thousands of backlinks, making Python tuples is most of the time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkspider.pipelines import crawls
from linkspider.pipelines.compact import compact_crawl
from linkspider.pipelines.layout import bucket_sql
from linkspider.pipelines.writer import DatasetWriter

from linkspider import schema

DOMAINS = 200_000
CHUNK = 100_000  # the writer's default LINKSPIDER_FLUSH_ROWS


def skewed_index(n: int, size: int, power: float, seed: int) -> pa.Array:
    """Indices in [0, size) where small indices are much more likely (a power law)."""
    r = pc.random(n, initializer=seed)
    return pc.cast(pc.floor(pc.multiply(pc.power(r, power), size)), pa.int64())


def names(prefix: str, index: pa.Array, suffix: str) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(index, pa.string()), suffix, "")


def generate_chunk(n: int, seed: int, crawl_id: str) -> pa.Table:
    target_idx = skewed_index(n, DOMAINS, 3.0, seed)
    source_idx = skewed_index(n, DOMAINS, 1.5, seed + 1)
    page_idx = skewed_index(n, 5_000, 2.0, seed + 2)
    nofollow = pc.less(pc.random(n, initializer=seed + 3), 0.2)
    sponsored = pc.less(pc.random(n, initializer=seed + 4), 0.05)
    target_domain = names("site", target_idx, ".com")
    source_domain = names("blog", source_idx, ".net")
    columns = {
        "crawl_id": pa.array([crawl_id] * n),
        "source_url": pc.binary_join_element_wise(
            "https://www.", source_domain, "/post/", pc.cast(page_idx, pa.string()), ""
        ),
        "source_host": pc.binary_join_element_wise("www.", source_domain, ""),
        "source_domain": source_domain,
        "target_url": pc.binary_join_element_wise(
            "https://", target_domain, "/page/", pc.cast(page_idx, pa.string()), ""
        ),
        "target_fragment": pa.array([""] * n),
        "target_host": target_domain,
        "target_domain": target_domain,
        "anchor_text": names("anchor ", page_idx, ""),
        "img_alt": pa.nulls(n, pa.string()),
        "title": pa.nulls(n, pa.string()),
        "rel": pa.array([[]] * n, pa.list_(pa.string())),
        "nofollow": nofollow,
        "sponsored": sponsored,
        "ugc": pa.array([False] * n),
        "dofollow": pc.invert(pc.or_(nofollow, sponsored)),
        "region": pa.array(["main"] * n),
        "link_type": pa.array(["text"] * n),
        "position": pc.cast(page_idx, pa.int32()),
        "is_external": pa.array([True] * n),
        "fetched_at": pa.array([0] * n, pa.int64()).cast(schema.TIMESTAMP),
        "source_depth": pa.array([1] * n, pa.int16()),
        "region_score": pa.array([0.8] * n, pa.float32()),
        "link_density": pa.array([0.1] * n, pa.float32()),
        "rendered": pa.array([False] * n),
    }
    return pa.table(columns, schema=schema.LINKS.arrow)


def build(root: Path, edges: int, compact: bool, generate=None) -> Path:
    """The dataset in linkspider's layout (``links/``, ``outlinks/``, a ``crawls/`` row) and
    the unsorted single file; returns the file.  ``generate(n, seed, crawl_id)`` makes the
    edges (default: :func:`generate_chunk`)."""
    generate = generate or generate_chunk
    writer = DatasetWriter(str(root), "bench")
    record = crawls.started(
        str(root), "bench", seeds=[], scope="web", spider_arguments={}, settings={}, outlinks=True
    )
    unsorted_path = root / "unsorted.parquet"
    with pq.ParquetWriter(unsorted_path, schema.LINKS.arrow, compression="zstd") as unsorted:
        for i, start in enumerate(range(0, edges, CHUNK)):
            table = generate(min(CHUNK, edges - start), seed=17 + i * 10, crawl_id="bench")
            name = f"part-bench-{i + 1:05d}-00000000.parquet"
            for layout in writer.tables:  # links/ by target, outlinks/ by source
                writer._write_partitioned(table, layout, name, [])
            unsorted.write_table(table)  # generation order is random: unsorted by domain
    writer.close()
    if compact:  # what a finished crawl leaves (LINKSPIDER_COMPACT_ON_CLOSE)
        compact_crawl(str(root), "bench", edges // CHUNK + 2)
    crawls.ended(str(root), record, "finished", False)
    return unsorted_path


def fetch(con, sql: str, params: list, how: str) -> int:
    """Run ``sql`` and fetch every row: as Python tuples, or as an Arrow table."""
    if how == "python":
        return len(con.execute(sql, params).fetchall())
    return con.sql(sql, params=params).to_arrow_table().num_rows


def timed(con, sql: str, params: list, how: str = "python", runs: int = 5) -> tuple[float, int]:
    fetch(con, sql, params, how)  # warm
    times = []
    rows = 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = fetch(con, sql, params, how)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument(
        "--dir", type=Path, help="keep the generated data here (default: a temp dir, removed)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-compact", action="store_true", help="keep the per-flush files of a crawl in progress"
    )
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="linkspider-lookup-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        unsorted = build(root, args.edges, compact=not args.no_compact)
        files = len(list((root / "links").rglob("*.parquet")))
        print(
            f"generated {args.edges:,} edges in {time.perf_counter() - started:.0f} s: "
            f"{files} files in links/, and {unsorted.name} ({unsorted.stat().st_size / 1e6:.0f} MB)"
        )
        con = duckdb.connect()
        ours = f"read_parquet('{root}/links/*/*.parquet', hive_partitioning=true)"
        base = f"read_parquet('{unsorted}')"
        queries = {
            "backlinks": (
                f"SELECT source_url, target_url, anchor_text FROM {ours} WHERE target_bucket = {bucket_sql('?')} AND target_domain = ?",
                f"SELECT source_url, target_url, anchor_text FROM {base} WHERE target_domain = ?",
            ),
            "referring domains": (
                f"SELECT source_domain, count(*) FROM {ours} WHERE target_bucket = {bucket_sql('?')} AND target_domain = ? GROUP BY 1",
                f"SELECT source_domain, count(*) FROM {base} WHERE target_domain = ? GROUP BY 1",
            ),
        }
        results = {}
        print(
            f"{'query':20s} {'domain':14s} {'rows':>7s} {'fetch':>7s} {'linkspider ms':>14s} {'unsorted ms':>12s} {'speed-up':>9s}"
        )
        for name, (ours_sql, base_sql) in queries.items():
            for domain in ("site0.com", "site7.com", "site1234.com", "site150000.com"):
                for how in ("python", "arrow"):
                    ours_ms, rows = timed(con, ours_sql, [domain, domain], how)
                    base_ms, base_rows = timed(con, base_sql, [domain], how)
                    assert rows == base_rows, (name, domain, rows, base_rows)
                    results[f"{name} {domain} {how}"] = {
                        "rows": rows,
                        "fetch": how,
                        "linkspider_ms": ours_ms,
                        "unsorted_ms": base_ms,
                    }
                    print(
                        f"{name:20s} {domain:14s} {rows:7d} {how:>7s} {ours_ms:14.1f} {base_ms:12.1f} {base_ms / ours_ms:8.1f}x"
                    )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(
                json.dumps(
                    {
                        "edges": args.edges,
                        "files": files,
                        "results": results,
                        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    },
                    indent=1,
                )
            )
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
