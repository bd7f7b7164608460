"""The Scrapy component that parses each page once: a downloader middleware."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from linkspider.extract import Limits, lower_headers
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
        settings = crawler.settings
        self.stats = crawler.stats
        self.extractor = Extractor(
            workers=settings.getint("LINKSPIDER_EXTRACT_WORKERS"),
            timeout=settings.getfloat("LINKSPIDER_EXTRACT_TIMEOUT"),
            memory_mb=settings.getint("LINKSPIDER_EXTRACT_MEMORY"),
            limits=Limits(
                max_text_length=settings.getint("LINKSPIDER_MAX_TEXT_LENGTH"),
                max_edges=settings.getint("LINKSPIDER_MAX_EDGES_PER_PAGE"),
                max_url_length=settings.getint("LINKSPIDER_MAX_EDGE_URL_LENGTH"),
                max_nesting_depth=settings.getint("LINKSPIDER_MAX_NESTING_DEPTH"),
                max_attributes=settings.getint("LINKSPIDER_MAX_ATTRIBUTES"),
            ),
        )
        crawler.signals.connect(self.extractor.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if EXTRACTION not in request.meta:
            return response
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
