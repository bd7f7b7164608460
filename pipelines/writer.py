"""Buffered, atomic writer of the ``links`` and ``pages`` Parquet tables.

Flush policy: edges are buffered as Arrow record batches and written when the
buffer reaches ``flush_rows`` rows or ``flush_bytes`` bytes (pages:
``flush_page_rows``), and on :meth:`DatasetWriter.close`.  Each flush writes one
``links/`` file per ``target_bucket`` present, rows sorted by ``(target_domain,
target_url)``, the same rows to one ``outlinks/`` file per ``source_bucket``,
sorted by ``(source_domain, source_url)`` (unless ``source_index`` is off), and
one ``pages/`` file; zstd-compressed, in row groups of ``row_group_size`` rows.
Files are written by one background thread under a hidden temporary name,
fsynced, then renamed into place, so readers never see a partial file; with a
publisher (an output in object storage, :mod:`linkspider.storage`) they are then
uploaded, before the flush is committed.
Existing files are never touched: a new crawl only adds files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from linkspider.pipelines.layout import PARTITIONS, bucket, part_name, temp_path

from linkspider import schema
from linkspider.config import DEFAULTS
from linkspider.extract import Edge
from linkspider.items import CrawledPage

logger = logging.getLogger(__name__)

_CHUNK_ROWS = 32_768  # Python lists become an Arrow batch at this size

#: The ``links`` columns an :class:`~linkspider.extract.Edge` fills, in the Edge's field order;
#: the others come from the page.
EDGE_COLUMNS = Edge._fields
_PAGE_EDGE_COLUMNS = (
    "source_url",
    "source_host",
    "source_domain",
    "fetched_at",
    "source_depth",
    "rendered",
    "unchanged",
)
_PAGE_COLUMNS = tuple(name for name in schema.PAGES.names if name != "crawl_id")
assert set(EDGE_COLUMNS) | {"crawl_id", *_PAGE_EDGE_COLUMNS} == set(schema.LINKS.names), (
    "linkspider.extract.Edge and linkspider.schema.LINKS disagree"
)


def write_atomically(
    rows: pa.Table | Iterable[pa.RecordBatch],
    path: str,
    table: schema.Table,
    crawl_id: str,
    row_group_size: int,
) -> int:
    """Write ``rows`` (of ``table``, sorted by ``table.sort``) to ``path``, so that the file
    appears whole or not at all; returns the rows written.

    The file carries the table's schema (non-NULL columns REQUIRED), its
    ``sorting_columns`` and its key/value metadata (schema version, table, crawl id).
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = temp_path(path)
    arrow = table.arrow.with_metadata(table.metadata(crawl_id))
    written = 0
    try:
        with pq.ParquetWriter(
            tmp,
            arrow,
            compression="zstd",
            write_statistics=True,
            use_dictionary=True,
            sorting_columns=table.sorting_columns(),
        ) as out:
            for batch in rows.to_batches() if isinstance(rows, pa.Table) else rows:
                batch = pa.RecordBatch.from_arrays(batch.columns, schema=arrow)
                out.write_batch(batch, row_group_size=row_group_size)
                written += batch.num_rows
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_directory(os.path.dirname(path))
    return written


def fsync_directory(directory: str) -> None:
    """Make the renames in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Columns:
    """Column-wise Python lists that turn into Arrow batches in chunks."""

    def __init__(self, arrow_schema: pa.Schema) -> None:
        self.schema = arrow_schema
        self.names = arrow_schema.names
        self.lists: dict[str, list] = {name: [] for name in self.names}
        self.pending_rows = 0
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0
        self.nbytes = 0

    def added(self, n: int) -> None:
        self.pending_rows += n
        self.rows += n
        if self.pending_rows >= _CHUNK_ROWS:
            self.seal()

    def seal(self) -> None:
        if not self.pending_rows:
            return
        batch = pa.RecordBatch.from_arrays(
            [pa.array(self.lists[name], type=self.schema.field(name).type) for name in self.names],
            schema=self.schema,
        )
        self.batches.append(batch)
        self.nbytes += batch.nbytes
        self.lists = {name: [] for name in self.names}
        self.pending_rows = 0

    def take(self) -> pa.Table | None:
        self.seal()
        if not self.batches:
            return None
        table = pa.Table.from_batches(self.batches, schema=self.schema)
        self.batches = []
        self.rows = 0
        self.nbytes = 0
        return table


def _no_stats(key: str, count: int = 1) -> None:
    pass


class Committer(Protocol):
    """Makes each flush durable together with whatever produced it (see linkspider.state)."""

    def prepare(self) -> object:
        """Called on the caller's thread when a flush is taken; the result goes to commit()."""

    def commit(
        self, sequence: int, files: list[str], page_urls: list[str], prepared: object
    ) -> None:
        """Called on the writer thread once the flush's files are in place."""


class Publisher(Protocol):
    """Where each flush's files go once written (object storage: linkspider.storage.Staging)."""

    def publish(self, relatives: list[str]) -> None: ...

    def withdraw(self, relatives: list[str]) -> None: ...


class WriteFailed(RuntimeError):
    """A flush could not be written, even after retries: the writer writes nothing more."""


#: Pauses (seconds) before the retries of a failed write.


class DatasetWriter:
    """Append pages and their edges to a linkspider dataset rooted at ``root``."""

    def __init__(
        self,
        root: str,
        crawl_id: str,
        *,
        flush_rows: int = DEFAULTS.flush_rows,
        flush_bytes: int = DEFAULTS.flush_bytes,
        flush_page_rows: int = DEFAULTS.flush_page_rows,
        row_group_size: int = DEFAULTS.row_group_size,
        inc_stat: Callable[[str, int], None] = _no_stats,
        committer: Committer | None = None,
        first_sequence: int = 1,
        retry_pauses: tuple[float, ...] = DEFAULTS.write_retry_pauses,
        source_index: bool = DEFAULTS.source_index,
        worker: str | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.root = root
        #: uploads each flush's files before the flush is committed (LINKSPIDER_OUTPUT=s3://)
        self.publisher = publisher
        #: a shared crawl's worker: its name is in the part files' names
        self.worker = worker
        self.crawl_id = crawl_id
        self.flush_rows = flush_rows
        self.flush_bytes = flush_bytes
        self.flush_page_rows = flush_page_rows
        self.row_group_size = row_group_size
        self.inc_stat = inc_stat
        self.links = _Columns(schema.LINKS.arrow)
        self.pages = _Columns(schema.PAGES.arrow)
        self.committer = committer
        self.retry_pauses = retry_pauses
        self.tables = (schema.LINKS, schema.OUTLINKS) if source_index else (schema.LINKS,)
        #: the exception of a write that failed for good (then nothing more is written)
        self.failure: BaseException | None = None
        self._sequence = first_sequence - 1
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="linkspider-parquet")
        self._inflight: Future | None = None
        for table in (*self.tables, schema.PAGES):
            os.makedirs(os.path.join(root, table.name), exist_ok=True)

    # -- buffering ------------------------------------------------------------

    def add(self, page: CrawledPage) -> None:
        self._add_page(page)
        self._add_edges(page)
        if (
            self.links.rows >= self.flush_rows
            or self.links.nbytes >= self.flush_bytes
            or self.pages.rows >= self.flush_page_rows
        ):
            self.flush()

    def _add_page(self, page: CrawledPage) -> None:
        cols = self.pages.lists
        cols["crawl_id"].append(self.crawl_id)
        for name in _PAGE_COLUMNS:
            cols[name].append(getattr(page, name))
        self.pages.added(1)

    def _add_edges(self, page: CrawledPage) -> None:
        edges = page.edges
        n = len(edges)
        if not n:
            return
        cols = self.links.lists
        for name, values in zip(EDGE_COLUMNS, zip(*edges, strict=True), strict=True):
            cols[name].extend(values)
        cols["crawl_id"].extend([self.crawl_id] * n)
        page_values = (
            page.url, page.host, page.domain, page.fetched_at, page.depth, page.rendered,
            page.unchanged,
        )  # fmt: skip
        for name, value in zip(_PAGE_EDGE_COLUMNS, page_values, strict=True):
            cols[name].extend([value] * n)
        self.links.added(n)

    # -- writing --------------------------------------------------------------

    def flush(self) -> None:
        """Hand every buffered row to the writer thread (waits for the previous write first).

        Links and pages are always flushed together, so that a flush is one
        unit: its pages are committed with their edges (see ``Committer``).
        The previous write's failure is raised before anything is taken, so a
        failed write loses no other flush's rows; after a failure the writer
        writes nothing more (:attr:`failure`).
        """
        if self.failure is not None:
            raise WriteFailed(f"an earlier write failed: {self.failure}") from self.failure
        self._wait()
        link_table = self.links.take()
        page_table = self.pages.take()
        if link_table is None and page_table is None:
            return
        prepared = self.committer.prepare() if self.committer is not None else None
        self._sequence += 1
        self._inflight = self._executor.submit(
            self._write_with_retries, link_table, page_table, self._sequence, prepared
        )

    def close(self) -> None:
        """Write everything buffered and wait for it to be on disk (nothing after a failure)."""
        try:
            self.sync()
        finally:
            self._executor.shutdown(wait=True)

    def sync(self) -> None:
        """Write everything buffered and wait until it is committed (the writer stays open)."""
        if self.failure is None:
            self.flush()
            self._wait()

    @property
    def next_sequence(self) -> int:
        return self._sequence + 1

    def _wait(self) -> None:
        if self._inflight is None:
            return
        future, self._inflight = self._inflight, None
        try:
            counts = future.result()
        except Exception as exc:
            self.failure = exc
            self.inc_stat("linkspider/write_errors", 1)
            logger.error("writing Parquet failed for good: %s", exc)
            raise WriteFailed(str(exc)) from exc
        # counted here, on the caller's thread (Scrapy's stats collector is not thread-safe)
        for key, count in counts.items():
            self.inc_stat(key, count)

    def _write_with_retries(
        self, links: pa.Table | None, pages: pa.Table | None, sequence: int, prepared: object
    ) -> dict[str, int]:
        """:meth:`_write`, again after a pause when it fails (a transient error: a full disk
        freed, a network file system back); the files of a failed attempt are removed."""
        for attempt, pause in enumerate((*self.retry_pauses, None)):
            written: list[str] = []
            try:
                self._write(links, pages, sequence, prepared, written)
            except (OSError, sqlite3.Error) as exc:
                if self.publisher is not None and written:
                    self.publisher.withdraw(written)
                for relative in written:
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(self.root, relative))
                if pause is None:
                    raise
                logger.warning(
                    "writing flush %d failed (attempt %d): %s; retrying in %s s",
                    sequence, attempt + 1, exc, pause,
                )  # fmt: skip
                time.sleep(pause)
                continue
            return {
                "linkspider/edges_written": links.num_rows if links is not None else 0,
                "linkspider/pages_written": pages.num_rows if pages is not None else 0,
                "linkspider/files_written": len(written),
            }
        raise AssertionError("unreachable")

    def _write(
        self,
        links: pa.Table | None,
        pages: pa.Table | None,
        sequence: int,
        prepared: object,
        written: list[str],
    ) -> None:
        name = part_name(self.crawl_id, sequence, self.worker)
        page_urls: list[str] = []
        if links is not None and links.num_rows:
            for table in self.tables:
                self._write_partitioned(links, table, name, written)
        if pages is not None and pages.num_rows:
            pages = pages.sort_by([("url", "ascending")])
            relative = os.path.join("pages", name)
            write_atomically(
                pages,
                os.path.join(self.root, relative),
                schema.PAGES,
                self.crawl_id,
                self.row_group_size,
            )
            written.append(relative)
            page_urls = pages.column("url").to_pylist()
        if self.publisher is not None:
            self.publisher.publish([w.replace(os.sep, "/") for w in written])
        if self.committer is not None:
            self.committer.commit(sequence, list(written), page_urls, prepared)

    def _write_partitioned(
        self, rows: pa.Table, table: schema.Table, name: str, written: list[str]
    ) -> None:
        """One file per partition of ``table``, rows sorted by its sort keys (the partition's
        domain first: ``links`` by target, ``outlinks`` by source).

        Only the sort keys are sorted; each partition's rows are then taken and
        written in turn, so at most one partition's copy exists besides the buffer.
        """
        column, domain_column = PARTITIONS[table.name]
        assert table.sort[0] == domain_column
        domains = pc.dictionary_encode(rows.column(domain_column)).combine_chunks()
        buckets = pa.array([bucket(d) for d in domains.dictionary.to_pylist()], pa.string())
        keys = pa.table(
            {"p": pc.take(buckets, domains.indices)}
            | {f"k{i}": rows.column(key) for i, key in enumerate(table.sort)}
        )
        order = pc.sort_indices(keys, sort_keys=[(name, "ascending") for name in keys.column_names])
        runs = pc.run_end_encode(pc.take(keys.column("p"), order).combine_chunks())
        del keys, domains
        start = 0
        for end, value in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
            part = rows.take(order.slice(start, end - start))
            start = end
            relative = os.path.join(table.name, f"{column}={value}", name)
            write_atomically(
                part, os.path.join(self.root, relative), table, self.crawl_id, self.row_group_size
            )
            written.append(relative)
            del part
