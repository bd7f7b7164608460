"""URL resolution as browsers do it (WHATWG URL standard, via ada-url).

The one entry point for turning an ``href`` found in a page into an edge target:

>>> resolve("../c?q=1#top", "http://Example.COM:80/a/b/")
('http://example.com/a/c?q=1', 'top', 'example.com')
>>> resolve("//bücher.de/x", "https://example.com/")
('https://xn--bcher-kva.de/x', '', 'xn--bcher-kva.de')
>>> resolve("mailto:someone@example.com", "http://example.com/") is None
True
>>> resolve("http://[::1", "http://example.com/") is None
True
"""

from __future__ import annotations

import ada_url


def resolve(href: str, base: str) -> tuple[str, str, str] | None:
    """Resolve ``href`` against ``base``.

    Returns ``(url_without_fragment, fragment, host)`` where ``host`` is the
    URL's host as serialized by the standard (lowercase, punycode, IPv6 in
    brackets, no default port), or ``None`` when the result is not an
    ``http(s)`` URL or the input fails to parse.  The fragment is returned
    without its leading ``#``.

    >>> resolve("?x", "https://h.example/p?q#f")
    ('https://h.example/p?x', '', 'h.example')
    >>> resolve("http://a.test:8080/./b/../c", "http://x.test/")
    ('http://a.test:8080/c', '', 'a.test')
    """
    try:
        url = ada_url.join_url(base, href)
    except ValueError:
        return None
    # ``url`` is serialized by the standard: scheme lowercase, '#' only as the
    # fragment delimiter, authority between '//' and the next '/'.
    if url.startswith("http://"):
        start = 7
    elif url.startswith("https://"):
        start = 8
    else:
        return None
    hash_at = url.find("#")
    if hash_at != -1:
        url, fragment = url[:hash_at], url[hash_at + 1 :]
    else:
        fragment = ""
    end = url.find("/", start)
    authority = url[start:end] if end != -1 else url[start:]
    at = authority.rfind("@")
    if at != -1:
        authority = authority[at + 1 :]
    return url, fragment, _hostname(authority)


def _hostname(host: str) -> str:
    """Strip the port from a serialized ``host`` (IPv6 keeps its brackets).

    >>> _hostname("[::1]:8080"), _hostname("a.b:81"), _hostname("a.b")
    ('[::1]', 'a.b', 'a.b')
    """
    if host.startswith("["):
        return host[: host.index("]") + 1]
    colon = host.rfind(":")
    return host[:colon] if colon != -1 else host


def host_of(url: str) -> str:
    """The host of an absolute URL ('' when it has none or does not parse).

    >>> host_of("http://WWW.Example.com:8080/x")
    'www.example.com'
    """
    try:
        return _hostname(ada_url.parse_url(url, ("host",))["host"])
    except ValueError:
        return ""


def _resolve_each(base: str, hrefs: list[str]) -> list[tuple[str, str, str] | None]:
    return [resolve(href, base) for href in hrefs]


def _c_resolver():
    """``linkspider._ada.resolve_many`` (ada compiled in, see linkspider/_ada.cpp) if built and
    in agreement with the ada-url package on a few probes."""
    try:
        from linkspider import _ada
    except ImportError:
        return None
    probes = [
        "../c?q=1#top",
        "//b\u00fccher.de/x",
        "mailto:a@b.c",
        "http://[::1]:8080/",
        "http://[::1",
        "http://a\u3002b/%7E?\u00e9#\u00e9",
    ]
    base = "http://Example.COM:80/a/b/"
    if _ada.resolve_many(base, probes) != _resolve_each(base, probes):
        return None
    return _ada.resolve_many


_RESOLVE_MANY = _c_resolver()


def resolve_many(base: str, hrefs: list[str]) -> list[tuple[str, str, str] | None]:
    """:func:`resolve` for every href of a page, in one call (C speed when built).

    >>> resolve_many("https://h.example/p", ["q#f", "mailto:x@y.z"])
    [('https://h.example/q', 'f', 'h.example'), None]
    """
    if _RESOLVE_MANY is not None:
        return _RESOLVE_MANY(base, hrefs)
    return _resolve_each(base, hrefs)
