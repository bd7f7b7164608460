"""Politeness across the workers of a shared crawl: one host, one pace.

Each worker's Scrapy keeps its own per-host limits (``CONCURRENT_REQUESTS_PER_DOMAIN``,
``DOWNLOAD_DELAY`` or AutoThrottle's delay); N workers alone would hit a host N times
as hard.  This downloader middleware makes a request to a host wait, before it is
downloaded, until the host has a free slot in Redis (``linkspider:ID:host:HOST``):

* at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests to the host in flight across
  all workers (each a lease that ends with the response or error; its worker renews
  it every quarter of ``LINKSPIDER_REDIS_LEASE``, so a dead worker's slots free
  themselves after that long, as its requests do);
* consecutive requests to the host at least the worker's current delay for it apart
  (``DOWNLOAD_DELAY``, or what AutoThrottle made of it), across all workers.

A request waits in this middleware (it does not hold the worker's other hosts back),
looking again after the time Redis says (the host's next start), or, when the host's
slots are all taken, after 5 ms, doubling up to 200 ms.  Outside a shared
crawl the middleware does nothing.  Stats: ``linkspider/shared/polite_waits`` and
``linkspider/shared/polite_wait_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.httpobj import urlparse_cached

from linkspider.config import LinkspiderConfig
from linkspider.context import CrawlContext

TOKEN = "linkspider_polite_token"

# KEYS: the host's in-flight sorted set, the host's next-start key
# ARGV: token, concurrency, delay ms, lease ms.  0 when the request may start, -1 when the
# host's slots are all taken, else the ms until the host's next start.
_ACQUIRE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if next_start > now then return next_start - now end
local delay = tonumber(ARGV[3])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) * 4)
return 0
"""


class SharedPoliteness:
    def __init__(self, crawler: Crawler, lease: float) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.concurrency = max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 1)
        self.lease_ms = int(lease * 1000)
        self.delay = settings.getfloat("DOWNLOAD_DELAY")
        self._acquire = None
        #: the slots this worker holds: token -> the host's in-flight key
        self.held: dict[str, str] = {}
        self.task = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        config = LinkspiderConfig.from_settings(crawler.settings)
        if not config.redis_url:
            raise NotConfigured
        middleware = cls(crawler, config.redis_lease)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        self.task = create_looping_call(self.renew)
        self.task.start(max(self.lease_ms / 4000, 0.05), now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def renew(self) -> None:
        """Push the expiry of every slot this worker holds a lease further."""
        shared = CrawlContext.of(self.crawler).shared
        if shared is None or not self.held:
            return
        with contextlib.suppress(Exception):  # Redis away for a moment: the next renewal
            expires = shared.redis_time_ms() + self.lease_ms
            pipe = shared.redis.pipeline(transaction=False)
            for token, key in list(self.held.items()):
                pipe.zadd(key, {token: expires}, xx=True)
                pipe.pexpire(key, self.lease_ms * 4)
            pipe.execute()

    def _delay_of(self, request: Request) -> float:
        """The worker's current delay for the request's host (AutoThrottle adjusts it)."""
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        if downloader is not None:
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None:
                return slot.delay
        return self.delay

    async def process_request(self, request: Request) -> None:
        shared = CrawlContext.of(self.crawler).shared
        host = urlparse_cached(request).hostname
        if shared is None or not host:
            return None
        if self._acquire is None:
            self._acquire = shared.redis.register_script(_ACQUIRE)
        prefix = f"{shared.prefix}host:{host}"
        token = f"{shared.worker}:{uuid.uuid4().hex[:12]}"
        stats = self.crawler.stats
        waited = full = 0.0
        while True:
            delay_ms = int(self._delay_of(request) * 1000)
            wait_ms = int(
                self._acquire(
                    keys=[prefix + ":flight", prefix + ":next"],
                    args=[token, self.concurrency, delay_ms, self.lease_ms],
                )
            )
            if wait_ms == 0:
                break
            if wait_ms < 0:  # every slot taken: one frees when a response arrives
                full = min(full * 2, 0.2) if full else 0.005
                pause = full
            else:
                pause = min(wait_ms, 1000) / 1000
            waited += pause
            await asyncio.sleep(pause)  # the host's pace, set by every worker's requests
        if waited:
            stats.inc_value("linkspider/shared/polite_waits")
            stats.inc_value("linkspider/shared/polite_wait_seconds", round(waited, 3))
        request.meta[TOKEN] = (prefix + ":flight", token)
        self.held[token] = prefix + ":flight"
        return None

    def _release(self, request: Request) -> None:
        held = request.meta.pop(TOKEN, None)
        shared = CrawlContext.of(self.crawler).shared
        if held is not None:
            self.held.pop(held[1], None)
        if held is not None and shared is not None:
            with contextlib.suppress(Exception):  # else the lease expires by itself
                shared.redis.zrem(*held)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
        return None
