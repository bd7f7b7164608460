"""The ``crawls/`` table: one row per crawl, in a file of its own, replaced whole.

The row is written when a crawl starts (status ``running``), when it resumes
from its JOBDIR (``runs`` one more), and when it ends (status, finish reason,
and the rows the crawl has in the dataset, counted from the Parquet footers of
its files).  Each write replaces ``crawls/crawl-<crawl_id>.parquet``
atomically, so a reader sees the old row or the new one.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from linkspider.pipelines.layout import Inventory, crawl_file_path
from linkspider.pipelines.writer import write_atomically

from linkspider import schema
from linkspider.storage import Remote, is_remote

logger = logging.getLogger(__name__)

#: Scrapy settings recorded with the crawl besides every ``LINKSPIDER_*`` one.
RECORDED_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "USER_AGENT",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DEPTH_PRIORITY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES",
    "JOBDIR",
)


def linkspider_version() -> str:
    try:
        return version("linkspider")
    except PackageNotFoundError:  # a checkout that is not installed
        return "unknown"


def status_of(reason: str | None, failed: bool) -> str:
    """The ``status`` of a crawl whose run ended with Scrapy's finish ``reason``.

    >>> status_of("finished", False), status_of("shutdown", False), status_of("finished", True)
    ('finished', 'stopped', 'failed')
    """
    if failed or reason == "write_failed":
        return "failed"
    return "finished" if reason == "finished" else "stopped"


def path_of(root: str, crawl_id: str) -> str:
    return os.path.join(root, crawl_file_path(schema.CRAWLS.name, crawl_id))


def read_record(root: str, crawl_id: str) -> dict[str, Any] | None:
    """The crawl's row, or None when it has none."""
    try:
        # read whole, once: the workers of a shared crawl replace this file while others
        # read it, and a reader that opened it twice could mix two versions
        if is_remote(root):
            data = Remote(root).read_bytes(crawl_file_path(schema.CRAWLS.name, crawl_id))
        else:
            with open(path_of(root, crawl_id), "rb") as handle:
                data = handle.read()
    except FileNotFoundError:
        return None
    rows = pq.read_table(pa.BufferReader(data)).to_pylist()
    return rows[0] if rows else None


def write_record(root: str, row: dict[str, Any]) -> None:
    """Replace the crawl's row (atomically)."""
    table = pa.Table.from_pylist([row], schema=schema.CRAWLS.arrow)
    write_atomically(table, path_of(root, row["crawl_id"]), schema.CRAWLS, row["crawl_id"], 1024)


def count_rows(root: str, crawl_id: str) -> tuple[int, int]:
    """``(pages, edges)``: the crawl's rows in ``pages/`` and ``links/``, from the footers."""
    inventory = Inventory.scan(root)
    counts = []
    for table in (schema.PAGES.name, schema.LINKS.name):
        total = 0
        for f in inventory.files(table, {crawl_id}):
            try:
                total += pq.read_metadata(f.path).num_rows
            except (OSError, pa.ArrowException):  # removed meanwhile (compaction): skip
                continue
        counts.append(total)
    return counts[0], counts[1]


def started(
    root: str,
    crawl_id: str,
    *,
    seeds: list[str],
    scope: str,
    spider_arguments: dict[str, str],
    settings: dict[str, Any],
    outlinks: bool,
) -> dict[str, Any]:
    """Write the row of a crawl that starts, or resumes (then its first run's facts are kept)."""
    now = datetime.now(UTC)
    previous = read_record(root, crawl_id)
    pages, edges = count_rows(root, crawl_id) if previous is not None else (0, 0)
    row = {
        "crawl_id": crawl_id,
        "status": "running",
        "started_at": previous["started_at"] if previous else now,
        "finished_at": None,
        "finish_reason": None,
        "runs": (previous["runs"] + 1) if previous else 1,
        "seeds": previous["seeds"] if previous else list(seeds),
        "scope": previous["scope"] if previous else scope,
        "spider_arguments": previous["spider_arguments"]
        if previous
        else json.dumps(spider_arguments, sort_keys=True),
        "settings": json.dumps(settings, sort_keys=True, default=str),
        "pages": pages,
        "edges": edges,
        # a crawl's outlinks/ copy is whole only if every run wrote it
        "outlinks": outlinks and (previous["outlinks"] if previous else True),
        "linkspider_version": linkspider_version(),
        "schema_version": schema.SCHEMA_VERSION,
        "pruned_at": None,
    }
    write_record(root, row)
    return row


def ended(root: str, row: dict[str, Any], reason: str | None, failed: bool) -> dict[str, Any]:
    """Write the row of a crawl whose run has ended."""
    pages, edges = count_rows(root, row["crawl_id"])
    row = {
        **row,
        "status": status_of(reason, failed),
        "finished_at": datetime.now(UTC),
        "finish_reason": reason,
        "pages": pages,
        "edges": edges,
    }
    write_record(root, row)
    return row
