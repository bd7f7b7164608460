"""Registered domains (eTLD+1), offline, with the PSL's private section.

>>> registered_domain("www.bbc.co.uk")
'bbc.co.uk'
>>> registered_domain("alice.blogspot.com")
'alice.blogspot.com'
>>> registered_domain("a.b.shop.test")
'shop.test'
>>> registered_domain("127.0.0.1"), registered_domain("[::1]")
('127.0.0.1', '[::1]')
>>> registered_domain("localhost"), registered_domain("intranet"), registered_domain("co.uk")
('localhost', 'intranet', 'co.uk')
"""

from __future__ import annotations

import ipaddress

from linkspider.caches import ShortKeyCache
from linkspider.psl import PublicSuffixes

#: Special-use names (RFC 2606, RFC 6761, RFC 6762, ICANN ``.internal``): their
#: last label acts as a public suffix, so ``shop.test`` is a registrable domain.
SPECIAL_USE_SUFFIXES = ("test", "example", "invalid", "localhost", "local", "internal")

# Never touches the network: the snapshot bundled with tldextract, as tldextract
# reads it with suffix_list_urls=() and include_psl_private_domains=True.
_SUFFIXES: PublicSuffixes | None = None


def _suffixes() -> PublicSuffixes:
    global _SUFFIXES
    if _SUFFIXES is None:
        _SUFFIXES = PublicSuffixes.bundled(extra=SPECIAL_USE_SUFFIXES)
    return _SUFFIXES


def _is_ip(host: str) -> bool:
    if host.startswith("["):
        return True
    if not host or not (host[-1].isdigit()):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


#: The registered domains of the hosts met so far; hosts longer than a DNS name can be (253
#: characters) are split anew every time.
DOMAINS = ShortKeyCache(size=262_144, max_length=253)


def registered_domain(host: str) -> str:
    """The registrable domain of a (lowercase, punycoded) host.

    IP hosts are their own domain; a host that is itself a public suffix, or
    that has no known suffix, is its own domain too.

    >>> registered_domain("alice.blogspot.com"), registered_domain("www.example.co.uk")
    ('alice.blogspot.com', 'example.co.uk')
    """
    domain = DOMAINS.get(host)
    if domain is None:
        domain = DOMAINS.remember(host, _registered_domain(host), len(host))
    return domain


def _registered_domain(host: str) -> str:
    if not host or _is_ip(host):
        return host
    domain, suffix = _suffixes().split(host)
    if domain and suffix:
        return f"{domain}.{suffix}"
    return host
