"""The scheduler of linkspider: a disk-backed frontier that is rebuilt, not resumed.

Breadth-first, almost every URL a crawl discovers waits in the scheduler's
queue; as in-memory ``Request`` objects that is the bulk of a long crawl's
memory.  This scheduler always keeps its queue on disk (Scrapy's pickled FIFO
queues), in a private directory that lives for one run only and is deleted at the
end: ``JOBDIR/frontier-queue`` (cleared when a run starts, so a killed run
leaves nothing behind for long), else a new directory under
``LINKSPIDER_FRONTIER_DIR`` (default: the system's temporary directory).

With ``LINKSPIDER_REDIS_URL``, it is a shared crawl's scheduler instead
(:mod:`linkspider.shared_scheduler`).

It never resumes from that directory, and ignores ``JOBDIR`` for it: with
``JOBDIR``, linkspider's own crash-safe store (:mod:`linkspider.state`) holds
the frontier and re-schedules it on resume.  Scrapy's persisted queue and
``requests.seen`` file are not crash-safe (their pointers and buffers are
written on clean shutdown only) and would second-guess that store, e.g. by
dropping a resumed crawl's ``robots.txt`` request as already seen.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler, load_object

from linkspider.config import LinkspiderConfig


class FrontierScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        settings = crawler.settings
        config = LinkspiderConfig.from_settings(settings)
        if config.redis_url:  # a shared crawl: the frontier is in Redis
            from linkspider.shared_scheduler import SharedScheduler

            return SharedScheduler.from_crawler(crawler)
        directory = None
        if config.disk_frontier:
            jobdir = settings.get("JOBDIR")
            if jobdir:  # a killed run's queue is left there: start from a clean one
                directory = os.path.join(jobdir, "frontier-queue")
                shutil.rmtree(directory, ignore_errors=True)
                os.makedirs(directory)
            else:
                directory = tempfile.mkdtemp(prefix="linkspider-frontier-", dir=config.frontier_dir)
        scheduler = cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=directory,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler._frontier_dir = directory
        return scheduler

    def close(self, reason: str):
        result = super().close(reason)
        if self._frontier_dir:
            shutil.rmtree(self._frontier_dir, ignore_errors=True)
        return result
