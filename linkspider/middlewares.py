"""The Scrapy component that parses each page once: a downloader middleware."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from linkspider.context import CrawlContext
from linkspider.extract import lower_headers
from linkspider.extractor import Extractor

logger = logging.getLogger(__name__)

#: ``request.meta`` key: present (None) on the requests whose responses are extracted;
#: on the response, ``(Extraction, fetched_at)``.
EXTRACTION = "linkspider_extraction"


class ExtractionMiddleware:
    """Downloader middleware: extract each page response once, before the spider sees it.

    It sits closest to the engine (its ``process_response`` runs last), so the
    response it reads is decompressed and final.  Only the spider's page
    requests carry :data:`EXTRACTION`; robots.txt and the like pass untouched.
    """

    def __init__(self, crawler: Crawler) -> None:
        config = CrawlContext.of(crawler).config
        self.stats = crawler.stats
        self.extractor = Extractor(
            workers=config.extract_workers,
            timeout=config.extract_timeout,
            memory_mb=config.extract_memory,
            limits=config.limits,
        )
        crawler.signals.connect(self.extractor.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if EXTRACTION not in request.meta:
            return response
        if response.status == 304 and request.meta.get("linkspider_conditional"):
            return response  # a recrawl's page that did not change: nothing to parse
        headers = response.headers
        if request.meta.get("playwright"):
            # the browser's DOM, serialized by scrapy-playwright in this encoding
            charset = getattr(response, "encoding", "utf-8")
            headers = {**lower_headers(headers), "content-type": f"text/html; charset={charset}"}
        extraction, seconds = await self.extractor.extract(
            response.body, response.url, headers, response.status
        )
        stats = self.stats
        stats.inc_value("linkspider/extract_seconds", seconds)
        stats.inc_value("linkspider/pages_extracted")
        stats.inc_value("linkspider/edges_extracted", len(extraction.edges))
        if extraction.edges_dropped:
            stats.inc_value("linkspider/edges_dropped", extraction.edges_dropped)
            stats.inc_value("linkspider/pages_edge_cap_hit")
        if extraction.bounded:
            stats.inc_value("linkspider/pages_bounded")
        if extraction.error:
            stats.inc_value("linkspider/pages_with_error")
        request.meta[EXTRACTION] = (extraction, datetime.now(UTC))  # the response's meta
        return response
