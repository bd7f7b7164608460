"""Crawl progress: the ``linkspider/`` counters, live on a terminal, a log line elsewhere.

Counted for every page row the crawl records (whatever the display): ``linkspider/pages``,
``linkspider/edges``, ``linkspider/domains`` (registered domains with a page row),
``linkspider/page_errors`` (rows with an ``error``); sampled at each refresh:
``linkspider/queue`` (requests waiting), ``linkspider/in_progress`` (being downloaded),
``linkspider/pages_per_second`` (over the last ten seconds; at the end, over the crawl)
and ``linkspider/elapsed_seconds``.  Renders are ``linkspider/render/rendered``.

``LINKSPIDER_PROGRESS``: ``auto`` shows the counters on one line refreshed in place when
standard error is a terminal (log records are written above it), and as a log line every
``LINKSPIDER_PROGRESS_INTERVAL`` seconds otherwise; ``live`` and ``log`` force one way;
``off`` shows nothing (the counters are still kept).

>>> print(progress_line({"linkspider/pages": 1234, "linkspider/edges": 45678,
...     "linkspider/domains": 9, "linkspider/queue": 310, "linkspider/page_errors": 2,
...     "linkspider/render/rendered": 1, "linkspider/pages_per_second": 12.34}, 83.2))
1,234 pages (12.3/s) · 45,678 edges · 9 domains · queue 310 · 2 errors · 1 rendered · 0:01:23
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from collections import deque
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call

from linkspider.config import LinkspiderConfig
from linkspider.items import CrawledPage

logger = logging.getLogger(__name__)

#: Seconds between two refreshes of the line on a terminal.
LIVE_REFRESH = 1.0
#: The rate is measured over this many seconds.
RATE_WINDOW = 10.0


def progress_line(stats: dict[str, Any], elapsed: float) -> str:
    """The counters as one line."""
    rate = stats.get("linkspider/pages_per_second") or 0.0
    seconds = int(elapsed)
    clock = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    parts = [
        f"{stats.get('linkspider/pages', 0):,} pages ({rate:.1f}/s)",
        f"{stats.get('linkspider/edges', 0):,} edges",
        f"{stats.get('linkspider/domains', 0):,} domains",
        f"queue {stats.get('linkspider/queue', 0):,}",
        f"{stats.get('linkspider/page_errors', 0):,} errors",
        f"{stats.get('linkspider/render/rendered', 0):,} rendered",
        clock,
    ]
    return " · ".join(parts)


class Progress:
    """Keeps the counters; shows them as ``LINKSPIDER_PROGRESS`` says."""

    def __init__(self, crawler: Crawler, mode: str, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.interval = interval
        self.domains: set[str] = set()
        self.started = time.monotonic()
        self.samples: deque[tuple[float, int]] = deque()
        self.task = None
        self.status: _StatusLine | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        config = LinkspiderConfig.from_settings(crawler.settings)
        mode = config.progress
        if mode == "auto":
            mode = "live" if _terminal(sys.stderr) else "log"
        extension = cls(crawler, mode, config.progress_interval)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, CrawledPage):
            return
        stats = self.stats
        stats.inc_value("linkspider/pages")
        stats.inc_value("linkspider/edges", len(item.edges))
        if item.error is not None:
            stats.inc_value("linkspider/page_errors")
        if item.domain not in self.domains:
            self.domains.add(item.domain)
            stats.set_value("linkspider/domains", len(self.domains))

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        for name in ("pages", "edges", "domains", "page_errors"):
            self.stats.inc_value(f"linkspider/{name}", 0)  # present from the start, as 0
        if self.mode == "off":
            return
        if self.mode == "live":
            self.status = _StatusLine(sys.stderr)
            self.status.attach()
        self.task = create_looping_call(self.tick)
        self.task.start(LIVE_REFRESH if self.mode == "live" else self.interval, now=False)

    def sample(self) -> float:
        """Update the sampled counters; the seconds since the crawl opened."""
        now = time.monotonic()
        stats = self.stats
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None) if engine is not None else None
        try:
            queued = len(scheduler) if scheduler is not None else 0
        except TypeError:  # a scheduler without a length
            queued = 0
        stats.set_value("linkspider/queue", queued)
        downloader = getattr(engine, "downloader", None)
        stats.set_value("linkspider/in_progress", len(downloader.active) if downloader else 0)
        pages = stats.get_value("linkspider/pages", 0)
        self.samples.append((now, pages))
        while len(self.samples) > 2 and now - self.samples[0][0] > RATE_WINDOW:
            self.samples.popleft()
        first_time, first_pages = self.samples[0]
        if now > first_time:
            rate = (pages - first_pages) / (now - first_time)
        else:  # the first sample: since the crawl opened
            rate = pages / max(now - self.started, 1e-9)
        stats.set_value("linkspider/pages_per_second", round(rate, 2))
        elapsed = now - self.started
        stats.set_value("linkspider/elapsed_seconds", round(elapsed, 1))
        return elapsed

    def tick(self) -> None:
        elapsed = self.sample()
        line = progress_line(self.stats.get_stats(), elapsed)
        if self.status is not None:
            self.status.show(line)
        else:
            logger.info("progress: %s", line)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        elapsed = self.sample()
        pages = self.stats.get_value("linkspider/pages", 0)
        self.stats.set_value("linkspider/pages_per_second", round(pages / max(elapsed, 1e-9), 2))
        line = progress_line(self.stats.get_stats(), elapsed)
        if self.status is not None:
            self.status.show(line)
            self.status.detach()
            self.status = None
        elif self.mode == "log":
            logger.info("progress: %s (done)", line)


def _terminal(stream: IO[str] | None) -> bool:
    try:
        return bool(stream) and stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # closed or replaced by something without isatty
        return False


class _StatusLine:
    """One line at the bottom of the terminal, redrawn below each log record."""

    CLEAR = "\r\x1b[2K"

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.text = ""
        self.shown = False
        self.handlers: list[tuple[logging.StreamHandler, IO[str]]] = []

    def attach(self) -> None:
        """Route the log handlers that write to this terminal through the status line."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream in (
                self.stream,
                sys.__stderr__,
            ):
                self.handlers.append((handler, handler.stream))
                handler.setStream(_Interleaved(handler.stream, self))

    def detach(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False
        for handler, stream in self.handlers:
            handler.setStream(stream)
        self.handlers = []

    def show(self, text: str) -> None:
        width = shutil.get_terminal_size((120, 24)).columns
        self.text = text if len(text) < width else text[: max(width - 2, 1)] + "…"
        self.redraw()

    def redraw(self) -> None:
        if self.text:
            self.stream.write(f"{self.CLEAR}{self.text}")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write(self.CLEAR)
            self.shown = False


class _Interleaved:
    """A log handler's stream: clears the status line, writes, draws it again."""

    def __init__(self, stream: IO[str], status: _StatusLine) -> None:
        self._stream = stream
        self._status = status

    def write(self, text: str) -> int:
        self._status.clear()
        written = self._stream.write(text)
        if text.endswith("\n"):
            self._status.redraw()
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
