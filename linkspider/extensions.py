"""Small Scrapy extensions."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from linkspider.config import LinkspiderConfig

logger = logging.getLogger(__name__)

#: Set (to the reason) when a crawl could not do its job; ``scrapy crawl`` then exits 1
#: (linkspider.commands.crawl).
FAILURE_STAT = "linkspider/failed"


def fail_crawl(crawler: Crawler, message: str, reason: str) -> None:
    """Stop the crawl as failed (once): :data:`FAILURE_STAT` says why, the engine closes the
    spider with ``reason``, and ``scrapy crawl`` exits 1."""
    stats = crawler.stats
    if stats.get_value(FAILURE_STAT) is not None:
        return
    stats.set_value(FAILURE_STAT, message)
    logger.error("%s; stopping the crawl", message)
    engine = crawler.engine
    if engine is not None and engine.spider is not None and engine.running:
        deferred_from_coro(engine.close_spider_async(reason=reason))


class StatsFile:
    """Write the crawl's final stats as JSON to ``LINKSPIDER_STATS_FILE`` (if set)."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = LinkspiderConfig.from_settings(crawler.settings).stats_file
        if not path:
            raise NotConfigured
        extension = cls(crawler, path)
        # engine_stopped: after every spider_closed handler (e.g. compaction) has run
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        stats = dict(self.crawler.stats.get_stats())
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(stats, handle, indent=1, sort_keys=True, default=_jsonable)
        os.replace(tmp, self.path)


def _jsonable(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
