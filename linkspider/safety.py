"""No SSRF: refuse requests to private, loopback, link-local and metadata addresses.

Every request is checked, redirect hops and robots.txt included (redirects are
new requests in linkspider), before any connection is made:

* a literal IP must be globally routable (``ipaddress`` ``is_global``): this
  refuses 127.0.0.0/8, 10/8, 172.16/12, 192.168/16, 169.254/16 (cloud
  metadata), 100.64/10, 0/8, ::1, fc00::/7, fe80::/10, multicast and the
  reserved ranges, and every IPv6 form that embeds an IPv4 address that
  would be refused: IPv4-mapped ``::ffff:7f00:1``, IPv4-compatible
  ``::7f00:1``, IPv4-translated ``::ffff:0:7f00:1``, 6to4 ``2002:7f00:1::``,
  NAT64 ``64:ff9b::7f00:1`` (and the local-use NAT64 prefix ``64:ff9b:1::/48``);
* a name is resolved **once**, by the crawl's DNS resolver
  (:class:`GuardedResolver`, Scrapy's ``TWISTED_DNS_RESOLVER``), and the address it
  returns is both the one checked and the one the connection goes to (cached
  for the crawl): a DNS server that answers a public address first and a
  private one next cannot slip the second past the check (DNS rebinding);
* special-use names are decided without DNS: ``*.localhost`` is loopback and
  ``*.local`` / ``*.internal`` are private networks (refused); ``*.test``,
  ``*.example`` and ``*.invalid`` never resolve on the public DNS (allowed,
  not looked up).

``LINKSPIDER_ALLOW_PRIVATE_ADDRESSES = True`` turns the checks off.

With a proxy (``http_proxy``), the proxy resolves target names itself:
linkspider still refuses literal private addresses and names that its own
resolver maps to them, but a name only the proxy can resolve, or resolves
differently, is the proxy's to police.  The browser that renders pages goes
through the same checks (linkspider.guard).
"""

from __future__ import annotations

import ipaddress
import logging
import os
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from linkspider.config import LinkspiderConfig

logger = logging.getLogger(__name__)

_PRIVATE_SUFFIXES = ("localhost", "local", "internal")
_UNRESOLVABLE_SUFFIXES = ("test", "example", "invalid")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class PrivateAddressRefused(IgnoreRequest):
    """The request's host is, or resolves to, a non-public address."""


class ResolvedToPrivateAddress(DNSLookupError):
    """A name resolved to a non-public address: no connection is made to it."""

    def __str__(self) -> str:
        return " ".join(str(arg) for arg in self.args)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, by the standard forms that carry one.

    >>> [str(embedded_ipv4(ipaddress.IPv6Address(a))) for a in (
    ...     "::ffff:7f00:1", "::7f00:1", "::ffff:0:7f00:1", "2002:7f00:1::", "64:ff9b::a9fe:a9fe")]
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '169.254.169.254']
    >>> embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) is None
    True
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    for network in (_NAT64, _IPV4_TRANSLATED, _IPV4_COMPATIBLE):
        if ip in network:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_address(address: str) -> bool:
    """True for any address that is not globally routable (or embeds one that is not).

    >>> [forbidden_address(a) for a in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::1")]
    [True, True, True, True, True]
    >>> forbidden_address("::ffff:192.168.0.1"), forbidden_address("93.184.215.14"), forbidden_address("2606:4700::1")
    (True, False, False)
    >>> [forbidden_address(a) for a in ("2002:7f00:1::", "64:ff9b::7f00:1", "::7f00:1", "::ffff:0:7f00:1", "64:ff9b:1::5")]
    [True, True, True, True, True]
    >>> forbidden_address("2002:5db8:d70e::1"), forbidden_address("64:ff9b::5db8:d70e")  # public IPv4 inside
    (False, False)
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return True
        inner = embedded_ipv4(ip)
        if inner is not None and int(inner) > 0xFFFF:  # not :: or ::1 (checked below)
            return forbidden_address(str(inner))
    return not ip.is_global or ip.is_multicast


def special_use_verdict(host: str) -> bool | None:
    """Refuse (True), allow without lookup (False), or ``None``: resolve it.

    >>> special_use_verdict("db.internal"), special_use_verdict("a.test"), special_use_verdict("example.com")
    (True, False, None)
    """
    label = host.rstrip(".").rsplit(".", 1)[-1].lower()
    if label in _PRIVATE_SUFFIXES:
        return True
    if label in _UNRESOLVABLE_SUFFIXES:
        return False
    return None


def proxy_hosts() -> frozenset[str]:
    """The hosts of the proxies configured in the environment (the user's own choice).

    >>> os.environ["http_proxy"] = "http://proxy.corp:3128"; sorted(proxy_hosts())
    ['proxy.corp']
    >>> del os.environ["http_proxy"]
    """
    hosts = set()
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        value = os.environ.get(name)
        if value:
            hostname = urlsplit(value if "://" in value else f"http://{value}").hostname
            if hostname:
                hosts.add(hostname.lower())
    return frozenset(hosts)


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver (``TWISTED_DNS_RESOLVER``), refusing non-public answers.

    The address returned is the one Twisted connects to, and it is cached for
    the crawl, so it is also the one :class:`PrivateAddressMiddleware` checked.
    Proxy hosts from the environment are the user's choice and are not refused.
    """

    allow_private = False
    trusted: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = LinkspiderConfig.from_settings(
            crawler.settings
        ).allow_private_addresses
        resolver.trusted = proxy_hosts()
        return resolver

    def getHostByName(self, name: str, timeout=()):
        deferred = super().getHostByName(name, timeout)
        if self.allow_private or name.lower() in self.trusted:
            return deferred

        def check(address: str) -> str:
            if forbidden_address(address):
                raise ResolvedToPrivateAddress(
                    f"refused: {name} resolves to {address}, not a public address"
                )
            return address

        return deferred.addCallback(check)


class PrivateAddressMiddleware:
    """Downloader middleware: refuse non-public targets before any request is sent."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        if LinkspiderConfig.from_settings(crawler.settings).allow_private_addresses:
            raise NotConfigured
        return cls(crawler)

    async def _resolve(self, host: str) -> str | None:
        """The address the crawl's resolver gives ``host`` (the connection's own), or
        None when it does not resolve here (the download, or the proxy, decides)."""
        from twisted.internet import reactor

        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except ResolvedToPrivateAddress:
            raise
        except Exception:
            return None

    async def process_request(self, request: Request) -> None:
        host = (urlparse_cached(request).hostname or "").strip("[]")
        if not host:
            return None
        reason = None
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
            is_literal = True
        except ValueError:
            is_literal = False
        if is_literal:
            if forbidden_address(host):
                reason = f"{host} is not a public address"
        else:
            verdict = special_use_verdict(host)
            if verdict:
                reason = f"{host} is a special-use private name"
            elif verdict is None:
                try:
                    await self._resolve(host)
                except ResolvedToPrivateAddress as exc:
                    reason = str(exc).removeprefix("refused: ")
        if reason is None:
            return None
        stats = self.crawler.stats
        stats.inc_value("linkspider/refused/private_address")
        if request.meta.get("depth", 0) == 0 and not request.meta.get("linkspider_redirects"):
            logger.error(
                "seed %s refused: %s. Set LINKSPIDER_ALLOW_PRIVATE_ADDRESSES=True to crawl "
                "private, loopback or link-local addresses on purpose.",
                request.url,
                reason,
            )
        raise PrivateAddressRefused(f"refused: {reason}")
