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

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

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
    """Scrapy's robots.txt middleware, with RFC 9309's unavailable and unreachable cases."""

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
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):  # refused by an earlier middleware: it says why
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        message = str(exc) or type(exc).__name__
        self._settle(netloc, _Nothing(f"robots.txt unreachable ({type(exc).__name__}: {message})"))

    def _settle(self, netloc: str, parser: _Everything | _Nothing) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if hasattr(waiting, "callback"):
            waiting.callback(parser)

    def process_request_2(self, rp, request: Request) -> None:
        if isinstance(rp, _Nothing):
            self._stats.inc_value("linkspider/skipped/robots_unreachable")
            raise RobotsUnreachable(rp.reason[:300])
        super().process_request_2(rp, request)
