"""Spider middleware that runs the extraction core once per response."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from scrapy.crawler import Crawler
from scrapy.http import Response

from linkspider.extract import Extraction, Limits, extract, lower_headers

logger = logging.getLogger(__name__)

#: ``response.meta`` key under which the spider finds the extraction.
META_KEY = "linkspider_extraction"


class LinkExtractionMiddleware:
    """Parse each response exactly once and hand the result to the spider.

    The spider's callback reads ``response.meta[META_KEY]`` (an
    :class:`~linkspider.extract.Extraction`) to build its item and to decide
    which links to follow, so no page is parsed twice.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.limits = Limits(
            max_text_length=settings.getint("LINKSPIDER_MAX_TEXT_LENGTH"),
            max_edges=settings.getint("LINKSPIDER_MAX_EDGES_PER_PAGE"),
            max_url_length=settings.getint("LINKSPIDER_MAX_EDGE_URL_LENGTH"),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkExtractionMiddleware:
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        started = time.perf_counter()
        headers = response.headers
        if response.meta.get("playwright"):
            # the browser's DOM, serialized by scrapy-playwright in this encoding
            charset = getattr(response, "encoding", "utf-8")
            headers = {**lower_headers(headers), "content-type": f"text/html; charset={charset}"}
        result: Extraction = extract(
            response.body,
            response.url,
            headers,
            status=response.status,
            limits=self.limits,
        )
        stats = self.stats
        stats.inc_value("linkspider/extract_seconds", time.perf_counter() - started)
        stats.inc_value("linkspider/pages_extracted")
        stats.inc_value("linkspider/edges_extracted", len(result.edges))
        if result.edges_dropped:
            stats.inc_value("linkspider/edges_dropped", result.edges_dropped)
            stats.inc_value("linkspider/pages_edge_cap_hit")
        if result.error:
            stats.inc_value("linkspider/pages_with_error")
        response.meta[META_KEY] = (result, datetime.now(UTC))
