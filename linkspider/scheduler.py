"""A scheduler whose queue stays in memory even when ``JOBDIR`` is set.

With ``JOBDIR``, linkspider's own crash-safe store (:mod:`linkspider.state`)
holds the frontier and re-schedules it on resume.  Scrapy's disk queue and
``requests.seen`` file are not crash-safe (their pointers and buffers are
written on clean shutdown only) and would second-guess that store, e.g. by
dropping a resumed crawl's ``robots.txt`` request as already seen.
"""

from __future__ import annotations

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import load_object


class MemoryScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemoryScheduler:
        settings = crawler.settings
        return cls(
            dupefilter=RFPDupeFilter(
                debug=settings.getbool("DUPEFILTER_DEBUG"),
                fingerprinter=crawler.request_fingerprinter,
            ),
            jobdir=None,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
