"""Item pipeline: hands each :class:`~linkspider.items.CrawledPage` to a :class:`DatasetWriter`."""

from __future__ import annotations

import logging
import os
import time

from linkspider.pipelines import crawls
from linkspider.pipelines.compact import CompactionIncomplete, compact_crawl
from linkspider.pipelines.layout import CRAWLS, crawl_file_path
from linkspider.pipelines.writer import DatasetWriter, WriteFailed
from scrapy import signals
from scrapy.crawler import Crawler

from linkspider.context import CrawlContext
from linkspider.extensions import FAILURE_STAT, fail_crawl
from linkspider.items import CrawledPage

logger = logging.getLogger(__name__)


class ParquetPipeline:
    """Writes ``links/`` and ``pages/`` under ``LINKSPIDER_OUTPUT`` (see :mod:`linkspider.pipelines.writer`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.context = CrawlContext.of(crawler)
        self.writer: DatasetWriter | None = None
        self.record: dict | None = None  # the crawl's row in crawls/

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        context, config = self.context, self.context.config
        if context.crawl_id is None:
            raise RuntimeError("the spider did not open the crawl (linkspider.context)")
        stats = self.crawler.stats
        root, staging = context.root, context.staging
        if staging is not None:  # a resumed or shared crawl's row is in the bucket
            staging.pull_record(context.crawl_id)
        self.writer = DatasetWriter(
            root,
            context.crawl_id,
            flush_rows=config.flush_rows,
            flush_bytes=config.flush_bytes,
            flush_page_rows=config.flush_page_rows,
            row_group_size=config.row_group_size,
            inc_stat=lambda key, count: stats.inc_value(key, count),
            committer=context.committer(),
            first_sequence=context.first_sequence,
            retry_pauses=config.write_retry_pauses,
            source_index=config.source_index,
            worker=context.shared.worker if context.shared is not None else None,
            publisher=staging,
        )
        context.sync = self._sync
        description = context.description
        self.record = crawls.started(
            root,
            context.crawl_id,
            seeds=description.get("seeds", []),
            scope=description.get("scope", ""),
            spider_arguments=description.get("spider_arguments", {}),
            settings=self._recorded_settings(),
            outlinks=config.source_index,
        )
        if staging is not None:
            self._publish_record()
            logger.info(
                "writing Parquet to %s (crawl_id=%s), through the local staging %s",
                staging.remote.url, context.crawl_id, root,
            )  # fmt: skip
        else:
            logger.info(
                "writing Parquet under %s (crawl_id=%s)", os.path.abspath(root), context.crawl_id
            )

    def _publish_record(self) -> None:
        self.context.staging.publish([crawl_file_path(CRAWLS, self.writer.crawl_id)])

    def _recorded_settings(self) -> dict:
        settings = self.crawler.settings
        recorded = {name: settings.get(name) for name in crawls.RECORDED_SETTINGS}
        return recorded | self.context.config.as_settings()

    def process_item(self, item):
        if isinstance(item, CrawledPage) and self.writer is not None:
            if self.writer.failure is not None:
                return item  # the crawl is stopping: nothing more is written
            try:
                self.writer.add(item)
            except WriteFailed as exc:
                self._stop(exc)
        return item

    def _sync(self) -> None:
        if self.writer is not None and self.writer.failure is None:
            try:
                self.writer.sync()
            except WriteFailed as exc:
                self._stop(exc)

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
        message = f"writing the dataset under {self.writer.root} failed: {exc}"
        fail_crawl(self.crawler, message, "write_failed")

    def spider_closed(self, reason: str) -> None:
        """Compact the crawl's files once it has finished (not when it was stopped early),
        then record how the run ended in ``crawls/``."""
        if self.writer is None:
            return
        shared, staging = self.context.shared, self.context.staging
        if shared is not None and not self._finalizer(shared, reason):
            if staging is not None:  # every row it committed is in the bucket
                staging.close()
            return
        ending = reason == "finished" and self.writer.failure is None
        if staging is not None and ending and not self._prepare_end(staging):
            return
        try:
            self._compact(reason)
            self._rank(reason)
        finally:
            self._record_end(reason)
        self._history(reason)
        if staging is not None and not self._publish_end(staging, ending):
            return
        if shared is not None and ending:
            shared.finished()

    def _prepare_end(self, staging) -> bool:
        """Get what the end of the crawl reads from the bucket into the staging."""
        from linkspider.storage import StorageError

        try:
            pulled = staging.prepare_end(
                self.writer.crawl_id, history=self.context.config.history_on_close
            )
        except (OSError, StorageError) as exc:
            self._failed_at_end(staging, f"could not read {staging.remote.url}: {exc}")
            return False
        logger.info("the end of crawl %s: %d files from the bucket", self.writer.crawl_id, pulled)
        return True

    def _publish_end(self, staging, ending: bool) -> bool:
        """Publish what the end wrote (a stopped crawl: its row); then drop a temporary
        staging.  Kept, and the crawl failed, when the bucket cannot be written."""
        try:
            if ending:
                staging.publish_end(self.writer.crawl_id)
            else:
                self._publish_record()
        except OSError as exc:
            self._failed_at_end(staging, f"could not publish to {staging.remote.url}: {exc}")
            return False
        staging.close()
        return True

    def _failed_at_end(self, staging, message: str) -> None:
        message = f"{message}; the crawl's files are kept in {staging.root}"
        logger.error(message)
        if self.crawler.stats.get_value(FAILURE_STAT) is None:  # the first failure says why
            self.crawler.stats.set_value(FAILURE_STAT, message)

    def _finalizer(self, shared, reason: str) -> bool:
        """A shared crawl's worker has written its last rows: it leaves (what it still held
        goes back to the queue). The crawl is finished once, by the first worker that takes
        the lock once the crawl is over, after the others have left."""
        import redis

        try:
            returned = shared.leave()
        except redis.RedisError as exc:
            logger.error("could not leave the shared crawl (%s): its leases will expire", exc)
            return False
        if returned:
            logger.info("gave %d requests back to the shared queue", returned)
        if reason != "finished" or self.writer.failure is not None:
            return False
        if not shared.finalizer():
            logger.info("shared crawl %s: another worker finishes it", shared.crawl_id)
            return False
        shared.wait_for_others()
        logger.info("shared crawl %s: every worker has closed; finishing it", shared.crawl_id)
        return True

    def _history(self, reason: str) -> None:
        """Apply the finished crawl to ``history/`` (after its row says it finished)."""
        config = self.context.config
        if not config.history_on_close or reason != "finished" or self.writer.failure is not None:
            return
        from linkspider.history import update_history

        crawl_id = self.writer.crawl_id
        try:
            applied = update_history(
                self.writer.root, memory=config.compact_memory, only={crawl_id}
            )
        except Exception as exc:  # the crawl's data is complete: `linkspider history --update`
            logger.error(
                "could not update the history with crawl %s (%s: %s); run "
                "`linkspider history --update` later",
                crawl_id, type(exc).__name__, exc,
            )  # fmt: skip
            self.crawler.stats.set_value(
                "linkspider/history_failed", f"{type(exc).__name__}: {exc}"
            )
            return
        stats = self.crawler.stats
        stats.set_value("linkspider/history_seconds", sum(a.seconds for a in applied))
        stats.set_value("linkspider/history_crawls_applied", len(applied))
        if applied:
            stats.set_value("linkspider/history_edges", applied[-1].rows)

    def _rank(self, reason: str) -> None:
        """The crawl's authority (``ranks/``, ``page_ranks/``), once it has finished."""
        config = self.context.config
        if not config.rank_on_close or reason != "finished" or self.writer.failure is not None:
            return
        from linkspider.ranks import rank_crawl

        started = time.perf_counter()
        try:
            counts = rank_crawl(
                self.writer.root,
                self.writer.crawl_id,
                exact_nodes=config.rank_exact_nodes,
                samples=config.rank_samples,
                pages=config.rank_pages,
            )
        except Exception as exc:  # the crawl's data is complete: `linkspider rank` can redo this
            logger.error(
                "could not rank crawl %s (%s: %s); run `linkspider rank --crawl %s` later",
                self.writer.crawl_id, type(exc).__name__, exc, self.writer.crawl_id,
            )  # fmt: skip
            self.crawler.stats.set_value("linkspider/rank_failed", f"{type(exc).__name__}: {exc}")
            return
        self.crawler.stats.set_value("linkspider/rank_seconds", time.perf_counter() - started)
        self.crawler.stats.set_value("linkspider/ranked_hosts", counts["host"])
        self.crawler.stats.set_value("linkspider/ranked_domains", counts["domain"])

    def _record_end(self, reason: str) -> None:
        if self.record is None:
            return
        failed = self.writer.failure is not None
        try:
            crawls.ended(self.writer.root, self.record, reason, failed)
        except OSError as exc:
            logger.error("could not record the end of crawl %s: %s", self.writer.crawl_id, exc)

    def _compact(self, reason: str) -> None:
        config = self.context.config
        # a shared crawl whose workers' leases were put back in the queue may hold pages
        # written twice: the compaction keeps one fetch of each (linkspider.shared)
        shared = self.context.shared is not None and self.context.shared.requeued() > 0
        if (not config.compact_on_close and not shared) or self.writer.failure is not None:
            return
        if reason != "finished":
            return  # stopped (SIGINT/SIGTERM, errors): stop fast; compaction happens when it ends
        state = self.context.state
        try:
            before, after = compact_crawl(
                self.writer.root,
                self.writer.crawl_id,
                self.writer.next_sequence,
                row_group_size=config.row_group_size,
                memory_limit=config.compact_memory,
                max_rows=config.compact_max_rows,
                on_replace=state.replace if state is not None else None,
                shared=shared,
            )
        except CompactionIncomplete as exc:
            self.crawler.stats.set_value("linkspider/compaction_failed", str(exc))
            before, after = exc.before, exc.after
        if before:
            self.crawler.stats.set_value("linkspider/compacted_files", before)
            self.crawler.stats.set_value("linkspider/files_after_compaction", after)
