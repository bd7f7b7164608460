"""Item pipeline: hands each :class:`~linkspider.items.CrawledPage` to a :class:`DatasetWriter`."""

from __future__ import annotations

import logging
import os

from linkspider.pipelines.compact import CompactionIncomplete, compact_crawl, memory_limit_value
from linkspider.pipelines.writer import DatasetWriter, WriteFailed
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from linkspider.extensions import FAILURE_STAT
from linkspider.items import CrawledPage

logger = logging.getLogger(__name__)


class ParquetPipeline:
    """Writes ``links/`` and ``pages/`` under ``LINKSPIDER_OUTPUT`` (see :mod:`linkspider.pipelines.writer`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.writer: DatasetWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetPipeline:
        # checked now, not when the crawl ends and compacts
        memory_limit_value(crawler.settings.get("LINKSPIDER_COMPACT_MEMORY"))
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        settings = self.settings
        root = settings.get("LINKSPIDER_OUTPUT")
        spider = self.crawler.spider
        crawl_id = getattr(spider, "crawl_id", None) or "crawl"
        stats = self.crawler.stats
        state = getattr(spider, "crawl_state", None)
        self.writer = DatasetWriter(
            root,
            crawl_id,
            flush_rows=settings.getint("LINKSPIDER_FLUSH_ROWS"),
            flush_bytes=settings.getint("LINKSPIDER_FLUSH_BYTES"),
            flush_page_rows=settings.getint("LINKSPIDER_FLUSH_PAGE_ROWS"),
            row_group_size=settings.getint("LINKSPIDER_ROW_GROUP_SIZE"),
            inc_stat=lambda key, count: stats.inc_value(key, count),
            committer=_StateCommitter(spider, state) if state is not None else None,
            first_sequence=(getattr(spider, "resumed_sequence", None) or 0) + 1,
            retry_pauses=tuple(float(p) for p in settings.getlist("LINKSPIDER_WRITE_RETRY_PAUSES")),
        )
        logger.info("writing Parquet under %s (crawl_id=%s)", os.path.abspath(root), crawl_id)

    def process_item(self, item):
        if isinstance(item, CrawledPage) and self.writer is not None:
            if self.writer.failure is not None:
                return item  # the crawl is stopping: nothing more is written
            try:
                self.writer.add(item)
            except WriteFailed as exc:
                self._stop(exc)
        return item

    def close_spider(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except WriteFailed as exc:
                self._stop(exc)

    def _stop(self, exc: WriteFailed) -> None:
        """A write failed for good: stop the crawl, and make its command exit non-zero.

        With ``JOBDIR`` nothing is lost: the rows not written were never committed,
        and the same command fetches their pages again once the problem is fixed.
        """
        stats = self.crawler.stats
        if stats.get_value(FAILURE_STAT) is not None:
            return
        message = f"writing the dataset under {self.writer.root} failed: {exc}"
        stats.set_value(FAILURE_STAT, message)
        logger.error("%s; stopping the crawl", message)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason="write_failed"))

    def spider_closed(self, reason: str) -> None:
        """Compact the crawl's files once it has finished (not when it was stopped early)."""
        if self.writer is None or not self.settings.getbool("LINKSPIDER_COMPACT_ON_CLOSE"):
            return
        if reason != "finished":
            return  # stopped (SIGINT/SIGTERM, errors): stop fast; compaction happens when it ends
        state = getattr(self.crawler.spider, "crawl_state", None)
        try:
            before, after = compact_crawl(
                self.writer.root,
                self.writer.crawl_id,
                self.writer.next_sequence,
                row_group_size=self.settings.getint("LINKSPIDER_ROW_GROUP_SIZE"),
                memory_limit=self.settings.get("LINKSPIDER_COMPACT_MEMORY"),
                max_rows=self.settings.getint("LINKSPIDER_COMPACT_MAX_ROWS", 4_000_000),
                on_replace=state.replace if state is not None else None,
            )
        except CompactionIncomplete as exc:
            self.crawler.stats.set_value("linkspider/compaction_failed", str(exc))
            before, after = exc.before, exc.after
        if before:
            self.crawler.stats.set_value("linkspider/compacted_files", before)
            self.crawler.stats.set_value("linkspider/files_after_compaction", after)


class _StateCommitter:
    """Commits each flush to the spider's crash-safe state (see linkspider.state)."""

    def __init__(self, spider, state) -> None:
        self.spider = spider
        self.state = state

    def prepare(self) -> object:
        return self.state.take_discovered(), sorted(self.spider.allowed_domains_set)

    def commit(
        self, sequence: int, files: list[str], page_urls: list[str], prepared: object
    ) -> None:
        discovered, allowed = prepared
        self.state.commit(sequence, files, page_urls, discovered, allowed)
