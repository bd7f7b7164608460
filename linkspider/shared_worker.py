"""One worker of a shared crawl: its scheduler, heartbeat and end (see :mod:`linkspider.shared`).

With ``LINKSPIDER_REDIS_URL`` set, the scheduler is
:class:`~linkspider.shared_scheduler.SharedScheduler` (``linkspider.scheduler`` hands
over to it) and :class:`SharedWorker` keeps the worker's heartbeat and decides, when the worker is
idle, whether the whole crawl is over:

* idle, it first commits what it has buffered (its leases end with that), then
  asks Redis whether anything is queued or leased by any worker (after putting
  back the leases of silent workers);
* if nothing is, it lets the crawl close; otherwise it stays (Scrapy asks again
  every few seconds) and takes what the other workers queue meanwhile.

The end of the crawl (compaction, ranks, ``crawls/``, ``history/``) is the
dataset pipeline's, run by one worker (:meth:`linkspider.shared.SharedCrawl.finalizer`).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call

from linkspider.config import LinkspiderConfig
from linkspider.context import CrawlContext
from linkspider.extensions import fail_crawl

logger = logging.getLogger(__name__)

#: the longest an idle worker waits between two looks at the shared queue (seconds)
LONGEST_LOOK = 1.0


def next_look(delay: float) -> float:
    """How long an idle worker waits before its next look at the shared queue, after a
    look that found nothing ``delay`` seconds after the one before: 0.1 s, then doubling,
    up to :data:`LONGEST_LOOK` (one Redis call a second per idle worker at most, and
    work other workers queue is taken within a second).

    >>> [round(d := next_look(d if i else 0.0), 1) for i in range(6)]
    [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    """
    return min(max(delay * 2, 0.1), LONGEST_LOOK)


def redis_lost(crawler: Crawler, exc: Exception) -> None:
    """The shared crawl's Redis cannot be reached: stop this worker as failed (``scrapy
    crawl`` exits 1). Its leases stay in Redis: when Redis is back, they expire and go to
    the other workers, or to this one started again."""
    fail_crawl(
        crawler, f"lost the shared crawl's Redis: {type(exc).__name__}: {exc}", "redis_failed"
    )


class SharedWorker:
    """Heartbeat, and the global idle check (``spider_idle``)."""

    def __init__(self, crawler: Crawler, lease: float) -> None:
        self.crawler = crawler
        self.interval = max(lease / 4, 0.05)
        self.task = None
        self.waiting = None  # the next look at the queue while idle
        self.closed = False
        self.failed_beats = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedWorker:
        config = LinkspiderConfig.from_settings(crawler.settings)
        if not config.redis_url:
            raise NotConfigured
        worker = cls(crawler, config.redis_lease)
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        return worker

    @property
    def shared(self):
        return CrawlContext.of(self.crawler).shared

    def spider_opened(self) -> None:
        self.task = create_looping_call(self.beat)
        self.task.start(self.interval, now=True)

    def beat(self) -> None:
        shared = self.shared
        try:
            shared.heartbeat()
            shared.requeue_expired()
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("shared crawl heartbeat failed: %s", exc)
            self.failed_beats += 1
            if self.failed_beats >= 4:  # a whole lease: the others have given up on us
                redis_lost(self.crawler, exc)
        else:
            self.failed_beats = 0

    def spider_idle(self) -> None:
        import redis

        context = CrawlContext.of(self.crawler)
        if context.sync is not None:
            context.sync()  # commit what is buffered: its leases end
        shared = context.shared
        try:
            over = shared.idle()
        except redis.RedisError as exc:  # not "finished": the crawl is not known to be over
            redis_lost(self.crawler, exc)
            raise DontCloseSpider from None
        if over:
            logger.info(
                "shared crawl %s: nothing queued and nothing leased by any worker: done",
                shared.crawl_id,
            )
            return
        self.crawler.stats.inc_value("linkspider/shared/idle_waits")
        if self.waiting is None:
            self._wait(0.0)
        raise DontCloseSpider

    def _wait(self, delay: float) -> None:
        """Look at the queue after ``delay`` seconds (Scrapy itself looks again only every
        five seconds)."""
        from twisted.internet import reactor

        self.waiting = reactor.callLater(delay, self._look, delay)

    def _look(self, delay: float) -> None:
        """Idle, and the crawl is not over: take a URL the other workers queued, and hand it
        to the engine, which then takes the next ones itself. Nothing queued yet: look again
        later, less and less often (:func:`next_look`)."""
        self.waiting = None
        engine = self.crawler.engine
        if engine is None or not engine.running or self.closed:
            return
        try:
            taken = self.shared.take()
        except Exception as exc:
            redis_lost(self.crawler, exc)
            return
        if taken is None:
            self._wait(next_look(delay))
            return
        # leased already: the scheduler keeps what the engine hands it in this worker
        engine.crawl(self.crawler.spider.request_for(*taken))

    def spider_closed(self) -> None:
        self.closed = True
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.waiting is not None and self.waiting.active():
            self.waiting.cancel()
