"""The cost of keeping ``history/`` up to date, against re-reading every crawl kept.

    uv run python bench/history.py [--edges 1000000] [--crawls 10] [--dir DIR] [--json OUT]

Generates ``--crawls`` crawls of the same web in linkspider's layout, each of about
``--edges`` edges (20 per page, 5,000 target domains), with churn between them: 2% of
the edges removed, 2% added, 1% of the pages answering 404.  After writing each crawl it
applies it to the history (``linkspider.history.update_history``, what a crawl does
when it finishes) and, as the baseline in the same run, answers the same question by
scanning every crawl kept: first and last seen per edge with DuckDB over all their
``links/`` files (what a user without ``history/`` runs, and what an update would cost
if it re-read the crawls).  Prints both times per crawl; the figure to quote is how each
grows from the first crawl to the last.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from linkspider.pipelines import crawls as crawl_records  # noqa: E402
from linkspider.pipelines.layout import bucket, part_name  # noqa: E402
from linkspider.pipelines.writer import write_atomically  # noqa: E402

from linkspider import schema  # noqa: E402
from linkspider.history import update_history  # noqa: E402
from linkspider.sql import OCCURRENCE, sql_list  # noqa: E402

EDGES_PER_PAGE = 20
DOMAINS = 5_000


def generate(n_edges: int, crawls: int, seed: int = 7):
    """Per crawl: (page ids, target ids) of its edges and the pages answering 404."""
    rng = np.random.default_rng(seed)
    pages = n_edges // EDGES_PER_PAGE
    source = np.repeat(np.arange(pages), EDGES_PER_PAGE)
    target = rng.integers(0, n_edges // 2, size=len(source))
    out = []
    for _ in range(crawls):
        keep = rng.random(len(source)) >= 0.02
        added = int(0.02 * len(source))
        new_source = rng.integers(0, pages, size=added)
        new_target = rng.integers(n_edges // 2, n_edges, size=added)
        source = np.concatenate([source[keep], new_source])
        target = np.concatenate([target[keep], new_target])
        gone = rng.random(pages) < 0.01
        alive = ~gone[source]
        out.append((source[alive], target[alive], np.flatnonzero(gone)))
    return pages, out


def write_crawl(root: Path, crawl_id: str, when: datetime, pages: int, edges) -> int:
    source, target, gone = edges
    order = np.lexsort((target, source))
    source, target = source[order], target[order]
    position = np.arange(len(source)) - np.searchsorted(source, source)
    src_url = np.char.add("http://s", (source % 2000).astype(str))
    src_url = np.char.add(np.char.add(src_url, ".example/p"), source.astype(str))
    src_host = np.char.add(np.char.add("s", (source % 2000).astype(str)), ".example")
    tgt_dom = np.char.add(np.char.add("d", (target % DOMAINS).astype(str)), ".example")
    tgt_url = np.char.add(np.char.add(np.char.add("http://", tgt_dom), "/t"), target.astype(str))
    n = len(source)
    fetched = pa.array([when] * n, schema.TIMESTAMP)
    table = pa.table(
        {
            "crawl_id": [crawl_id] * n, "source_url": src_url, "source_host": src_host,
            "source_domain": src_host, "target_url": tgt_url, "target_fragment": [""] * n,
            "target_host": tgt_dom, "target_domain": tgt_dom,
            "anchor_text": np.char.add("anchor ", (target % 97).astype(str)),
            "img_alt": pa.nulls(n, pa.string()), "title": pa.nulls(n, pa.string()),
            "rel": pa.array([[]] * n, pa.list_(pa.string())), "nofollow": np.zeros(n, bool),
            "sponsored": np.zeros(n, bool), "ugc": np.zeros(n, bool), "dofollow": np.ones(n, bool),
            "region": ["main"] * n, "link_type": ["text"] * n,
            "position": position.astype(np.int32), "is_external": np.ones(n, bool),
            "fetched_at": fetched, "source_depth": np.ones(n, np.int16),
            "region_score": np.ones(n, np.float32), "link_density": pa.nulls(n, pa.float32()),
            "rendered": np.zeros(n, bool), "unchanged": np.zeros(n, bool),
        },
        schema=schema.LINKS.arrow,
    )  # fmt: skip
    buckets = pa.array([bucket(d) for d in tgt_dom.tolist()])
    for b in sorted(set(buckets.to_pylist())):
        rows = table.filter(pa.compute.equal(buckets, b)).sort_by(
            [("target_domain", "ascending"), ("target_url", "ascending")]
        )
        path = root / "links" / f"target_bucket={b}" / part_name(crawl_id, 1)
        write_atomically(rows, str(path), schema.LINKS, crawl_id, 131_072)
    ids = np.arange(pages)
    status = np.where(np.isin(ids, gone), 404, 200).astype(np.int16)
    urls = np.char.add(
        np.char.add(np.char.add("http://s", (ids % 2000).astype(str)), ".example/p"),
        ids.astype(str),
    )
    hosts = np.char.add(np.char.add("s", (ids % 2000).astype(str)), ".example")
    m = pages
    page_rows = pa.table(
        {
            "crawl_id": [crawl_id] * m, "url": urls, "host": hosts, "domain": hosts,
            "status": status, "content_type": ["text/html"] * m, "encoding": ["utf-8"] * m,
            "fetched_at": pa.array([when] * m, schema.TIMESTAMP), "depth": np.ones(m, np.int16),
            "title": ["t"] * m, "canonical_url": pa.nulls(m, pa.string()),
            "lang": pa.nulls(m, pa.string()), "meta_robots": pa.nulls(m, pa.string()),
            "x_robots_tag": pa.nulls(m, pa.string()), "outlink_count": np.zeros(m, np.int32),
            "edges_dropped": np.zeros(m, np.int32), "bytes": np.zeros(m, np.int64),
            "error": pa.array([("HTTP 404" if s == 404 else None) for s in status], pa.string()),
            "rendered": np.zeros(m, bool), "render_error": pa.nulls(m, pa.string()),
            "topic_terms": pa.array([[]] * m, pa.list_(pa.string())),
            "topic_weights": pa.array([[]] * m, pa.list_(pa.float32())),
            "etag": pa.nulls(m, pa.string()), "last_modified": pa.nulls(m, pa.string()),
            "unchanged": np.zeros(m, bool),
        },
        schema=schema.PAGES.arrow,
    ).sort_by("url")  # fmt: skip
    write_atomically(page_rows, str(root / "pages" / part_name(crawl_id, 1)), schema.PAGES,
                     crawl_id, 131_072)  # fmt: skip
    crawl_records.write_record(
        str(root),
        {
            "crawl_id": crawl_id, "status": "finished", "started_at": when,
            "finished_at": when + timedelta(hours=1), "finish_reason": "finished", "runs": 1,
            "seeds": [], "scope": "web", "spider_arguments": "{}", "settings": "{}",
            "pages": m, "edges": n, "outlinks": False, "linkspider_version": "bench",
            "schema_version": schema.SCHEMA_VERSION, "pruned_at": None,
        },
    )  # fmt: skip
    return n


def scan_all(root: Path) -> float:
    """The baseline: first and last seen per edge over every crawl's files."""
    files = sorted(str(p) for p in (root / "links").rglob("part-*.parquet"))
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")
    con.execute(f"SET temp_directory = '{root / '.scan'}'")
    con.sql(
        f"""SELECT source_url, target_url, occurrence, min(fetched_at), max(fetched_at), count(*)
        FROM (SELECT source_url, target_url, fetched_at, {OCCURRENCE} AS occurrence
              FROM read_parquet({sql_list(files)}, hive_partitioning = false))
        GROUP BY ALL"""
    ).to_arrow_table()
    con.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--crawls", type=int, default=10)
    parser.add_argument("--dir", help="where to build the dataset (default: a temporary one)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="lk-history-"))
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    pages, per_crawl = generate(args.edges, args.crawls)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    print(f"{'crawl':>5} {'edges':>10} {'history rows':>13} {'update s':>9} {'scan-all s':>11}")
    for k, edges in enumerate(per_crawl, 1):
        crawl_id = f"c{k:03d}"
        n = write_crawl(root, crawl_id, start + timedelta(days=7 * k), pages, edges)
        applied = update_history(str(root), memory="512MB")
        assert [a.crawl_id for a in applied] == [crawl_id]
        scan = scan_all(root)
        rows.append({"crawl": k, "edges": n, "history_rows": applied[0].rows,
                     "update_seconds": applied[0].seconds, "scan_all_seconds": scan})  # fmt: skip
        print(f"{k:>5} {n:>10,} {applied[0].rows:>13,} {applied[0].seconds:>9.2f} {scan:>11.2f}")
    first, last = rows[0], rows[-1]
    growth_update = last["update_seconds"] / first["update_seconds"]
    growth_scan = last["scan_all_seconds"] / first["scan_all_seconds"]
    print(
        f"\nfrom crawl 1 to crawl {len(rows)}: the history update took {growth_update:.2f}x as "
        f"long (history rows {first['history_rows']:,} -> {last['history_rows']:,}), the scan "
        f"of every crawl kept {growth_scan:.2f}x; at crawl {len(rows)} the update took "
        f"{last['update_seconds'] / last['scan_all_seconds']:.2f}x the scan's time"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "update_growth": growth_update,
                                               "scan_growth": growth_scan}, indent=1))  # fmt: skip
    if not args.dir:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
