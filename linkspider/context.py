"""One crawl, as the components of a Scrapy crawler share it.

:class:`CrawlContext` is the one object every component of a crawler shares:
each gets it with ``CrawlContext.of(crawler)`` (made on first use, one per
crawler; no component reads another's attributes).  It holds:

* the configuration, read and checked once (:class:`~linkspider.config.LinkspiderConfig`);
* once the spider has opened the crawl (:meth:`open`): the crawl id, the
  :class:`~linkspider.frontier.Frontier`, and with ``JOBDIR`` the crash-safe
  :class:`~linkspider.state.CrawlState`, resumed when a previous run left one
  (its uncommitted files then removed);
* what the dataset writer needs of them: :meth:`committer`, the first
  free file sequence number, and :attr:`root`, the directory it writes in (with an
  output in object storage, its staging: :mod:`linkspider.storage`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from linkspider.config import LinkspiderConfig
from linkspider.frontier import Frontier
from linkspider.pipelines.layout import Inventory
from linkspider.state import CrawlState, Resumed, remove_uncommitted, saved_crawl_id
from linkspider.storage import Staging, is_remote
from linkspider.traps import TrapRules

if TYPE_CHECKING:
    from linkspider.shared import SharedCrawl

logger = logging.getLogger(__name__)

_CONTEXTS: WeakKeyDictionary[Crawler, CrawlContext] = WeakKeyDictionary()


class CrawlContext:
    def __init__(self, crawler: Crawler) -> None:
        self.config = LinkspiderConfig.from_settings(crawler.settings)
        self.jobdir: str | None = crawler.settings.get("JOBDIR") or None
        self.crawl_id: str | None = None
        self.frontier: Frontier | None = None
        self.state: CrawlState | None = None
        self.resumed: Resumed | None = None
        #: what the crawls/ table records of the crawl: seeds, scope, spider_arguments
        self.description: dict = {}
        #: with LINKSPIDER_REDIS_URL: the crawl shared with other workers (linkspider.shared)
        self.shared: SharedCrawl | None = None
        #: commits everything buffered (set by the dataset pipeline; a shared crawl's idle
        #: worker calls it before it asks whether the crawl is over)
        self.sync: Callable[[], None] | None = None
        #: with LINKSPIDER_OUTPUT=s3://...: the local directory the crawl writes in
        self.staging: Staging | None = None

    @property
    def root(self) -> str:
        """The directory the crawl writes its dataset in: ``LINKSPIDER_OUTPUT``, or the
        staging of an output in object storage (see linkspider.storage)."""
        output = self.config.output
        if not is_remote(output):
            return output
        if self.staging is None:
            directory = self.config.staging or (
                os.path.join(self.jobdir, "staging") if self.jobdir else None
            )
            self.staging = Staging(output, directory)
        return self.staging.root

    @staticmethod
    def of(crawler: Crawler) -> CrawlContext:
        """The crawler's context (made from its settings on first use)."""
        context = _CONTEXTS.get(crawler)
        if context is None:
            context = _CONTEXTS[crawler] = CrawlContext(crawler)
        return context

    def make_frontier(
        self,
        crawl_id: str,
        scope: str,
        allowed_domains: set[str],
        max_pages_per_domain: int,
        rules: TrapRules,
    ) -> Frontier:
        """The crawl's frontier: in this process, or in Redis for a shared crawl."""
        config = self.config
        if not config.redis_url:
            return Frontier(scope, allowed_domains, max_pages_per_domain, rules)
        from linkspider.shared import SharedCrawl, SharedFrontier

        self.shared = SharedCrawl(config.redis_url, crawl_id, config.worker_id, config.redis_lease)
        return SharedFrontier(self.shared, scope, allowed_domains, max_pages_per_domain, rules)

    def open(
        self,
        crawl_id: str,
        crawl_id_given: bool,
        frontier: Frontier,
        seeds: Iterable[tuple[str, str, int, int]],
        description: dict | None = None,
    ) -> None:
        """Start the crawl, or resume it from ``JOBDIR`` (then its id and frontier are the
        previous run's: a different ``crawl_id`` given for it is an error).

        A new crawl may not reuse the id of a crawl already in the dataset (its rows
        would mix with the other's): a ``crawl_id`` given is then an error, a
        default one gets a suffix (``-2``, ``-3`` ...).
        """
        self.description = description or {}
        self.frontier = frontier
        if self.shared is not None:
            self._join(crawl_id, crawl_id_given, frontier)
            return
        if not (self.jobdir and saved_crawl_id(self.jobdir)):
            problem = crawl_id_conflict(self.config.output, crawl_id, self.jobdir)
            if problem and crawl_id_given:
                raise ValueError(problem)
            base, n = crawl_id, 1
            while problem:
                n += 1
                crawl_id = f"{base}-{n}"
                problem = crawl_id_conflict(self.config.output, crawl_id, self.jobdir)
        self.crawl_id = crawl_id
        if not self.jobdir:
            return
        state = self.state = CrawlState(self.jobdir)
        resumed = state.load()
        if resumed is None:
            state.start(crawl_id, frontier.allowed_domains, list(seeds))
            return
        if crawl_id_given and crawl_id != resumed.crawl_id:
            raise ValueError(
                f"-a crawl_id={crawl_id!r}: JOBDIR {self.jobdir} holds crawl "
                f"{resumed.crawl_id!r}; resume it without crawl_id or use another JOBDIR"
            )
        self.crawl_id = resumed.crawl_id
        self.resumed = resumed
        frontier.resume(resumed.known, resumed.per_domain, resumed.allowed_domains)
        removed = remove_uncommitted(self.root, self.crawl_id, resumed.committed_files)
        if self.staging is not None:  # uploaded by a flush the killed run never committed
            removed += self.staging.remove_uncommitted(self.crawl_id, resumed.committed_files)
        logger.info(
            "resuming crawl %s from %s: %d URLs known, %d still to fetch, "
            "%d uncommitted files removed",
            self.crawl_id,
            self.jobdir,
            len(resumed.known),
            len(resumed.queued),
            len(removed),
        )

    def _join(self, crawl_id: str, crawl_id_given: bool, frontier: Frontier) -> None:
        """Join the shared crawl (its first worker checks that the dataset lacks its id)."""
        shared = self.shared
        shared_problem(crawl_id if crawl_id_given else None, self.jobdir)
        if shared.join(frontier.allowed_domains):
            problem = crawl_id_conflict(self.config.output, crawl_id, None)
            if problem:
                shared.leave()
                shared.forget_creation()
                raise ValueError(problem)
        self.crawl_id = crawl_id
        logger.info(
            "shared crawl %s: worker %s %s it (%d URLs queued)",
            crawl_id, shared.worker, "created" if shared.created else "joined", shared.queued(),
        )  # fmt: skip

    @property
    def first_sequence(self) -> int:
        """The first file sequence number this run writes (after a resumed run's)."""
        return (self.resumed.last_sequence if self.resumed is not None else 0) + 1

    def discovered(self, url: str, domain: str, depth: int, redirects: int) -> None:
        """A URL was admitted (committed with the next flush, with ``JOBDIR``)."""
        if self.state is not None:
            self.state.discovered(url, domain, depth, redirects)

    def committer(self) -> _StateCommitter | _LeaseCommitter | None:
        """What commits each flush to the crawl state (None without ``JOBDIR`` or Redis)."""
        if self.shared is not None:
            return _LeaseCommitter(self.shared)
        return _StateCommitter(self) if self.state is not None else None


def shared_problem(crawl_id: str | None, jobdir: str | None) -> None:
    """Raise ``ValueError`` if a shared crawl (``LINKSPIDER_REDIS_URL``) cannot run so."""
    if crawl_id is None:
        raise ValueError(
            "a shared crawl (LINKSPIDER_REDIS_URL) needs -a crawl_id=ID, the same for every worker"
        )
    if jobdir:
        raise ValueError(
            "JOBDIR and LINKSPIDER_REDIS_URL: a shared crawl keeps its state in Redis "
            "(a killed worker's requests go to the others); drop JOBDIR"
        )


def crawl_id_conflict(output: str, crawl_id: str | None, jobdir: str | None) -> str | None:
    """Why a crawl cannot run as ``crawl_id`` into ``output`` with this ``jobdir`` (None: it can).

    Resuming the crawl a JOBDIR holds is fine (a different ``crawl_id`` for it is
    not); a new crawl needs an id that is not in the dataset yet.
    """
    saved = saved_crawl_id(jobdir) if jobdir else None
    if saved is not None:
        if crawl_id is not None and crawl_id != saved:
            return (
                f"-a crawl_id={crawl_id!r}: JOBDIR {jobdir} holds crawl {saved!r}; "
                "resume it without crawl_id or use another JOBDIR"
            )
        return None
    if crawl_id is not None and Inventory.scan(output).has(crawl_id):
        return (
            f"-a crawl_id={crawl_id!r}: {output} already holds a crawl with this id; "
            "a new crawl needs a new id (to continue that crawl, run it again with "
            "the JOBDIR it ran with)"
        )
    return None


class _StateCommitter:
    """Commits each flush of the dataset writer to the crawl state (see linkspider.state)."""

    def __init__(self, context: CrawlContext) -> None:
        self.context = context

    def prepare(self) -> object:
        return self.context.state.take_discovered(), sorted(self.context.frontier.allowed_domains)

    def commit(
        self, sequence: int, files: list[str], page_urls: list[str], prepared: object
    ) -> None:
        discovered, allowed = prepared
        self.context.state.commit(sequence, files, page_urls, discovered, allowed)


class _LeaseCommitter:
    """A shared crawl's flush: once the files are in place, the pages' leases end."""

    def __init__(self, shared: SharedCrawl) -> None:
        self.shared = shared

    def prepare(self) -> object:
        return None

    def commit(
        self, sequence: int, files: list[str], page_urls: list[str], prepared: object
    ) -> None:
        self.shared.release(page_urls)
