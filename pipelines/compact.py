"""End-of-crawl compaction: one sorted file per bucket (a few for huge ones) and per crawl.

During a crawl, each flush adds a file per ``target_bucket``; a long crawl
leaves dozens of files per bucket, each spanning most domains, so a lookup
opens them all.  When the crawl closes, its own files in each bucket are
merged into one file sorted by ``(target_domain, target_url)`` with row
groups of ``row_group_size`` rows: a domain's rows then sit in one or two row
groups of one file.  Other crawls' files are never touched.

DuckDB does the merge (an external sort: memory stays under
``memory_limit``, spilling to a hidden directory under the dataset root).
A directory whose files hold more than ``max_rows`` rows is merged into
several files of at most about ``max_rows`` rows each, and a merge that runs
out of memory is retried as two merges of half the files each: a huge bucket
ends up in a few sorted files rather than in none.
Each merged file is written under a hidden name, fsynced and renamed; then the
replacement is committed (``on_replace``, which the crash-safe crawl state
records), and only then are the merged files deleted.  A reader querying at
that moment may see a bucket's rows twice until the deletes finish.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from linkspider.pipelines.layout import parse_part_name, part_name
from linkspider.pipelines.writer import write_atomically

from linkspider import schema
from linkspider.config import DEFAULTS, size
from linkspider.sql import sql_list, sql_string

logger = logging.getLogger(__name__)


class CompactionIncomplete(RuntimeError):
    """Some directories could not be merged (their files are left, complete and valid)."""

    def __init__(self, message: str, before: int, after: int) -> None:
        super().__init__(message)
        self.before = before
        self.after = after


def crawl_files(directory: Path, crawl_id: str) -> list[Path]:
    """The committed-looking files of ``crawl_id`` in one directory (exact id match)."""
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.iterdir()):
        part = parse_part_name(path.name)
        if part is not None and not part.temporary and part.crawl_id == crawl_id:
            out.append(path)
    return out


def memory_limit_value(text: str) -> str:
    """A DuckDB memory limit, checked (:func:`linkspider.config.size`): the one value
    from outside that reaches SQL.

    >>> memory_limit_value("1GB'; DROP TABLE x; --")
    Traceback (most recent call last):
    ...
    ValueError: memory limit "1GB'; DROP TABLE x; --": expected a size such as 512MB or 2GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)
    """
    try:
        return size(text)
    except ValueError as exc:
        raise ValueError(f"memory limit {str(text)!r}: {exc}") from None


def compact_crawl(
    root: str,
    crawl_id: str,
    sequence: int,
    *,
    row_group_size: int = DEFAULTS.row_group_size,
    memory_limit: str = DEFAULTS.compact_memory,
    threads: int = 1,
    max_rows: int = DEFAULTS.compact_max_rows,
    on_replace: Callable[[int, list[str], list[str]], None] | None = None,
    shared: bool = False,
) -> tuple[int, int]:
    """Merge ``crawl_id``'s files per directory; returns (files merged, files they became).

    ``shared``: the crawl was shared by workers (:mod:`linkspider.shared`), so a page may
    have been fetched twice (its worker stopped after writing it, before its lease ended:
    another worker fetched it again), and a worker killed in the middle of a write may have
    left the edges of pages whose rows it never wrote.  Every file is then rewritten with
    the rows of one fetch per page: the latest whose page row exists.

    ``sequence`` is the first free flush sequence number (used in new names);
    ``on_replace(sequence, new_files, old_files)`` gets paths relative to ``root``.
    """
    import duckdb  # only needed here: keeps the crawl's memory lower until the end

    memory_limit = memory_limit_value(memory_limit)  # the one value formatted into SQL: checked
    base = Path(root)
    groups: list[tuple[Path, list[Path], schema.Table]] = []
    for table in schema.PART_TABLES:
        if table.partition is None:
            groups.append((base / table.name, crawl_files(base / table.name, crawl_id), table))
            continue
        for bucket in sorted((base / table.name).glob(f"{table.partition.name}=*")):
            groups.append((bucket, crawl_files(bucket, crawl_id), table))
    # shared: every file is rewritten (one fetch per page), else only directories of several
    groups = [g for g in groups if len(g[1]) > (0 if shared else 1)]
    if not groups:
        return 0, 0
    spill = base / f".compact-{crawl_id}"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = {sql_string(spill)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET threads = {int(threads)}")
    before = after = 0
    failed = 0
    try:
        if shared:
            _kept_fetches(con, crawl_id, crawl_files(base / schema.PAGES.name, crawl_id))
        new_files: list[str] = []
        old_files: list[str] = []
        for directory, files, table in groups:
            merged, sources, unmerged = _merge_directory(
                con, directory, files, table, crawl_id, sequence, row_group_size, max_rows,
                dedupe=shared,
            )  # fmt: skip
            new_files += [os.path.relpath(f, base) for f in merged]
            old_files += [os.path.relpath(f, base) for f in sources]
            before += len(sources)
            after += len(merged)
            if unmerged:
                failed += 1
                logger.error(
                    "compacting %s of crawl %s: %d of its %d files could not be merged within "
                    "%s; they are complete and stay as they are. Retry with more memory: "
                    "python -m linkspider.pipelines.compact %s %s --memory 1GB",
                    directory.name,
                    crawl_id,
                    len(unmerged),
                    len(files),
                    memory_limit,
                    root,
                    crawl_id,
                )
        if new_files and on_replace is not None:
            on_replace(sequence, new_files, old_files)
        for relative in old_files:
            (base / relative).unlink(missing_ok=True)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    if failed:
        raise CompactionIncomplete(
            f"{failed} of {len(groups)} directories not compacted", before, after
        )
    logger.info("compacted crawl %s: %d files into %d", crawl_id, before, after)
    return before, after


def _kept_fetches(con, crawl_id: str, pages: list[Path]) -> None:
    """The table ``kept_fetches`` (url, rendered, fetched_at): the latest fetch of each page
    (of each kind: plain or rendered) that has a page row."""
    rows = f"read_parquet({sql_list(pages)})" if pages else f"({schema.PAGES.empty_select()})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE kept_fetches AS SELECT url, rendered, "
        f"max(fetched_at) AS fetched_at FROM {rows} GROUP BY url, rendered"
    )
    ((written, fetches),) = con.execute(
        f"SELECT (SELECT count(*) FROM {rows}), (SELECT count(*) FROM kept_fetches)"
    ).fetchall()
    if written > fetches:
        logger.warning(
            "crawl %s: %d page rows for %d fetches kept: pages fetched twice by the workers "
            "of the shared crawl; keeping the latest fetch of each",
            crawl_id, written, fetches,
        )  # fmt: skip


def _runs(files: list[Path], max_rows: int) -> list[list[Path]]:
    """Consecutive groups of files holding at most ``max_rows`` rows (or one file) each."""
    import pyarrow.parquet as pq

    runs: list[list[Path]] = [[]]
    rows = 0
    for path in files:
        n = pq.read_metadata(path).num_rows
        if runs[-1] and rows + n > max_rows:
            runs.append([])
            rows = 0
        runs[-1].append(path)
        rows += n
    return runs


def _merge_directory(
    con, directory: Path, files: list[Path], table: schema.Table, crawl_id: str, sequence: int,
    row_group_size: int, max_rows: int, dedupe: bool = False,
) -> tuple[list[Path], list[Path], list[Path]]:  # fmt: skip
    """Merge one directory's files: ``(new files, files they replace, files left unmerged)``;
    ``dedupe``: only the rows of ``kept_fetches``."""
    import duckdb

    merged: list[Path] = []
    sources: list[Path] = []
    unmerged: list[Path] = []
    todo = [run for run in _runs(files, max_rows) if len(run) > (0 if dedupe else 1)]
    key = "url" if table.name == schema.PAGES.name else "source_url"
    drop = (
        f" SEMI JOIN kept_fetches k ON k.url = t.{key} AND k.rendered = t.rendered "
        "AND k.fetched_at = t.fetched_at"
        if dedupe
        else ""
    )
    while todo:
        run = todo.pop(0)
        final = directory / part_name(crawl_id, sequence)
        listing = sql_list(run)
        columns = ", ".join(table.names)
        order = ", ".join(table.sort)
        try:
            # DuckDB sorts (spilling to disk past its memory limit); the rows stream out
            # as Arrow batches into a file with the table's schema and metadata
            reader = con.sql(
                f"SELECT {columns} FROM read_parquet({listing}, hive_partitioning = false) t"
                f"{drop} ORDER BY {order}"
            ).to_arrow_reader(row_group_size)
            write_atomically(reader, str(final), table, crawl_id, row_group_size)
        except (duckdb.Error, OSError) as exc:  # the run's files stay: complete and valid
            if isinstance(exc, duckdb.OutOfMemoryException) and len(run) >= 4:
                half = len(run) // 2
                logger.info(
                    "merging %d files of %s needs more memory: trying %d and %d",
                    len(run), directory.name, half, len(run) - half,
                )  # fmt: skip
                todo[:0] = [run[:half], run[half:]]
            else:
                logger.warning(
                    "could not merge %d files of %s: %s",
                    len(run), directory.name, str(exc).splitlines()[0],
                )  # fmt: skip
                unmerged += run
            continue
        merged.append(final)
        sources += run
    return merged, sources, unmerged


def main(argv: list[str] | None = None) -> int:
    """``python -m linkspider.pipelines.compact ROOT CRAWL_ID``: compact a crawl's files now.

    For crawls compacted with too little memory, or with LINKSPIDER_COMPACT_ON_CLOSE off.
    Do not run it on a crawl that is still running or will be resumed from a JOBDIR.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m linkspider.pipelines.compact", description=main.__doc__
    )
    parser.add_argument("root", help="the dataset root (LINKSPIDER_OUTPUT)")
    parser.add_argument("crawl_id")

    def memory(text: str) -> str:
        try:
            return memory_limit_value(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parser.add_argument(
        "--memory", default="1GB", type=memory, help="DuckDB memory limit (default 1GB)"
    )
    parser.add_argument("--row-group-size", type=int, default=DEFAULTS.row_group_size)
    parser.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULTS.compact_max_rows,
        help=f"rows per merged file (default {DEFAULTS.compact_max_rows:,})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sequences = [
        m.sequence
        for p in Path(args.root).rglob("part-*.parquet")
        if (m := parse_part_name(p.name)) is not None and m.crawl_id == args.crawl_id
    ]
    if not sequences:
        print(f"no files of crawl {args.crawl_id!r} under {args.root}")
        return 1
    try:
        before, after = compact_crawl(
            args.root,
            args.crawl_id,
            max(sequences) + 1,
            row_group_size=args.row_group_size,
            memory_limit=args.memory,
            max_rows=args.max_rows,
        )
    except CompactionIncomplete as exc:
        print(f"incomplete: {exc}")
        return 1
    print(f"crawl {args.crawl_id}: {before} files merged into {after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
