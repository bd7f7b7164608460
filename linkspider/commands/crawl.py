"""``scrapy crawl``, which exits 1 when the crawl could not do its job.

Scrapy's own ``crawl`` command exits 0 whatever happened after start-up.  A
linkspider crawl that could not write its dataset (a full disk, a read-only
directory) stops, and must say so to whoever runs it: this command exits 1
then, and prints why as its last line.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from linkspider.extensions import FAILURE_STAT


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl discover ...")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        failure = crawler.stats.get_value(FAILURE_STAT) if crawler.stats else None
        if failure:
            print(f"linkspider: crawl failed: {failure}", file=sys.stderr)
            self.exitcode = 1
