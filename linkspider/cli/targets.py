"""What a TARGET (or SOURCE) names: a URL, a host or a registered domain.

Decided by form: ``http://`` or ``https://`` makes a URL (matched exactly, as
the URL standard serializes it, without its fragment); a name equal to its
registered domain is a domain (every host under it); any other name is a host.
``--as`` forces the reading: ``domain`` takes the registered domain of the
name, ``host`` the name itself, ``url`` a URL (``http://`` is added to a name).

>>> parse_target("Example.COM"), parse_target("www.example.co.uk")
(Target(kind='domain', value='example.com', domain='example.com'), Target(kind='host', value='www.example.co.uk', domain='example.co.uk'))
>>> parse_target("HTTPS://www.Example.com/a/../b?x#frag")
Target(kind='url', value='https://www.example.com/b?x', domain='example.com')
>>> parse_target("www.example.com", as_="domain").value, parse_target("example.com", as_="host").kind
('example.com', 'host')
>>> parse_target("bücher.example").value
'xn--bcher-kva.example'
>>> parse_target("not a host")
Traceback (most recent call last):
...
linkspider.cli.targets.TargetError: 'not a host' is not a URL (http:// or https://), a host or a domain
"""

from __future__ import annotations

import re
from typing import NamedTuple

from linkspider.domains import registered_domain
from linkspider.urls import resolve

KINDS = ("domain", "host", "url")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class TargetError(ValueError):
    """A TARGET that is not a URL, a host or a domain."""


class Target(NamedTuple):
    kind: str  # url | host | domain
    #: the URL (without fragment), host or domain, as the dataset writes it
    value: str
    #: its registered domain: the partition a lookup reads
    domain: str


def parse_target(text: str, as_: str | None = None) -> Target:
    text = text.strip()
    if as_ not in (None, *KINDS):
        raise TargetError(f"--as {as_!r}: expected one of {', '.join(KINDS)}")
    if _SCHEME.match(text) or as_ == "url":
        url = text if _SCHEME.match(text) else f"http://{text}"
        resolved = resolve(url, url)
        if resolved is None:
            raise TargetError(f"{text!r} is not an http(s) URL")
        target_url, _, host = resolved
        return Target("url", target_url, registered_domain(host))
    host = _host(text)
    domain = registered_domain(host)
    if as_ == "host":
        return Target("host", host, domain)
    if as_ == "domain" or host == domain:
        return Target("domain", domain, domain)
    return Target("host", host, domain)


def _host(text: str) -> str:
    """A bare host name (or IP address), normalized as the URL standard does."""
    error = TargetError(f"{text!r} is not a URL (http:// or https://), a host or a domain")
    if not text or any(c in text for c in "/\\?#@ \t\n") or (text.count(":") and text[0] != "["):
        raise error
    resolved = resolve(f"http://{text}/", "http://invalid/")
    if resolved is None or resolved[0] != f"http://{resolved[2]}/":
        raise error
    return resolved[2]
