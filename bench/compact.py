"""Compaction of one huge bucket within a small memory limit.

    uv run python bench/compact.py [--rows 12000000] [--memory 128MB] [--json OUT]

A site crawl puts most edges under one registered domain, so one
``target_bucket`` can hold almost all rows of a crawl.  This generates such a
bucket (N edges to one domain, in flush files of 100,000 rows as a crawl
writes them) and compacts it in a child process, as ``python -m
linkspider.pipelines.compact`` does, twice on identical copies:

* ``--max-rows`` larger than the bucket: one merge of everything (what the
  compaction did before it split big buckets);
* the default ``LINKSPIDER_COMPACT_MAX_ROWS`` (4,000,000): several merges.

For each: outcome, files after, wall time, peak RSS of the child process, and
the time of a lookup of 100 URLs' backlinks in that bucket.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkspider.pipelines.writer import DatasetWriter

from bench.lookup import CHUNK, generate_chunk

REPO = Path(__file__).resolve().parent.parent


def build(root: Path, rows: int) -> None:
    writer = DatasetWriter(str(root), "bench")
    for i, start in enumerate(range(0, rows, CHUNK)):
        table = generate_chunk(min(CHUNK, rows - start), seed=7 + i * 10, crawl_id="bench")
        n = table.num_rows
        # every edge points into one site: one registered domain, many URLs
        urls = pc.binary_join_element_wise(
            "https://www.example.com/p/", pc.cast(pc.random(n, initializer=i), pa.string()), ""
        )
        table = table.set_column(table.schema.get_field_index("target_url"), "target_url", urls)
        for name in ("target_domain", "target_host"):
            index = table.schema.get_field_index(name)
            table = table.set_column(index, name, pa.array(["example.com"] * n))
        writer._write_links(table, f"part-bench-{i + 1:05d}-00000000.parquet", [])
    writer.close()


def compact(root: Path, memory: str, max_rows: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "linkspider.pipelines.compact", str(root), "bench", "--memory", memory,
         "--max-rows", str(max_rows)],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    files = sorted((root / "links").rglob("*.parquet"))
    con = duckdb.connect()
    listing = [str(f) for f in files]
    probe = [r[0] for r in con.execute(
        "SELECT target_url FROM read_parquet(?) USING SAMPLE 100 ROWS", [listing]
    ).fetchall()]  # fmt: skip
    query = "SELECT count(*) FROM read_parquet(?) WHERE target_domain = 'example.com' AND target_url = ?"
    con.execute(query, [listing, probe[0]]).fetchall()
    t0 = time.perf_counter()
    for url in probe:
        con.execute(query, [listing, url]).fetchall()
    lookup_ms = (time.perf_counter() - t0) / len(probe) * 1000
    return {
        "max_rows": max_rows,
        "exit": proc.returncode,
        "outcome": (proc.stdout + proc.stderr).strip().splitlines()[-1][:200],
        "files_after": len(files),
        "seconds": round(seconds, 1),
        # ru_maxrss of children is the largest child so far: only meaningful when it grew
        "peak_rss_mb": round(peak / 1024) if peak > before else None,
        "lookup_ms_per_url": round(lookup_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=12_000_000)
    parser.add_argument("--memory", default="128MB")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="linkspider-compact-"))
    try:
        build(work / "template", args.rows)
        n_files = len(list((work / "template" / "links").rglob("*.parquet")))
        print(f"{args.rows:,} edges to one domain in {n_files} flush files; memory {args.memory}")
        results = []
        # the split run first: ru_maxrss of children only ever grows
        for max_rows in (4_000_000, args.rows * 2):
            root = work / f"run-{max_rows}"
            shutil.copytree(work / "template", root)
            result = compact(root, args.memory, max_rows)
            results.append(result)
            shutil.rmtree(root)
            print(
                f"max_rows {max_rows:>11,}: exit {result['exit']}, {result['files_after']} files, "
                f"{result['seconds']} s, peak RSS {result['peak_rss_mb']} MB, lookup "
                f"{result['lookup_ms_per_url']} ms/URL  ({result['outcome']})"
            )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"rows": args.rows, "results": results}, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
