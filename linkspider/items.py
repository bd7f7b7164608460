"""The one item the spider yields per fetched (or failed) URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from linkspider.extract import Edge


@dataclass(slots=True, repr=False)
class CrawledPage:
    """A ``pages`` row and the page's edges, written by the Parquet pipeline."""

    url: str
    host: str
    domain: str
    status: int | None
    fetched_at: datetime
    depth: int
    content_type: str | None = None
    encoding: str | None = None
    title: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    meta_robots: str | None = None
    x_robots_tag: str | None = None
    bytes: int | None = None
    error: str | None = None
    edges_dropped: int = 0
    rendered: bool = False
    render_error: str | None = None
    topic_terms: list[str] = field(default_factory=list)
    topic_weights: list[float] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    #: a 304 to a recrawl: the row and edges are the earlier crawl's
    unchanged: bool = False
    edges: list[Edge] = field(default_factory=list)

    @property
    def outlink_count(self) -> int:
        return len(self.edges)

    def __repr__(self) -> str:
        # Scrapy logs items at DEBUG level: a summary, not 20,000 edges
        """
        >>> CrawledPage("http://a.test/", "a.test", "a.test", 200, None, 0)
        <CrawledPage http://a.test/ status=200 edges=0>
        """
        extra = f" error={self.error!r}" if self.error else ""
        rendered = " rendered" if self.rendered else ""
        return f"<CrawledPage {self.url} status={self.status} edges={len(self.edges)}{rendered}{extra}>"
