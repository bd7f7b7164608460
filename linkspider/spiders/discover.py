"""``scrapy crawl discover``: crawl a seed set and record every outbound edge."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from linkspider.domains import registered_domain
from linkspider.extract import Extraction
from linkspider.guard import GuardProxy
from linkspider.items import CrawledPage
from linkspider.middlewares import EXTRACTION
from linkspider.render import (
    RENDER_MODES,
    find_browser,
    playwright_settings,
    proxy_from_environment,
)
from linkspider.robots import RobotsUnreachable
from linkspider.safety import PrivateAddressRefused
from linkspider.seeds import load_seeds
from linkspider.state import CrawlState, remove_uncommitted
from linkspider.traps import TrapRules, path_key, strip_session_ids, trap_reason
from linkspider.urls import host_of

_CRAWL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Edge types that lead to pages worth fetching.
FOLLOW_TYPES = frozenset(("text", "image", "area", "canonical", "refresh", "redirect"))
SCOPES = ("site", "web")


def _int_arg(name: str, value: Any, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"-a {name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ValueError(f"-a {name}={value!r}: must be >= {minimum}")
    return number


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
        EXTRACTION: None,  # linkspider.extractor.ExtractionMiddleware fills it in
    }


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
    ``max_depth``, ``max_pages_per_domain``, ``crawl_id``.  See the README.
    """

    name = "discover"

    def __init__(
        self,
        seeds: str | None = None,
        scope: str = "site",
        max_depth: int | str = 3,
        max_pages_per_domain: int | str = 1000,
        crawl_id: str | None = None,
        render: str = "auto",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if render not in RENDER_MODES:
            raise ValueError(f"-a render={render!r}: expected one of {', '.join(RENDER_MODES)}")
        self.render = render
        if scope not in SCOPES:
            raise ValueError(f"-a scope={scope!r}: expected one of {', '.join(SCOPES)}")
        self.scope = scope
        self.max_depth = _int_arg("max_depth", max_depth)
        self.max_pages_per_domain = _int_arg("max_pages_per_domain", max_pages_per_domain, 1)
        self.crawl_id = crawl_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if not _CRAWL_ID.match(self.crawl_id):
            raise ValueError(
                f"-a crawl_id={self.crawl_id!r}: use letters, digits, '.', '_' or '-' "
                "(at most 128 characters, not starting with '.' '_' or '-')"
            )
        self.seed_urls = load_seeds(seeds)
        self.allowed_domains_set = {registered_domain(host_of(u)) for u in self.seed_urls}
        self._scheduled: set[str] = set()
        self._per_domain: Counter[str] = Counter()
        self._query_variants: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.trap_rules = TrapRules(
            max_segment_repeats=settings.getint("LINKSPIDER_TRAP_MAX_SEGMENT_REPEATS"),
            max_path_segments=settings.getint("LINKSPIDER_TRAP_MAX_PATH_SEGMENTS"),
            max_url_length=settings.getint("LINKSPIDER_TRAP_MAX_URL_LENGTH"),
            max_query_variants=settings.getint("LINKSPIDER_TRAP_MAX_QUERY_VARIANTS"),
        )
        spider.max_redirects = settings.getint("LINKSPIDER_MAX_REDIRECTS")
        spider._setup_rendering(settings)
        spider.crawl_state = None
        spider._resume_queue = []
        jobdir = settings.get("JOBDIR")
        if jobdir:
            spider._open_state(jobdir, settings.get("LINKSPIDER_OUTPUT"), kwargs.get("crawl_id"))
        return spider

    def _setup_rendering(self, settings) -> None:
        """Find a browser and configure scrapy-playwright, or degrade (auto) / fail (always)."""
        self.render_budget = settings.getint("LINKSPIDER_RENDER_BUDGET_PER_DOMAIN")
        self._context_pages = max(1, settings.getint("LINKSPIDER_RENDER_CONTEXT_RECYCLE"))
        self._renders: Counter[str] = Counter()
        self._render_serial = 0
        self._open_render_pages: Counter[str] = Counter()
        self.guard: GuardProxy | None = None
        if self.render == "never":
            return
        browser = find_browser(settings.get("LINKSPIDER_BROWSER"))
        if browser is None:
            advice = (
                "install a Chromium (Debian/Ubuntu: apt-get install chromium), or run "
                "'uv run playwright install chromium', or set -s LINKSPIDER_BROWSER=/path/to/chrome"
            )
            if self.render == "always":
                raise ValueError(f"-a render=always: no browser found; {advice}")
            self.logger.warning(
                "render=auto: no browser found, pages are fetched without JavaScript "
                "rendering; to render, %s",
                advice,
            )
            self.render = "never"
            return
        guard_url = None
        if not settings.getbool("LINKSPIDER_ALLOW_PRIVATE_ADDRESSES"):
            # every byte the browser sends goes through the same checks as plain requests
            upstream = proxy_from_environment()
            self.guard = GuardProxy(upstream["server"] if upstream else None)
            guard_url = self.guard.start()
        settings.setdict(playwright_settings(settings, browser, guard_url), priority="spider")
        self.logger.info("JavaScript rendering (render=%s) with %s", self.render, browser)

    def closed(self, reason: str) -> None:
        """Stop the browser's guard proxy, and count what it refused."""
        if self.guard is not None:
            self.guard.stop()
            if self.guard.refused:
                self.crawler.stats.set_value(
                    "linkspider/render/guard_refused", len(self.guard.refused)
                )
                self.logger.warning(
                    "the browser tried %d requests to private addresses, all refused (first: %s)",
                    len(self.guard.refused),
                    "; ".join(f"{d}: {r}" for d, r in self.guard.refused[:3]),
                )

    def _open_state(self, jobdir: str, output: str, requested_crawl_id: str | None) -> None:
        """Resume from ``JOBDIR`` if a previous run left state there, else start one."""
        state = CrawlState(jobdir)
        self.crawl_state = state
        resumed = state.load()
        if resumed is None:
            seeds = [(u, registered_domain(host_of(u)), 0, 0) for u in self.seed_urls]
            state.start(self.crawl_id, self.allowed_domains_set, seeds)
            return
        if requested_crawl_id and requested_crawl_id != resumed.crawl_id:
            raise ValueError(
                f"-a crawl_id={requested_crawl_id!r}: JOBDIR {jobdir} holds crawl "
                f"{resumed.crawl_id!r}; resume it without crawl_id or use another JOBDIR"
            )
        self.crawl_id = resumed.crawl_id
        self.allowed_domains_set = resumed.allowed_domains
        self._scheduled = resumed.known
        self._per_domain = Counter(resumed.per_domain)
        self._query_variants = Counter(path_key(u) for u in resumed.known if "?" in u)
        self.resumed_sequence = resumed.last_sequence
        removed = remove_uncommitted(output, self.crawl_id, resumed.committed_files)
        self._resume_queue = resumed.queued
        self.logger.info(
            "resuming crawl %s from %s: %d URLs known, %d still to fetch, "
            "%d uncommitted files removed",
            self.crawl_id,
            jobdir,
            len(resumed.known),
            len(resumed.queued),
            len(removed),
        )

    # -- requests -----------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self.logger.info(
            "crawl %s: %d seeds, scope=%s, max_depth=%d, max_pages_per_domain=%d",
            self.crawl_id,
            len(self.seed_urls),
            self.scope,
            self.max_depth,
            self.max_pages_per_domain,
        )
        if self._resume_queue:
            queue, self._resume_queue = self._resume_queue, []
            for url, _domain, depth, redirects in queue:
                yield self._request(url, depth, redirects)
            return
        if getattr(self, "resumed_sequence", None) is not None:
            return  # resumed, and nothing was left to fetch
        for url in self.seed_urls:
            request = self._schedule(url, registered_domain(host_of(url)), depth=0)
            if request is not None:
                yield request

    def _schedule(self, url: str, domain: str, depth: int, redirects: int = 0) -> Request | None:
        stats = self.crawler.stats
        url = strip_session_ids(url)
        if url in self._scheduled:
            return None
        reason = trap_reason(url, self.trap_rules)
        if reason is None and "?" in url:
            key = path_key(url)
            if self._query_variants[key] >= self.trap_rules.max_query_variants:
                reason = "query_variants"
            else:
                self._query_variants[key] += 1
        if reason is not None:
            stats.inc_value(f"linkspider/trap/{reason}")
            return None
        if self._per_domain[domain] >= self.max_pages_per_domain:
            stats.inc_value("linkspider/skipped/domain_page_cap")
            return None
        self._scheduled.add(url)
        self._per_domain[domain] += 1
        stats.inc_value("linkspider/requests_scheduled")
        if self.crawl_state is not None:
            self.crawl_state.discovered(url, domain, depth, redirects)
        return self._request(url, depth, redirects)

    def _request(self, url: str, depth: int, redirects: int) -> Request:
        if self.render == "always":
            return self._render_request(url, depth, redirects, fallback=None)
        # dont_filter: the spider's own seen-set (persisted with JOBDIR) is the
        # one authority on what was scheduled.
        return Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            dont_filter=True,
            meta=_request_meta(depth, redirects),
        )

    def _render_request(
        self, url: str, depth: int, redirects: int, fallback: tuple | None
    ) -> Request:
        """The same URL through the browser; contexts are recycled every N renders."""
        context = f"linkspider-{self._render_serial // self._context_pages}"
        self._render_serial += 1
        self._open_render_pages[context] += 1
        return Request(
            url,
            callback=self.parse_rendered,
            errback=self.on_render_error,
            dont_filter=True,
            meta={
                **_request_meta(depth, redirects),
                "playwright": True,
                "playwright_include_page": True,
                "playwright_context": context,
                "playwright_page_goto_kwargs": {"wait_until": "load"},
                "linkspider_fallback": fallback,
            },
        )

    async def _release_page(self, request: Request) -> None:
        """Close the render's page, and its context once retired and idle."""
        context = request.meta.get("playwright_context")
        page = request.meta.pop("playwright_page", None)
        if context:
            self._open_render_pages[context] -= 1
        if page is None:
            return
        browser_context = page.context
        try:
            await page.close()
            current = f"linkspider-{self._render_serial // self._context_pages}"
            if context != current and self._open_render_pages[context] <= 0:
                self._open_render_pages.pop(context, None)
                await browser_context.close()
        except Exception as exc:  # a dead browser: nothing left to close
            self.logger.debug("closing render page failed: %s", exc)

    def _in_scope(self, domain: str) -> bool:
        return self.scope == "web" or domain in self.allowed_domains_set

    # -- responses ----------------------------------------------------------

    def parse(self, response: Response) -> Iterator[CrawledPage | Request]:
        extraction, fetched_at = response.meta.pop(EXTRACTION)
        depth = response.meta.get("depth", 0)
        if extraction.render_hint and self.render == "auto":
            stats = self.crawler.stats
            stats.inc_value("linkspider/render/candidates")
            if self._renders[extraction.domain] < self.render_budget:
                self._renders[extraction.domain] += 1
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
        await self._release_page(response.request)
        self.crawler.stats.inc_value("linkspider/render/rendered")
        extraction, fetched_at = response.meta.pop(EXTRACTION)
        for output in self._emit(
            extraction, response, fetched_at, response.meta.get("depth", 0), rendered=True
        ):
            yield output

    async def on_render_error(self, failure: Failure):
        """A render that failed (timeout, crashed browser) costs that page only."""
        request = failure.request
        await self._release_page(request)
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

    def _follow(self, extraction: Extraction, response: Response, depth: int) -> Iterator[Request]:
        stats = self.crawler.stats
        if 300 <= response.status < 400:
            redirects = response.meta.get("linkspider_redirects", 0) + 1
            if redirects > self.max_redirects:
                stats.inc_value("linkspider/skipped/redirect_chain_too_long")
                return
            for edge in extraction.edges:
                if depth == 0 and edge.target_domain not in self.allowed_domains_set:
                    # a seed that moved: its new home is in scope too
                    self.allowed_domains_set.add(edge.target_domain)
                if self._in_scope(edge.target_domain):
                    request = self._schedule(edge.target_url, edge.target_domain, depth, redirects)
                    if request is not None:
                        yield request
            return
        if depth >= self.max_depth:
            return
        for edge in extraction.edges:
            if edge.link_type not in FOLLOW_TYPES:
                continue
            if not self._in_scope(edge.target_domain):
                continue
            request = self._schedule(edge.target_url, edge.target_domain, depth + 1)
            if request is not None:
                yield request

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
