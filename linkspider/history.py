"""``history/``: every edge ever recorded, with when it was first and last seen and
whether (and why) it was lost, kept up to date one crawl at a time.

An edge's identity across crawls is ``(source_url, target_url, occurrence)``:
the n-th edge from a page to a target, in page order (as ``linkspider changes``
matches them).  Applying a crawl C to the history reads the previous history and
C's own files, never the other crawls', so its cost follows the size of the
history and of C, not the number of crawls kept; and ``linkspider prune`` can
delete old crawls' files without losing the dates.  For each edge:

- seen in C: ``first_seen``/``last_seen`` widen to C's ``fetched_at``,
  ``times_seen`` grows, the attributes become C's, a loss is forgotten (an edge
  on a page that says noindex is not seen: search engines drop it);
- not seen in C, and C *finished* (a stopped crawl only adds what it saw): if
  C fetched the source page, the edge is lost with the page's reason
  (``page_gone``, ``page_redirected``, ``page_error``, ``noindex``,
  ``link_removed``: :data:`linkspider.sql.PAGE_LOSS_SQL`, as ``changes``); if C
  fetched other pages of the source's host but not that one, ``not_recrawled``
  at C's end; if C fetched nothing of that host, C says nothing about it.
  A loss is the first one after ``last_seen``.

Crawls are applied in the order they started (``crawls/``), each once (the
manifest lists them).  A version of the table is a manifest
(``history/_manifest-NNNNN.json``) naming one file per ``target_bucket``; an update
writes the next version's files under hidden names, renames them, writes the
manifest atomically and only then deletes the previous version's files: a
reader of the manifest sees one version whole, and a crash leaves the previous
one (the next update removes the debris).  Updates take ``history/.lock``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from linkspider import schema
from linkspider.pipelines import crawls as crawl_records
from linkspider.pipelines.layout import (
    HISTORY,
    Inventory,
    history_file_name,
    manifest_name,
    ordered_crawls,
    parse_manifest_name,
    read_history_manifest,
    temp_path,
)
from linkspider.pipelines.writer import fsync_directory, write_atomically
from linkspider.sql import (
    DOFOLLOW,
    NOINDEX_SQL,
    OCCURRENCE,
    ONE_ROW_PER_PAGE,
    PAGE_LOSS_SQL,
    sql_list,
    sql_string,
)

logger = logging.getLogger(__name__)

#: The columns an edge's row takes from the crawl that saw it last.
_ATTRIBUTES = (
    "source_host", "source_domain", "target_host", "target_domain", "anchor_text", "img_alt",
    "rel", "nofollow", "dofollow", "region", "link_type", "is_external",
)  # fmt: skip

#: One crawl's edges of one bucket, numbered among equal (source, target) pairs.
_CRAWL_EDGES = f"""SELECT source_url, target_url, {", ".join(a for a in _ATTRIBUTES if a != "dofollow")},
       {DOFOLLOW} AS dofollow, fetched_at,
       ({OCCURRENCE})::INTEGER AS occurrence
FROM read_parquet({{files}}, union_by_name = true)"""

#: Each column of ``history/`` after the merge (the others pass through by name).
_OUTPUT = {
    **{a: f"CASE WHEN newer THEN c_{a} ELSE h_{a} END AS {a}" for a in _ATTRIBUTES},
    "first_seen": "least(first_seen, seen_at) AS first_seen",
    "last_seen": "new_last_seen AS last_seen",
    "first_crawl": "CASE WHEN first_seen IS NULL OR seen_at < first_seen THEN $crawl ELSE first_crawl END AS first_crawl",
    "last_crawl": "CASE WHEN newer THEN $crawl ELSE last_crawl END AS last_crawl",
    "times_seen": "(coalesce(times_seen, 0) + seen::INTEGER)::INTEGER AS times_seen",
    "lost_at": "CASE WHEN take_now THEN now_at WHEN old_loss THEN lost_at END AS lost_at",
    "lost_crawl": "CASE WHEN take_now THEN $crawl WHEN old_loss THEN lost_crawl END AS lost_crawl",
    "lost_reason": "CASE WHEN take_now THEN now_reason WHEN old_loss THEN lost_reason END AS lost_reason",
}

_MERGE = f"""WITH c AS (  -- an edge on a page that says noindex does not count as seen
    SELECT e.* FROM ({{edges}}) e LEFT JOIN crawl_pages p ON p.url = e.source_url
    WHERE NOT coalesce(p.noindex, false)
), h AS ({{history}}),
j AS (
    SELECT coalesce(c.source_url, h.source_url) AS source_url,
           coalesce(c.target_url, h.target_url) AS target_url,
           coalesce(c.occurrence, h.occurrence) AS occurrence,
           c.source_url IS NOT NULL AS seen,
           c.source_url IS NOT NULL AND (h.last_seen IS NULL OR c.fetched_at >= h.last_seen) AS newer,
           c.fetched_at AS seen_at,
           {", ".join(f"c.{a} AS c_{a}, h.{a} AS h_{a}" for a in _ATTRIBUTES)},
           h.first_seen, h.last_seen, h.first_crawl, h.last_crawl, h.times_seen,
           h.lost_at, h.lost_crawl, h.lost_reason
    FROM c FULL OUTER JOIN h
      ON c.source_url = h.source_url AND c.target_url = h.target_url AND c.occurrence = h.occurrence
), k AS (  -- what this crawl says about the edges it did not see
    SELECT j.*, greatest(j.last_seen, j.seen_at) AS new_last_seen,
           CASE WHEN j.seen OR NOT $judge THEN NULL
                WHEN p.url IS NOT NULL THEN {PAGE_LOSS_SQL.format(p="p")}
                WHEN s.host IS NOT NULL THEN 'not_recrawled'
           END AS now_reason,
           CASE WHEN p.url IS NOT NULL THEN p.fetched_at ELSE $ended_at END AS now_at
    FROM j
    LEFT JOIN crawl_pages p ON p.url = j.source_url
    LEFT JOIN crawl_hosts s ON s.host = j.h_source_host
), l AS (
    SELECT k.*,
           k.lost_at > k.new_last_seen AS old_loss,
           k.now_reason IS NOT NULL AND k.now_at > k.new_last_seen AS now_loss
    FROM k
), m AS (
    SELECT l.*, now_loss AND (NOT coalesce(old_loss, false) OR now_at < lost_at) AS take_now FROM l
)
SELECT {", ".join(_OUTPUT.get(n, n) for n in schema.HISTORY.names)}
FROM m
ORDER BY target_domain, target_url"""


@dataclass
class Applied:
    crawl_id: str
    #: losses were inferred (the crawl finished)
    judged: bool
    rows: int
    seconds: float


@contextmanager
def locked(root: str):
    """Hold ``history/.lock`` (one update or prune of a dataset at a time)."""
    base = os.path.join(root, HISTORY)
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def crawls_with_records(root: str) -> list[tuple[str, dict | None]]:
    """Every crawl of the dataset with its ``crawls/`` row (None for a crawl from before
    that table), oldest first."""
    inventory = Inventory.scan(root)
    records = {}
    for f in inventory.files(schema.CRAWLS.name):
        record = crawl_records.read_record(root, f.crawl_id)
        if record is not None:
            records[f.crawl_id] = record
    return [(c, records.get(c)) for c in ordered_crawls(inventory.crawl_ids(), records)]


def pending(root: str) -> list[tuple[str, dict | None]]:
    """The crawls not yet in the history that can be applied (not running, not pruned)."""
    manifest = read_history_manifest(root)
    done = set(manifest["crawls"]) if manifest else set()
    return [(c, r) for c, r in crawls_with_records(root) if c not in done and applicable(r)]


def applicable(record: dict | None) -> bool:
    """Whether a crawl with this ``crawls/`` row (None: from before that table) can be
    applied to the history: not running, not pruned."""
    return record is None or (record.get("status") != "running" and record.get("pruned_at") is None)


def update_history(
    root: str, *, memory: str = "256MB", only: set[str] | None = None
) -> list[Applied]:
    """Apply every pending crawl (or those of ``only``, and the pending ones before them)
    to ``history/``, oldest first; returns what was applied."""
    applied = []
    with locked(root):
        todo = pending(root)
        if only is not None:
            last = max((i for i, (c, _) in enumerate(todo) if c in only), default=-1)
            todo = todo[: last + 1]
        _remove_debris(root)  # of an update that crashed
        for crawl_id, record in todo:
            applied.append(_apply(root, crawl_id, record, memory))
    return applied


def _apply(root: str, crawl_id: str, record: dict | None, memory: str) -> Applied:
    import duckdb

    started = time.perf_counter()
    manifest = read_history_manifest(root) or {"version": 0, "crawls": [], "files": []}
    version = manifest["version"] + 1
    inventory = Inventory.scan(root)
    judged = record is not None and record.get("status") == "finished"
    ended_at = (record or {}).get("finished_at") or datetime.now(UTC)
    spill = tempfile.mkdtemp(prefix=f".history-{crawl_id}-", dir=root)
    con = duckdb.connect()
    new_files: list[str] = []
    rows = 0
    try:
        con.execute(f"SET memory_limit = '{memory}'")  # memory: checked by config.size
        con.execute(f"SET temp_directory = {sql_string(spill)}")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = false")
        _load_pages(con, inventory, crawl_id)
        previous: dict[str, list[str]] = {}
        for f in inventory.files(HISTORY):  # the files the manifest names
            previous.setdefault(f.bucket, []).append(f.path)
        current: dict[str, list[str]] = {}
        for f in inventory.files(schema.LINKS.name, {crawl_id}):
            current.setdefault(f.bucket, []).append(f.path)
        params = {"crawl": crawl_id, "judge": judged, "ended_at": ended_at}
        partition = schema.HISTORY.partition.name
        for bucket in sorted(set(previous) | set(current)):
            edges = (
                _CRAWL_EDGES.format(files=sql_list(current[bucket]))
                if bucket in current
                else _empty_edges()
            )
            history = (
                f"SELECT * FROM read_parquet({sql_list(previous[bucket])}, hive_partitioning = false)"
                if bucket in previous
                else schema.HISTORY.empty_select()
            )
            reader = con.sql(
                _MERGE.format(edges=edges, history=history), params=params
            ).to_arrow_reader(65_536)
            relative = f"{partition}={bucket}/{history_file_name(version)}"
            rows += write_atomically(
                reader, os.path.join(root, HISTORY, relative), schema.HISTORY, crawl_id, 65_536
            )
            new_files.append(relative)
        _commit(root, version, [*manifest["crawls"], crawl_id], new_files, rows)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
        # committed: the previous version's files; failed: this one's (in no manifest)
        _remove_debris(root)
    seconds = time.perf_counter() - started
    logger.info(
        "history: applied crawl %s (%s) in %.1f s: %d edges known",
        crawl_id, "losses judged" if judged else "seen only", seconds, rows,
    )  # fmt: skip
    return Applied(crawl_id, judged, rows, seconds)


def _empty_edges() -> str:
    """The columns of :data:`_CRAWL_EDGES`, no rows (a bucket the crawl has no edges in)."""
    names = ("source_url", "target_url", *_ATTRIBUTES, "fetched_at")
    columns = ", ".join(f"NULL::{schema.LINKS[n].sql_type} AS {n}" for n in names)
    return f"SELECT {columns}, NULL::INTEGER AS occurrence WHERE false"


def _load_pages(con, inventory: Inventory, crawl_id: str) -> None:
    """``crawl_pages`` (one row per URL the crawl fetched, with ``noindex``) and
    ``crawl_hosts`` (the hosts it fetched pages of)."""
    files = inventory.files(schema.PAGES.name, {crawl_id})
    if files:
        source = f"read_parquet({sql_list(f.path for f in files)}, union_by_name = true)"
    else:
        source = f"({schema.PAGES.empty_select()})"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE crawl_pages AS
        SELECT url, host, status, error, fetched_at, {NOINDEX_SQL.format(p="pg")} AS noindex
        FROM {source} pg
        {ONE_ROW_PER_PAGE}"""
    )
    con.execute("CREATE OR REPLACE TEMP TABLE crawl_hosts AS SELECT DISTINCT host FROM crawl_pages")


def _commit(root: str, version: int, crawls: list[str], files: list[str], rows: int) -> None:
    """Write the manifest of ``version``: from now on it is the history."""
    base = os.path.join(root, HISTORY)
    body = json.dumps(
        {
            "version": version,
            "crawls": crawls,
            "files": files,
            "rows": rows,
            "schema_version": schema.SCHEMA_VERSION,
        },
        indent=1,
    )
    path = os.path.join(base, manifest_name(version))
    tmp = temp_path(path)
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_directory(base)


def _remove_debris(root: str) -> None:
    """Every file of ``history/`` the newest manifest does not name: older versions, and
    the files and temporary names of an update that failed or crashed."""
    manifest = read_history_manifest(root)
    keep = set(manifest["files"]) if manifest else set()
    current = manifest["version"] if manifest else None
    base = os.path.join(root, HISTORY)
    for directory, _, names in os.walk(base):
        for name in names:
            relative = os.path.relpath(os.path.join(directory, name), base)
            version = parse_manifest_name(name)
            stale_manifest = version is not None and version != current
            stale_file = name.startswith("history-") and relative not in keep
            if stale_manifest or stale_file or name.endswith(".tmp"):
                os.unlink(os.path.join(directory, name))


@dataclass
class Pruned:
    crawl_id: str
    status: str | None
    started_at: datetime | None
    files: int
    bytes: int
    #: why the crawl was kept although it is old (else None)
    kept_because: str | None = None


#: The tables whose files belong to one crawl (``prune`` deletes them).
_CRAWL_TABLES = (*(t.name for t in schema.PART_TABLES), "ranks", "page_ranks")


def prune(root: str, keep: int, *, dry_run: bool = False, memory: str = "256MB") -> list[Pruned]:
    """Delete the files of every crawl but the ``keep`` newest, after applying them to
    ``history/``; their ``crawls/`` rows stay, with ``pruned_at``.  A crawl whose row says
    ``running`` is kept (it may be running, or be resumed from its JOBDIR)."""
    if keep < 1:
        raise ValueError("keep at least one crawl")
    live = [(c, r) for c, r in crawls_with_records(root) if r is None or r.get("pruned_at") is None]
    doomed = live[:-keep] if len(live) > keep else []
    inventory = Inventory.scan(root)
    out = []
    paths: dict[str, list[str]] = {}
    for crawl_id, record in doomed:
        files = paths[crawl_id] = [
            f.path for t in _CRAWL_TABLES for f in inventory.files(t, {crawl_id})
        ]
        size = sum(os.path.getsize(p) for p in files if os.path.exists(p))
        status = record.get("status") if record else None
        kept = "its row says running" if status == "running" else None
        started_at = record.get("started_at") if record else None
        out.append(Pruned(crawl_id, status, started_at, len(files), size, kept))
    if dry_run or not doomed:
        return out
    update_history(root, memory=memory)
    with locked(root):
        manifest = read_history_manifest(root)
        applied = set(manifest["crawls"]) if manifest else set()
        for item in out:
            if item.kept_because is None and item.crawl_id not in applied:
                item.kept_because = "not in the history"
            if item.kept_because:
                continue
            for path in paths[item.crawl_id]:
                with suppress(FileNotFoundError):
                    os.unlink(path)
            record = crawl_records.read_record(root, item.crawl_id)
            if record is not None:
                crawl_records.write_record(root, {**record, "pruned_at": datetime.now(UTC)})
    return out
