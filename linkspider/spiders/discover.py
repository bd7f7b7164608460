"""``scrapy crawl discover``: crawl a seed set and record every outbound edge.

The spider is the glue between the crawl's parts: which URLs to fetch is the
:class:`~linkspider.frontier.Frontier`'s business, the crawl's id and
crash-safe state the :class:`~linkspider.context.CrawlContext`'s, the
browser round-trip the :class:`~linkspider.render.RenderCoordinator`'s, and
the parse :class:`~linkspider.middlewares.ExtractionMiddleware`'s.  The spider
turns each response's extraction into requests and a page row.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from linkspider.config import RENDER_MODES
from linkspider.context import CrawlContext
from linkspider.domains import registered_domain
from linkspider.extract import Extraction
from linkspider.frontier import SCOPES
from linkspider.items import CrawledPage
from linkspider.middlewares import EXTRACTION
from linkspider.recrawl import CARRIED_PAGE_COLUMNS, EarlierCrawl
from linkspider.render import RenderAddon, RenderCoordinator
from linkspider.robots import RobotsUnreachable
from linkspider.safety import PrivateAddressRefused
from linkspider.seeds import load_seeds
from linkspider.urls import host_of

_CRAWL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Edge types that lead to pages worth fetching.
FOLLOW_TYPES = frozenset(("text", "image", "area", "canonical", "refresh", "redirect"))
BROWSER_ADVICE = (
    "install a Chromium (Debian/Ubuntu: apt-get install chromium), or run "
    "'uv run playwright install chromium', or set -s LINKSPIDER_BROWSER=/path/to/chrome"
)


def _int_arg(name: str, value: Any, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"-a {name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ValueError(f"-a {name}={value!r}: must be >= {minimum}")
    return number


@dataclass(frozen=True)
class CrawlArguments:
    """The spider's arguments (``-a name=value``), checked: see the README."""

    seeds: list[str]
    scope: str
    max_depth: int
    max_pages_per_domain: int
    crawl_id: str
    crawl_id_given: bool
    render: str
    #: the crawl this one recrawls with conditional requests (``-a recrawl=CRAWL_ID``)
    recrawl: str | None = None

    @classmethod
    def parse(
        cls,
        seeds: str | None = None,
        scope: str = "site",
        max_depth: int | str = 3,
        max_pages_per_domain: int | str = 1000,
        crawl_id: str | None = None,
        render: str = "auto",
        recrawl: str | None = None,
    ) -> CrawlArguments:
        """Raises ``ValueError`` naming the argument (``-a scope='x': ...``)."""
        if render not in RENDER_MODES:
            raise ValueError(f"-a render={render!r}: expected one of {', '.join(RENDER_MODES)}")
        if scope not in SCOPES:
            raise ValueError(f"-a scope={scope!r}: expected one of {', '.join(SCOPES)}")
        name = crawl_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if not _CRAWL_ID.match(name):
            raise ValueError(
                f"-a crawl_id={name!r}: use letters, digits, '.', '_' or '-' "
                "(at most 128 characters, not starting with '.' '_' or '-')"
            )
        return cls(
            seeds=load_seeds(seeds),
            scope=scope,
            max_depth=_int_arg("max_depth", max_depth),
            max_pages_per_domain=_int_arg("max_pages_per_domain", max_pages_per_domain, 1),
            crawl_id=name,
            crawl_id_given=bool(crawl_id),
            render=render,
            recrawl=recrawl or None,
        )


def _request_meta(depth: int, redirects: int) -> dict:
    """Every request: the spider sees every status and handles redirects itself, and the
    URL is sent as the URL standard serialized it (Scrapy would re-encode ``|``, ``[``,
    ``]`` or a trailing ``?``): one form of each URL in edges, page rows, the crawl state
    and on the wire."""
    return {
        "depth": depth,
        "linkspider_redirects": redirects,
        "handle_httpstatus_all": True,
        "dont_redirect": True,
        "verbatim_url": True,
        EXTRACTION: None,  # linkspider.middlewares.ExtractionMiddleware fills it in
    }


def _header(response, name: str) -> str | None:
    """A response header as text (None if absent, or on a response without headers)."""
    headers = getattr(response, "headers", None)
    value = headers.get(name) if headers is not None else None
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return text[:1024] or None


class _PlainResponse:
    """What the spider needs of a plain response whose render failed."""

    def __init__(self, url: str, status: int, body_size: int, meta: dict) -> None:
        self.url = url
        self.status = status
        self.body_size = body_size
        self.meta = meta
        self.request = None


class DiscoverSpider(Spider):
    """Breadth-first discovery crawl.

    Arguments (``-a name=value``): ``seeds``, ``scope`` (site|web),
    ``max_depth``, ``max_pages_per_domain``, ``crawl_id``, ``render``.  See the README.
    """

    name = "discover"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = (
            "seeds", "scope", "max_depth", "max_pages_per_domain", "crawl_id", "render", "recrawl",
        )  # fmt: skip
        given = {name: kwargs.pop(name) for name in names if name in kwargs}
        super().__init__(*args, **kwargs)
        self.given_arguments = {name: str(value) for name, value in given.items()}
        self.earlier = None
        #: url -> (ETag, Last-Modified) of the recrawled crawl's pages
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        if not given.get("recrawl"):  # a recrawl's defaults come from its crawl (from_crawler)
            self.arguments = CrawlArguments.parse(**given)
            self.render = self.arguments.render

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        context = spider.context = CrawlContext.of(crawler)
        config = context.config
        root, recrawl = context.root, spider.given_arguments.get("recrawl")
        if context.staging is not None and recrawl:  # the earlier crawl's pages, from the bucket
            context.staging.pull_crawl(recrawl, ["pages"])
        earlier_urls = spider._open_recrawl(root)
        arguments = spider.arguments
        frontier = context.make_frontier(
            arguments.crawl_id,
            arguments.scope,
            {registered_domain(host_of(u)) for u in arguments.seeds},
            arguments.max_pages_per_domain,
            config.trap_rules,
        )
        seeds = [(u, registered_domain(host_of(u)), 0, 0) for u in arguments.seeds]
        seeds += [(u, registered_domain(host_of(u)), depth, 0) for u, depth in earlier_urls]
        description = {
            "seeds": list(arguments.seeds),
            "scope": arguments.scope,
            "spider_arguments": spider.given_arguments,
        }
        context.open(arguments.crawl_id, arguments.crawl_id_given, frontier, seeds, description)
        spider.crawl_id = context.crawl_id
        spider.frontier = frontier
        spider.max_redirects = config.max_redirects
        spider.renders = RenderCoordinator(
            spider.render, config.render_budget_per_domain, config.render_context_recycle
        )
        spider.earlier_urls = earlier_urls
        return spider

    def _open_recrawl(self, output: str) -> list[tuple[str, int]]:
        """``-a recrawl=CRAWL_ID``: open the earlier crawl, take its arguments as defaults,
        and return its pages' ``(url, depth)`` to fetch again."""
        recrawl = self.given_arguments.get("recrawl")
        if not recrawl:
            return []
        earlier = EarlierCrawl(output, recrawl)
        try:
            given = dict(self.given_arguments)
            self.arguments = CrawlArguments.parse(**{**earlier.arguments, **given})
            urls = earlier.urls()
        except BaseException:
            earlier.close()
            raise
        self.earlier = earlier
        self.render = self.arguments.render
        self.validators = {u: (etag, modified) for u, _, etag, modified in urls if etag or modified}
        self.crawler.signals.connect(self._close_recrawl, signal=signals.spider_closed)
        self.logger.info(
            "recrawl of %s: %d pages, %d with a validator for a conditional request",
            recrawl, len(urls), len(self.validators),
        )  # fmt: skip
        return [(u, depth) for u, depth, _, _ in urls]

    def _close_recrawl(self) -> None:
        if self.earlier is not None:
            self.earlier.close()

    def _check_browser(self) -> None:
        """Without a browser: ``render=auto`` fetches plainly (one warning), ``always`` stops."""
        if self.render == "never":
            return
        addon = self.crawler.get_addon(RenderAddon)
        browser = addon.browser if addon is not None else None
        if browser is None:
            if self.render == "always":
                raise ValueError(f"-a render=always: no browser found; {BROWSER_ADVICE}")
            self.logger.warning(
                "render=auto: no browser found, pages are fetched without JavaScript "
                "rendering; to render, %s",
                BROWSER_ADVICE,
            )
            self.render = "never"
            return
        self.logger.info("JavaScript rendering (render=%s) with %s", self.render, browser)

    # -- requests -----------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self._check_browser()  # the add-ons are set up by now
        arguments = self.arguments
        self.logger.info(
            "crawl %s: %d seeds, scope=%s, max_depth=%d, max_pages_per_domain=%d",
            self.crawl_id,
            len(arguments.seeds),
            arguments.scope,
            arguments.max_depth,
            arguments.max_pages_per_domain,
        )
        resumed = self.context.resumed
        if resumed is not None:  # what the previous run left to fetch, if anything
            for url, _domain, depth, redirects in resumed.queued:
                yield self._request(url, depth, redirects)
            return
        # a shared crawl: every worker offers the seeds, the shared frontier queues each once
        candidates = [(url, registered_domain(host_of(url)), 0, 0) for url in arguments.seeds]
        # a recrawl: every page of the earlier crawl
        candidates += [(u, registered_domain(host_of(u)), d, 0) for u, d in self.earlier_urls]
        for request in self._schedule(candidates):
            yield request

    def _schedule(self, candidates: list[tuple[str, str, int, int]]) -> list[Request]:
        """Requests for the ``(url, domain, depth, redirects)`` the frontier admits (counted
        either way).  A shared crawl's frontier queues them in Redis: no request here."""
        if not candidates:
            return []
        stats = self.crawler.stats
        shared = self.context.shared is not None
        requests = []
        try:
            admitted = self.frontier.admit_many(candidates)
        except Exception as exc:
            if shared:
                import redis

                if isinstance(exc, redis.RedisError):  # the shared crawl's Redis is gone
                    from linkspider.shared_worker import redis_lost

                    redis_lost(self.crawler, exc)
            raise
        for (_, domain, depth, redirects), (url, reason) in zip(candidates, admitted, strict=True):
            if url is None:
                if reason not in ("seen", "out_of_scope"):
                    stats.inc_value(f"linkspider/{reason}")
                continue
            stats.inc_value("linkspider/requests_scheduled")
            if not shared:
                self.context.discovered(url, domain, depth, redirects)
                requests.append(self._request(url, depth, redirects))
        return requests

    def request_for(self, url: str, depth: int, redirects: int) -> Request:
        """The request of a URL the shared queue handed this worker."""
        return self._request(url, depth, redirects)

    def _request(self, url: str, depth: int, redirects: int) -> Request:
        if self.render == "always":
            return self._render_request(url, depth, redirects, fallback=None)
        # dont_filter: the frontier (persisted with JOBDIR) is the one authority on
        # what was scheduled.
        headers = {}
        validators = self.validators.get(url)
        if validators is not None:  # a recrawl: fetch it only if it changed
            etag, modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            self.crawler.stats.inc_value("linkspider/recrawl/conditional_requests")
        return Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            dont_filter=True,
            headers=headers or None,
            meta={**_request_meta(depth, redirects), "linkspider_conditional": bool(headers)},
        )

    def _render_request(
        self, url: str, depth: int, redirects: int, fallback: tuple | None
    ) -> Request:
        """The same URL through the browser."""
        return Request(
            url,
            callback=self.parse_rendered,
            errback=self.on_render_error,
            dont_filter=True,
            meta={
                **_request_meta(depth, redirects),
                **self.renders.request_meta(),
                "linkspider_fallback": fallback,
            },
        )

    # -- responses ----------------------------------------------------------

    def parse(self, response: Response) -> Iterator[CrawledPage | Request]:
        if response.status == 304 and response.meta.get("linkspider_conditional"):
            yield from self._unchanged(response)
            return
        extraction, fetched_at = response.meta.pop(EXTRACTION)
        depth = response.meta.get("depth", 0)
        if extraction.render_hint and self.render == "auto":
            stats = self.crawler.stats
            stats.inc_value("linkspider/render/candidates")
            if self.renders.within_budget(extraction.domain):
                yield self._render_request(
                    response.url,
                    depth,
                    response.meta.get("linkspider_redirects", 0),
                    fallback=(extraction, fetched_at, response.status, len(response.body)),
                )
                return
            stats.inc_value("linkspider/render/budget_exhausted")
        yield from self._emit(extraction, response, fetched_at, depth)

    def _emit(
        self,
        extraction: Extraction,
        response: Response,
        fetched_at: datetime,
        depth: int,
        rendered: bool = False,
        render_error: str | None = None,
    ) -> Iterator[CrawledPage | Request]:
        # Requests first: every URL a page discovers is recorded before the
        # page's own row can be committed (see linkspider.state).
        yield from self._follow(extraction, response, depth)
        item = self._page_item(extraction, response, fetched_at, depth)
        item.rendered = rendered
        item.render_error = render_error
        yield item

    async def parse_rendered(self, response: Response):
        """A page rendered by the browser: same extraction, same rows, ``rendered`` set."""
        await self.renders.release(response.request.meta)
        self.crawler.stats.inc_value("linkspider/render/rendered")
        extraction, fetched_at = response.meta.pop(EXTRACTION)
        for output in self._emit(
            extraction, response, fetched_at, response.meta.get("depth", 0), rendered=True
        ):
            yield output

    async def on_render_error(self, failure: Failure):
        """A render that failed (timeout, crashed browser) costs that page only."""
        request = failure.request
        await self.renders.release(request.meta)
        self.crawler.stats.inc_value("linkspider/render/failed")
        message = f"{failure.type.__name__}: {failure.value}"[:500]
        self.logger.warning("rendering %s failed: %s", request.url, message.splitlines()[0])
        fallback = request.meta.get("linkspider_fallback")
        if fallback is None:  # render=always: there is no plain result to fall back on
            for item in self.on_error(failure):
                item.rendered = True
                item.render_error = message
                yield item
            return
        extraction, fetched_at, status, size = fallback
        plain = _PlainResponse(request.url, status, size, request.meta)
        for output in self._emit(
            extraction, plain, fetched_at, request.meta.get("depth", 0), render_error=message
        ):
            yield output

    def _unchanged(self, response: Response) -> Iterator[CrawledPage | Request]:
        """A 304 to a recrawl's conditional request: the earlier crawl's row and edges,
        carried forward without parsing."""
        url = response.request.url
        depth = response.meta.get("depth", 0)
        row = self.earlier.page(url)
        edges = self.earlier.edges(url)
        self.crawler.stats.inc_value("linkspider/recrawl/unchanged")
        self.crawler.stats.inc_value("linkspider/recrawl/edges_carried", len(edges))
        yield from self._follow_edges(edges, depth)
        carried = {name: row[name] for name in CARRIED_PAGE_COLUMNS}
        carried["etag"] = _header(response, "ETag") or carried["etag"]
        carried["last_modified"] = _header(response, "Last-Modified") or carried["last_modified"]
        carried["topic_terms"] = list(carried["topic_terms"] or [])
        carried["topic_weights"] = list(carried["topic_weights"] or [])
        yield CrawledPage(
            url=url, status=304, fetched_at=datetime.now(UTC), depth=depth, error=None,
            unchanged=True, edges=edges, **carried,
        )  # fmt: skip

    def _follow_edges(self, edges, depth: int) -> Iterator[Request]:
        """Requests for the edges of a page (not a redirect) at ``depth``."""
        if depth >= self.arguments.max_depth:
            return
        frontier = self.frontier
        yield from self._schedule(
            [
                (edge.target_url, edge.target_domain, depth + 1, 0)
                for edge in edges
                if edge.link_type in FOLLOW_TYPES and frontier.in_scope(edge.target_domain)
            ]
        )

    def _follow(self, extraction: Extraction, response: Response, depth: int) -> Iterator[Request]:
        frontier = self.frontier
        if 300 <= response.status < 400:
            redirects = response.meta.get("linkspider_redirects", 0) + 1
            if redirects > self.max_redirects:
                self.crawler.stats.inc_value("linkspider/skipped/redirect_chain_too_long")
                return
            candidates = []
            for edge in extraction.edges:
                if depth == 0:  # a seed that moved: its new home is in scope too
                    frontier.add_domain(edge.target_domain)
                if frontier.in_scope(edge.target_domain):
                    candidates.append((edge.target_url, edge.target_domain, depth, redirects))
            yield from self._schedule(candidates)
            return
        yield from self._follow_edges(extraction.edges, depth)

    def _page_item(
        self, extraction: Extraction, response: Response, fetched_at: datetime, depth: int
    ) -> CrawledPage:
        return CrawledPage(
            url=response.request.url if response.request is not None else response.url,
            host=extraction.host,
            domain=extraction.domain,
            status=response.status,
            fetched_at=fetched_at,
            depth=depth,
            content_type=extraction.content_type,
            encoding=extraction.encoding,
            title=extraction.title,
            canonical_url=extraction.canonical_url,
            lang=extraction.lang,
            meta_robots=extraction.meta_robots,
            x_robots_tag=extraction.x_robots_tag,
            bytes=response.body_size
            if isinstance(response, _PlainResponse)
            else len(response.body),
            error=extraction.error,
            edges_dropped=extraction.edges_dropped,
            topic_terms=extraction.topic_terms,
            topic_weights=extraction.topic_weights,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            edges=extraction.edges,
        )

    def on_error(self, failure: Failure) -> Iterator[CrawledPage]:
        """A request that produced no response (or one filtered out): a page row with the reason."""
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
        if failure.check(PrivateAddressRefused, RobotsUnreachable):
            error = str(failure.value)
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            error = "robots.txt disallowed"
            self.crawler.stats.inc_value("linkspider/skipped/robots_txt")
        else:
            message = str(failure.value) or failure.type.__name__
            error = f"{failure.type.__name__}: {message}"[:500]
        self.crawler.stats.inc_value("linkspider/pages_failed")
        host = host_of(request.url)
        yield CrawledPage(
            url=request.url,
            host=host,
            domain=registered_domain(host),
            status=status,
            fetched_at=datetime.now(UTC),
            depth=request.meta.get("depth", 0),
            error=error,
        )
