"""The scheduler of a shared crawl: scrapy-redis's, with leases (see :mod:`linkspider.shared`).

scrapy-redis's :class:`~scrapy_redis.scheduler.Scheduler` and queue, adapted:

* the queue holds ``"depth redirects url"`` entries, not pickled requests: the
  frontier's admission script queues a URL in the same step that admits it, and
  the spider turns an entry back into its request (``DiscoverSpider.request_for``);
* taking an entry leases it to this worker instead of popping it away (a worker
  that dies loses nothing);
* no dupefilter of its own: the shared frontier admits each URL once (the
  spider's requests are ``dont_filter``), and a request that fails is recorded
  as a page row, so a "seen before fetched" filter cannot drop it;
* the queue is never flushed when a worker closes (``persist``): it is the
  other workers' too;
* every request the engine hands it stays in this process: new URLs reach the
  queue through the frontier, never through the engine, so what the engine
  schedules is work on a URL this worker already holds (the browser round-trip of
  a page it fetched, carrying that fetch's result; a retry, with its count; a
  URL taken from the queue while idle).
"""

from __future__ import annotations

import time
from collections import deque

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from linkspider.context import CrawlContext
from linkspider.shared import SharedCrawl
from linkspider.shared_worker import redis_lost


class LeasedQueue(Base):
    """The shared queue, read through leases.  It has no ``push``: URLs reach it through the
    frontier's admission only (:class:`~linkspider.shared.SharedFrontier`)."""

    #: seconds the queue's length, as last read, is taken as still true: Scrapy's engine asks
    #: for it on every turn of its loop, and a round trip each time costs more than the crawl
    LENGTH_TTL = 0.25

    def __init__(self, server, spider, key, serializer=None, shared: SharedCrawl | None = None):
        super().__init__(server, spider, key, serializer=serializer)
        self.shared = shared
        self._length = 0
        self._read_at = float("-inf")

    def __len__(self) -> int:
        now = time.monotonic()
        if now - self._read_at > self.LENGTH_TTL:
            self._length, self._read_at = self.shared.queued(), now
        return self._length

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.shared.take()
        if taken is None:
            self._length, self._read_at = 0, time.monotonic()
            return None
        self._length = max(self._length - 1, 0)
        return self.spider.request_for(*taken)


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler over :class:`LeasedQueue`, plus this worker's own requests."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = cls(server=None, persist=True)
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.local: deque[Request] = deque()
        return scheduler

    def open(self, spider) -> None:
        self.spider = spider
        shared = CrawlContext.of(self.crawler).shared
        if shared is None:
            raise RuntimeError("a shared scheduler without a shared crawl (LINKSPIDER_REDIS_URL)")
        self.server = shared.redis
        self.queue = LeasedQueue(self.server, spider, shared.keys["queue"], shared=shared)
        self.df = _NoDupeFilter()
        if len(self.queue):
            spider.logger.info(
                "shared crawl %s: %d URLs queued by the workers so far",
                shared.crawl_id, len(self.queue),
            )  # fmt: skip

    def close(self, reason: str) -> None:
        return None  # persist: the queue is every worker's

    def enqueue_request(self, request: Request) -> bool:
        self.local.append(request)
        self.stats.inc_value("scheduler/enqueued/local")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            self.stats.inc_value("scheduler/dequeued/local")
            return self.local.popleft()
        try:
            return super().next_request()
        except redis.RedisError as exc:
            redis_lost(self.crawler, exc)
            return None

    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        try:
            return len(self.queue) > 0
        except redis.RedisError as exc:
            redis_lost(self.crawler, exc)
            return False

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)


class _NoDupeFilter:
    """The shared frontier is the one authority on what is fetched."""

    def request_seen(self, request: Request) -> bool:
        return False

    def clear(self) -> None:
        pass

    def log(self, request: Request, spider) -> None:
        pass
