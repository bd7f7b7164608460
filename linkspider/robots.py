"""robots.txt by RFC 9309, including what to do when it cannot be read.

Scrapy's ``RobotsTxtMiddleware`` allows everything when robots.txt times out or
the server fails.  RFC 9309 (section 2.3.1.3-4) says otherwise:

* **unavailable** (a 4xx status): the crawler may access any resource;
* **unreachable** (a 5xx status, or a network error, after Scrapy's retries):
  the crawler must assume complete disallow.

So a host whose robots.txt is unreachable is not crawled in this crawl: each of
its pages gets a row with ``error = "robots.txt unreachable"`` (stat
``linkspider/skipped/robots_unreachable``), and a later crawl asks again.  A
robots.txt that redirects is followed (Scrapy's RedirectMiddleware, at most
``REDIRECT_MAX_TIMES`` hops).
"""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from linkspider.context import CrawlContext

logger = logging.getLogger(__name__)


class RobotsUnreachable(IgnoreRequest):
    """The host's robots.txt could not be read: nothing of the host is fetched (RFC 9309)."""


class _Everything:
    """A robots.txt that allows everything (RFC 9309: unavailable, 4xx)."""

    def allowed(self, url: str, user_agent: str) -> bool:
        return True


class _Nothing:
    """A robots.txt that disallows everything (RFC 9309: unreachable)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def allowed(self, url: str, user_agent: str) -> bool:
        return False


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's unavailable and unreachable cases.

    In a shared crawl (``LINKSPIDER_REDIS_URL``) what a worker learnt of a host's
    robots.txt is kept in Redis (``linkspider:ID:robots``, by host and port): the other
    workers use it instead of fetching it again.
    """

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        shared = CrawlContext.of(self.crawler).shared
        if shared is not None and netloc not in self._parsers:
            # one worker fetches a host's robots.txt; the others wait for what it learns
            known = shared.robots(netloc)
            pause = 0.05
            while known is None and not shared.claim_robots(netloc):
                await asyncio.sleep(pause)  # another worker is fetching it
                pause = min(pause * 2, 1.0)
                known = shared.robots(netloc)
            if netloc in self._parsers:  # learnt meanwhile by another request of this worker
                known = None
            if known is not None:
                self._stats.inc_value("linkspider/shared/robots_reused")
                self._parsers[netloc] = self._from_shared(known)
        return await super().robot_parser(request)

    def _from_shared(self, known: str):
        kind, _, rest = known.partition(":")
        if kind == "all":
            return _Everything()
        if kind == "none":
            return _Nothing(rest)
        return build_from_crawler(self._parserimpl, self.crawler, rest.encode("utf-8"))

    def _share(self, netloc: str, known: str) -> None:
        shared = CrawlContext.of(self.crawler).shared
        if shared is not None:
            shared.set_robots(netloc, known)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 400:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            if response.status >= 500:
                reason = f"robots.txt unreachable (HTTP {response.status})"
                self._settle(netloc, _Nothing(reason))
            else:
                self._settle(netloc, _Everything())
            return
        self._share(netloc, "body:" + response.body.decode("utf-8", "replace"))
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # refused by an earlier middleware: it says why
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        message = str(exc) or type(exc).__name__
        self._settle(netloc, _Nothing(f"robots.txt unreachable ({type(exc).__name__}: {message})"))

    def _settle(self, netloc: str, parser: _Everything | _Nothing) -> None:
        self._share(netloc, "all:" if isinstance(parser, _Everything) else f"none:{parser.reason}")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if hasattr(waiting, "callback"):
            waiting.callback(parser)

    def process_request_2(self, rp, request: Request) -> None:
        if isinstance(rp, _Nothing):
            self._stats.inc_value("linkspider/skipped/robots_unreachable")
            raise RobotsUnreachable(rp.reason[:300])
        super().process_request_2(rp, request)
