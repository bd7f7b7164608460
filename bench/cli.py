"""The ``linkspider`` command's speed: warm lookups inside ``linkspider sql``, a cold
whole-process ``linkspider backlinks``, source-side against target-side lookups, and the
disk cost of the ``outlinks/`` copy.

    uv run python bench/cli.py [--dir DIR] [--edges 10000000] [--json OUT]

``--dir`` reuses a dataset built by ``bench/lookup.py --dir DIR`` (the same data:
10M skewed edges, 200,000 domains); without it one is built in a temporary directory.

* warm: the views and macros of ``linkspider sql`` (``backlinks('D')``,
  ``refdomains('D')``, ``anchors('D')``, ``outlinks_of('D')``) in one DuckDB
  connection, every row fetched, median of 7 runs after one warm-up; beside each, the
  same rows from the unsorted single file (baseline), and ``outlinks_of`` against a
  scan of ``links/`` by source (what a source-side lookup cost before ``outlinks/``);
* cold: ``uv run linkspider backlinks D --format json`` as a new process, wall time
  to exit, median of 7, against ``uv run python -c "import duckdb"`` (the floor any
  DuckDB-based command pays) in the same run;
* disk: bytes of ``links/`` and ``outlinks/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from linkspider.cli import queries  # noqa: E402
from linkspider.cli.dataset import Dataset  # noqa: E402

#: target domains (popular to rare) and source domains of the same ranks (lookup.py's names)
DOMAINS = ("site0.com", "site7.com", "site1234.com", "site150000.com")
SOURCES = ("blog0.net", "blog7.net", "blog1234.net", "blog150000.net")
RUNS = 7


def median_ms(run, runs: int = RUNS) -> tuple[float, int]:
    rows = run()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, rows


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*.parquet"))


def warm(root: Path) -> dict:
    dataset = Dataset(str(root))
    crawls = dataset.select("latest")
    dataset.define_views(crawls)
    con = dataset.con
    con.execute(queries.MACROS)
    unsorted = root / "unsorted.parquet"
    base = f"read_parquet('{unsorted}')" if unsorted.exists() else None
    scan = f"read_parquet('{root}/links/*/*.parquet', hive_partitioning = true)"
    cases = {
        "backlinks": ("SELECT * FROM backlinks($d)", "target_domain = $d AND source_domain != $d"),
        "refdomains": ("SELECT * FROM refdomains($d)", None),
        "anchors": ("SELECT * FROM anchors($d)", None),
        "outlinks_of": (
            "SELECT * FROM outlinks_of($d)",
            "source_domain = $d AND target_domain != $d",
        ),
    }
    results: dict = {}
    print(
        f"{'warm, in linkspider sql':24s} {'domain':15s} {'rows':>7s} {'ms':>7s} {'baseline ms':>12s} {'ratio':>7s}"
    )
    for target, source in zip(DOMAINS, SOURCES, strict=True):
        for name, (sql, where) in cases.items():
            domain = source if name == "outlinks_of" else target
            params = {"d": domain}
            ms, rows = median_ms(
                lambda sql=sql, params=params: len(con.execute(sql, params).fetchall())
            )
            entry = {"rows": rows, "ms": round(ms, 2)}
            baseline = ""
            if where and base:
                # the same rows: the unsorted file for backlinks, a links/ scan by source for outlinks
                reference = base if name == "backlinks" else scan
                base_ms, base_rows = median_ms(
                    lambda w=where, s=reference, params=params: len(
                        con.execute(f"SELECT * FROM {s} WHERE {w}", params).fetchall()
                    ),
                    runs=3,
                )
                assert base_rows == rows, (name, domain, rows, base_rows)
                entry["baseline"] = (
                    "unsorted file" if name == "backlinks" else "links/ scan by source"
                )
                entry["baseline_ms"] = round(base_ms, 2)
                baseline = f"{base_ms:12.1f} {base_ms / ms:6.1f}x"
            results[f"{name} {domain}"] = entry
            print(f"{name:24s} {domain:15s} {rows:7d} {ms:7.1f} {baseline}")
    for target, source in zip(DOMAINS, SOURCES, strict=True):
        out, back = results[f"outlinks_of {source}"], results[f"backlinks {target}"]
        ratio = out["ms"] / back["ms"]
        results[f"outlinks_of {source} / backlinks {target}"] = round(ratio, 2)
        print(
            f"outlinks_of {source} ({out['rows']} rows) / backlinks {target} "
            f"({back['rows']} rows): {ratio:.2f}"
        )
    return results


def cold(root: Path, domain: str) -> dict:
    uv = shutil.which("uv") or "uv"
    command = [uv, "run", "--frozen", "linkspider", "backlinks", domain, "--format", "json",
               "--data", str(root)]  # fmt: skip
    floor = [uv, "run", "--frozen", "python", "-c", "import duckdb"]

    def process(argv):
        def run():
            done = subprocess.run(argv, cwd=REPO, capture_output=True, check=True)
            return len(done.stdout)

        return run

    cli_ms, out_bytes = median_ms(process(command))
    floor_ms, _ = median_ms(process(floor))
    rows = len(json.loads(subprocess.run(command, cwd=REPO, capture_output=True).stdout))
    print(
        f"cold `uv run linkspider backlinks {domain} --format json`: {cli_ms:.0f} ms ({rows} rows, "
        f"{out_bytes:,} bytes); `uv run python -c 'import duckdb'`: {floor_ms:.0f} ms; "
        f"ratio {cli_ms / floor_ms:.2f}"
    )
    return {
        "domain": domain,
        "rows": rows,
        "ms": round(cli_ms),
        "import_duckdb_ms": round(floor_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, help="a dataset built by bench/lookup.py --dir")
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = args.dir
    temporary = root is None
    if temporary:
        import lookup

        root = Path(tempfile.mkdtemp(prefix="linkspider-cli-"))
        lookup.build(root, args.edges, compact=True)
    try:
        links, outlinks = size(root / "links"), size(root / "outlinks")
        print(
            f"disk: links/ {links / 1e6:.0f} MB, outlinks/ {outlinks / 1e6:.0f} MB "
            f"(+{outlinks / links:.0%} for source-side lookups)"
        )
        results = {
            "disk": {"links_bytes": links, "outlinks_bytes": outlinks},
            "warm": warm(root),
            "cold": cold(root, "site1234.com"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        }
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1))
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
