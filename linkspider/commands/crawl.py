"""``scrapy crawl``, which says clearly what went wrong.

* A ``LINKSPIDER_*`` setting or a spider argument that cannot be used: one line
  naming it, exit status 2, nothing started.
* A crawl that could not write its dataset (a full disk, a read-only
  directory) stops: exit status 1, and why as the last line.  (Scrapy's own
  ``crawl`` exits 0 whatever happened after start-up.)
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from linkspider.config import LinkspiderConfig
from linkspider.context import crawl_id_conflict, shared_problem
from linkspider.extensions import FAILURE_STAT
from linkspider.render import find_browser
from linkspider.spiders.discover import BROWSER_ADVICE, CrawlArguments, DiscoverSpider
from linkspider.storage import Remote, is_remote


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl discover ...")
        # settings and spider arguments checked before anything starts: one clear line
        try:
            config = LinkspiderConfig.from_settings(self.settings)
            if is_remote(config.output):  # the bucket exists and can be listed
                Remote(config.output).check()
            if args[0] == DiscoverSpider.name:
                spargs = opts.spargs
                if spargs.get("recrawl"):  # its defaults: the earlier crawl's arguments
                    from linkspider.recrawl import earlier_arguments

                    spargs = {**earlier_arguments(config.output, spargs["recrawl"]), **spargs}
                arguments = CrawlArguments.parse(**spargs)
                if arguments.render == "always" and find_browser(config.browser) is None:
                    raise ValueError(f"-a render=always: no browser found; {BROWSER_ADVICE}")
                jobdir = self.settings.get("JOBDIR") or None
                given = arguments.crawl_id if arguments.crawl_id_given else None
                if config.redis_url:  # a shared crawl: its first worker checks the id
                    from linkspider.shared import check_redis

                    shared_problem(given, jobdir)
                    check_redis(config.redis_url, config.worker_id)
                else:
                    problem = crawl_id_conflict(config.output, given, jobdir)
                    if problem:
                        raise ValueError(problem)
        except (ValueError, TypeError) as exc:
            print(f"linkspider: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        if "render" in opts.spargs:  # RenderAddon sets the browser up (or not) from this
            self.settings.set("LINKSPIDER_RENDER", opts.spargs["render"], priority="cmdline")
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
