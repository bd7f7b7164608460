"""No SSRF: refuse requests to private, loopback, link-local and metadata addresses.

A downloader middleware checks the host of every request, redirect hops and
robots.txt included (redirects are new requests in linkspider), before any
connection is made:

* a literal IP must be globally routable (``ipaddress`` ``is_global``): this
  refuses 127.0.0.0/8, 10/8, 172.16/12, 192.168/16, 169.254/16 (cloud
  metadata), 100.64/10, 0/8, ::1, fc00::/7, fe80::/10, IPv4-mapped forms of
  all of them, and the reserved ranges;
* a name is resolved (``getaddrinfo``, cached) and refused if any address it
  resolves to is not global;
* special-use names are decided without DNS: ``*.localhost`` is loopback and
  ``*.local`` / ``*.internal`` are private networks (refused); ``*.test``,
  ``*.example`` and ``*.invalid`` never resolve on the public DNS (allowed,
  not looked up).

``LINKSPIDER_ALLOW_PRIVATE_ADDRESSES = True`` turns the check off.

With a proxy (``http_proxy``), the proxy resolves names itself: linkspider
still refuses literal private addresses and names that the local resolver
maps to them, but a name only the proxy can resolve is the proxy's to police.
Between this check and the connection, DNS could in principle answer
differently (rebinding); Scrapy's DNS cache makes that window small, not zero.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections import OrderedDict

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

_PRIVATE_SUFFIXES = ("localhost", "local", "internal")
_UNRESOLVABLE_SUFFIXES = ("test", "example", "invalid")


class PrivateAddressRefused(IgnoreRequest):
    """The request's host is, or resolves to, a non-public address."""


def forbidden_address(address: str) -> bool:
    """True for any address that is not globally routable.

    >>> [forbidden_address(a) for a in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::1")]
    [True, True, True, True, True]
    >>> forbidden_address("::ffff:192.168.0.1"), forbidden_address("93.184.215.14"), forbidden_address("2606:4700::1")
    (True, False, False)
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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


class PrivateAddressMiddleware:
    """Downloader middleware: refuse non-public targets (see the module docs)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._cache: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        if crawler.settings.getbool("LINKSPIDER_ALLOW_PRIVATE_ADDRESSES"):
            raise NotConfigured
        return cls(crawler)

    async def _addresses(self, host: str) -> tuple[str, ...]:
        cached = self._cache.get(host)
        if cached is not None:
            self._cache.move_to_end(host)
            return cached
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
            addresses = tuple(sorted({info[4][0] for info in infos}))
        except (OSError, UnicodeError):
            addresses = ()  # does not resolve here: the download (or the proxy) decides
        self._cache[host] = addresses
        if len(self._cache) > 65_536:
            self._cache.popitem(last=False)
        return addresses

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
                bad = [a for a in await self._addresses(host) if forbidden_address(a)]
                if bad:
                    reason = f"{host} resolves to {bad[0]}, not a public address"
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
