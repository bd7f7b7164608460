"""Politeness across the workers of a shared crawl: one host, one pace.

Each worker's Scrapy keeps its own per-host limits (``CONCURRENT_REQUESTS_PER_DOMAIN``,
``DOWNLOAD_DELAY`` or AutoThrottle's delay); N workers alone would hit a host N times
as hard.  This downloader middleware makes a request to a host wait, before it is
downloaded, until the host has a free slot in Redis (``linkspider:ID:host:HOST``):

* at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests to the host in flight across
  all workers (each a lease that ends with the response or error; its worker's
  heartbeat renews it, so a dead worker's slots free themselves after
  ``LINKSPIDER_REDIS_LEASE``, as its requests do);
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

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from linkspider.config import LinkspiderConfig
from linkspider.context import CrawlContext

#: request meta: the politeness slot the request holds
TOKEN = "linkspider_polite_token"


class SharedPoliteness:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.concurrency = max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 1)
        self.delay = settings.getfloat("DOWNLOAD_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        if not LinkspiderConfig.from_settings(crawler.settings).redis_url:
            raise NotConfigured
        return cls(crawler)

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
        token = f"{shared.worker}:{uuid.uuid4().hex[:12]}"
        waited = full = 0.0
        while True:
            delay_ms = int(self._delay_of(request) * 1000)
            wait_ms = shared.take_slot(host, token, self.concurrency, delay_ms)
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
            stats = self.crawler.stats
            stats.inc_value("linkspider/shared/polite_waits")
            stats.inc_value("linkspider/shared/polite_wait_seconds", round(waited, 3))
        request.meta[TOKEN] = token
        return None

    def _release(self, request: Request) -> None:
        token = request.meta.pop(TOKEN, None)
        shared = CrawlContext.of(self.crawler).shared
        if token is not None and shared is not None:
            with contextlib.suppress(Exception):  # else the slot's lease expires by itself
                shared.release_slot(token)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
        return None
