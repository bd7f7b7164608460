"""Item pipeline writing the ``links`` and ``pages`` tables as Parquet.

Flush policy: edges are buffered as Arrow record batches and written when the
buffer reaches ``LINKSPIDER_FLUSH_ROWS`` rows or ``LINKSPIDER_FLUSH_BYTES``
bytes (pages: ``LINKSPIDER_FLUSH_PAGE_ROWS``), and at the end of the crawl.
Each flush writes one file per ``target_bucket`` present, rows sorted by
``(target_domain, target_url)``, zstd-compressed, row groups of
``LINKSPIDER_ROW_GROUP_SIZE`` rows.  Files are written by one background thread
under a hidden temporary name, fsynced, then renamed into place, so readers
never see a partial file.  Existing files are never touched.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scrapy.crawler import Crawler

from linkspider.items import CrawledPage
from pipelines import schema
from pipelines.layout import part_name, target_bucket, temp_path

logger = logging.getLogger(__name__)

_CHUNK_ROWS = 32_768  # Python lists become an Arrow batch at this size


def write_atomically(table: pa.Table, path: str, row_group_size: int) -> None:
    """Write ``table`` to ``path`` so that the file appears whole or not at all."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = temp_path(path)
    try:
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            row_group_size=row_group_size,
            write_statistics=True,
            use_dictionary=True,
        )
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


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


class ParquetPipeline:
    """Writes :class:`~linkspider.items.CrawledPage` items to ``links/`` and ``pages/``."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.root = settings.get("LINKSPIDER_OUTPUT")
        self.flush_rows = settings.getint("LINKSPIDER_FLUSH_ROWS")
        self.flush_bytes = settings.getint("LINKSPIDER_FLUSH_BYTES")
        self.flush_page_rows = settings.getint("LINKSPIDER_FLUSH_PAGE_ROWS")
        self.row_group_size = settings.getint("LINKSPIDER_ROW_GROUP_SIZE")
        self.links = _Columns(schema.LINKS)
        self.pages = _Columns(schema.PAGES)
        self.crawl_id = ""
        self._sequence = 0
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="linkspider-parquet")
        self._inflight: Future | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.crawl_id = getattr(spider, "crawl_id", None) or "crawl"
        os.makedirs(os.path.join(self.root, "links"), exist_ok=True)
        os.makedirs(os.path.join(self.root, "pages"), exist_ok=True)
        logger.info(
            "writing Parquet under %s (crawl_id=%s)", os.path.abspath(self.root), self.crawl_id
        )

    def process_item(self, item):
        if not isinstance(item, CrawledPage):
            return item
        self._add_page(item)
        self._add_edges(item)
        if self.links.rows >= self.flush_rows or self.links.nbytes >= self.flush_bytes:
            self._flush(links=True, pages=False)
        if self.pages.rows >= self.flush_page_rows:
            self._flush(links=False, pages=True)
        return None

    def close_spider(self) -> None:
        self._flush(links=True, pages=True)
        self._wait()
        self._executor.shutdown(wait=True)

    # -- buffering ------------------------------------------------------------

    def _add_page(self, page: CrawledPage) -> None:
        cols = self.pages.lists
        cols["crawl_id"].append(self.crawl_id)
        cols["url"].append(page.url)
        cols["host"].append(page.host)
        cols["domain"].append(page.domain)
        cols["status"].append(page.status)
        cols["content_type"].append(page.content_type)
        cols["encoding"].append(page.encoding)
        cols["fetched_at"].append(page.fetched_at)
        cols["depth"].append(page.depth)
        cols["title"].append(page.title)
        cols["canonical_url"].append(page.canonical_url)
        cols["lang"].append(page.lang)
        cols["meta_robots"].append(page.meta_robots)
        cols["x_robots_tag"].append(page.x_robots_tag)
        cols["outlink_count"].append(len(page.edges))
        cols["edges_dropped"].append(page.edges_dropped)
        cols["bytes"].append(page.bytes)
        cols["error"].append(page.error)
        self.pages.pending_rows += 1
        self.pages.rows += 1
        if self.pages.pending_rows >= _CHUNK_ROWS:
            self.pages.seal()

    def _add_edges(self, page: CrawledPage) -> None:
        edges = page.edges
        n = len(edges)
        if not n:
            return
        cols = self.links.lists
        for name, values in zip(schema.EDGE_COLUMNS, zip(*edges, strict=True), strict=True):
            cols[name].extend(values)
        cols["crawl_id"].extend([self.crawl_id] * n)
        cols["source_url"].extend([page.url] * n)
        cols["source_host"].extend([page.host] * n)
        cols["source_domain"].extend([page.domain] * n)
        cols["fetched_at"].extend([page.fetched_at] * n)
        cols["source_depth"].extend([page.depth] * n)
        self.links.pending_rows += n
        self.links.rows += n
        if self.links.pending_rows >= _CHUNK_ROWS:
            self.links.seal()

    # -- writing --------------------------------------------------------------

    def _flush(self, links: bool, pages: bool) -> None:
        link_table = self.links.take() if links else None
        page_table = self.pages.take() if pages else None
        if link_table is None and page_table is None:
            return
        self._wait()  # one write in flight at a time: memory stays bounded
        self._sequence += 1
        self._inflight = self._executor.submit(self._write, link_table, page_table, self._sequence)

    def _wait(self) -> None:
        if self._inflight is None:
            return
        future, self._inflight = self._inflight, None
        try:
            future.result()
        except Exception:
            self.stats.inc_value("linkspider/write_errors")
            logger.exception("writing Parquet failed; the rows of this flush are lost")
            raise

    def _write(self, links: pa.Table | None, pages: pa.Table | None, sequence: int) -> None:
        name = part_name(self.crawl_id, sequence)
        if links is not None and links.num_rows:
            self._write_links(links, name)
        if pages is not None and pages.num_rows:
            pages = pages.sort_by([("url", "ascending")])
            write_atomically(pages, os.path.join(self.root, "pages", name), self.row_group_size)
            self.stats.inc_value("linkspider/pages_written", pages.num_rows)
            self.stats.inc_value("linkspider/files_written")

    def _write_links(self, table: pa.Table, name: str) -> None:
        domains = pc.dictionary_encode(table.column("target_domain")).combine_chunks()
        buckets = pa.array([target_bucket(d) for d in domains.dictionary.to_pylist()])
        bucket_column = pc.take(buckets, domains.indices)
        table = table.append_column("_bucket", bucket_column)
        table = table.sort_by(
            [("_bucket", "ascending"), ("target_domain", "ascending"), ("target_url", "ascending")]
        )
        bucket_values = table.column("_bucket")
        table = table.drop_columns(["_bucket"])
        runs = pc.run_end_encode(bucket_values.combine_chunks())
        start = 0
        for end, bucket in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
            part = table.slice(start, end - start)
            start = end
            path = os.path.join(self.root, "links", f"target_bucket={bucket}", name)
            write_atomically(part, path, self.row_group_size)
            self.stats.inc_value("linkspider/edges_written", part.num_rows)
            self.stats.inc_value("linkspider/files_written")
