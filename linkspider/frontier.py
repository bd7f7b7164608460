"""Which URLs a crawl fetches: each once, in scope, past the traps, within the caps.

Scrapy-independent: the spider asks :meth:`Frontier.admit` for every URL it
would request, and the frontier answers with the URL to fetch or the reason
not to.  What the frontier knows (URLs admitted, requests per domain, query
variants per path, the domains in scope) is what the crash-safe crawl state
keeps, and what :meth:`Frontier.resume` rebuilds.

>>> f = Frontier(scope="site", allowed_domains={"a.test"}, max_pages_per_domain=2)
>>> f.admit("http://a.test/p;jsessionid=1", "a.test"), f.admit("http://a.test/p", "a.test")
(('http://a.test/p', None), (None, 'seen'))
>>> f.admit("http://a.test/" + "x/" * 5, "a.test")
(None, 'trap/repeated_segment')
>>> f.admit("http://a.test/q", "a.test"), f.admit("http://a.test/r", "a.test")
(('http://a.test/q', None), (None, 'skipped/domain_page_cap'))
>>> f.in_scope("b.test"), f.in_scope("a.test")
(False, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from linkspider.traps import DEFAULT_RULES, TrapRules, path_key, strip_session_ids, trap_reason

SCOPES = ("site", "web")


class Frontier:
    def __init__(
        self,
        scope: str,
        allowed_domains: Iterable[str],
        max_pages_per_domain: int,
        rules: TrapRules = DEFAULT_RULES,
    ) -> None:
        if scope not in SCOPES:
            raise ValueError(f"scope {scope!r}: expected one of {', '.join(SCOPES)}")
        self.scope = scope
        #: the registered domains a site crawl follows links within
        self.allowed_domains = set(allowed_domains)
        self.max_pages_per_domain = max_pages_per_domain
        self.rules = rules
        #: every URL admitted (in the form fetched: session ids stripped)
        self.known: set[str] = set()
        self.per_domain: Counter[str] = Counter()
        self.query_variants: Counter[str] = Counter()

    def in_scope(self, domain: str) -> bool:
        return self.scope == "web" or domain in self.allowed_domains

    def add_domain(self, domain: str) -> None:
        """A seed that moved: its new home is in scope too."""
        self.allowed_domains.add(domain)

    def admit(self, url: str, domain: str) -> tuple[str | None, str | None]:
        """``(url to fetch, None)``, or ``(None, reason)``: ``seen``, ``trap/<rule>`` or
        ``skipped/domain_page_cap`` (the stat names under ``linkspider/``)."""
        url = strip_session_ids(url)
        if url in self.known:
            return None, "seen"
        reason = trap_reason(url, self.rules)
        if reason is None and "?" in url:
            key = path_key(url)
            if self.query_variants[key] >= self.rules.max_query_variants:
                reason = "query_variants"
            else:
                self.query_variants[key] += 1
        if reason is not None:
            return None, f"trap/{reason}"
        if self.per_domain[domain] >= self.max_pages_per_domain:
            return None, "skipped/domain_page_cap"
        self.known.add(url)
        self.per_domain[domain] += 1
        return url, None

    def admit_many(
        self, candidates: Iterable[tuple[str, str, int, int]]
    ) -> list[tuple[str | None, str | None]]:
        """:meth:`admit` of each ``(url, domain, depth, redirects)`` (a shared crawl's
        frontier does them in one round trip)."""
        return [self.admit(url, domain) for url, domain, _, _ in candidates]

    def resume(
        self, known: Iterable[str], per_domain: dict[str, int], allowed_domains: Iterable[str]
    ) -> None:
        """Take up where a previous run's committed state left off."""
        self.known = set(known)
        self.per_domain = Counter(per_domain)
        self.query_variants = Counter(path_key(u) for u in self.known if "?" in u)
        self.allowed_domains = set(allowed_domains)
