"""The extraction core: one HTTP response in, every outbound edge and the page facts out.

A pure function that the spider middleware, the tests, the benchmarks and the
CLI all call: no Scrapy, no I/O, no global state beyond memo caches.

>>> page = extract(
...     b'<html lang="en"><head><title> Hi </title>'
...     b'<link rel="canonical" href="/home"></head><body>'
...     b'<nav><a href="/about">About  us</a></nav>'
...     b'<main><a href="https://other.org/x#frag" rel="NoFollow ugc">Other</a>'
...     b'<a href="mailto:me@example.com">mail</a>'
...     b'<a href="/p"><img src="i.png" alt="Pic"></a></main></body></html>',
...     "http://www.example.com/index.html",
...     {"Content-Type": "text/html; charset=utf-8"},
... )
>>> page.title, page.canonical_url, page.lang, page.error
('Hi', 'http://www.example.com/home', 'en', None)
>>> for e in page.edges:
...     print(e.position, e.link_type, e.region, e.target_url, repr(e.anchor_text), e.rel, e.nofollow)
0 canonical meta http://www.example.com/home '' ('canonical',) False
1 text nav http://www.example.com/about 'About us' () False
2 text main https://other.org/x 'Other' ('nofollow', 'ugc') True
3 image main http://www.example.com/p '' () False
>>> page.edges[2].target_fragment, page.edges[2].is_external, page.edges[3].img_alt
('frag', True, 'Pic')

A redirect is an edge too; the body of a 3xx response is not parsed:

>>> hop = extract(b"", "http://example.com/old", {"Location": "/new"}, status=301)
>>> [(e.link_type, e.target_url) for e in hop.edges]
[('redirect', 'http://example.com/new')]
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import ada_url
from selectolax.lexbor import LexborHTMLParser

from linkspider.dom import bound_markup, element_table, visible_text
from linkspider.domains import registered_domain
from linkspider.encoding import (
    decode_for_parser,
    encode_query,
    looks_binary,
    sniff_mime_type,
    url_encoder,
)
from linkspider.regions import META, classify_page
from linkspider.regions import REGIONS as REGIONS_ALL
from linkspider.topics import TEXT_BYTES, signature
from linkspider.urls import host_of, resolve, resolve_many

__all__ = [
    "DEFAULT_LIMITS",
    "REGIONS_ALL",
    "Edge",
    "Extraction",
    "Limits",
    "bound_page",
    "extract",
    "lower_headers",
]

_ASCII_SPACE = "\t\n\f\r "
HTML_TYPES = frozenset(("text/html", "application/xhtml+xml", "application/xml", "text/xml"))


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep one hostile page from costing unbounded time or memory."""

    #: Anchor text, ``img_alt`` and ``title`` are cut to this many characters.
    max_text_length: int = 512
    #: Edges recorded per page; the rest are counted in ``edges_dropped``.
    max_edges: int = 100_000
    #: Target URLs longer than this are not recorded (counted in ``edges_dropped``).
    max_url_length: int = 8192
    #: The page ``<title>`` is cut to this many characters.
    max_title_length: int = 1024
    #: ``target_fragment`` is cut to this many characters.
    max_fragment_length: int = 1024
    #: ``rel`` keeps this many tokens, each cut to 64 characters.
    max_rel_tokens: int = 16
    #: Start tags that would nest deeper than this are left out before parsing (links kept).
    max_nesting_depth: int = 128
    #: Attributes of one element past this many are left out before parsing (the ones
    #: the extraction reads kept); a page's ``<html>`` tags count as one element, as do its
    #: ``<body>`` tags.
    max_attributes: int = 64
    #: Formatting start tags (``<b>``, ``<font>``...) past this many not closed by their end
    #: tags are left out before parsing (the parser opens those again in every paragraph).
    max_active_formatting: int = 8
    #: Options of one ``<select>`` past this many are left out before parsing (the parser's
    #: work for each option grows with those before it).
    max_select_options: int = 256
    #: Start tags and attributes of new names past this many distinct tag names, or attribute
    #: names, on a page are left out before parsing (the parser's table of names slows).
    max_distinct_names: int = 1000
    #: Bytes of main-content text the topic signature reads (0: no signature).
    topic_bytes: int = TEXT_BYTES


DEFAULT_LIMITS = Limits()


class Edge(NamedTuple):
    """One outbound link of a page."""

    target_url: str
    target_fragment: str
    target_host: str
    target_domain: str
    anchor_text: str
    img_alt: str | None
    title: str | None
    rel: tuple[str, ...]
    nofollow: bool
    region: str
    link_type: str  # text | image | area | redirect | canonical | refresh
    position: int
    is_external: bool
    #: Confidence in ``region``, 0..1 (1.0 for edges outside the DOM: redirect, canonical, refresh).
    region_score: float = 1.0
    #: Share of the text of the link's innermost block container that is link text (None outside the DOM).
    link_density: float | None = None
    #: ``rel`` has ``sponsored`` / ``ugc``.
    sponsored: bool = False
    ugc: bool = False
    #: The link passes credit: not ``nofollow`` (effective), ``sponsored`` or ``ugc``.
    dofollow: bool = True


@dataclass(slots=True)
class Extraction:
    """What one response says about the web graph."""

    url: str
    host: str
    domain: str
    status: int
    content_type: str | None = None
    encoding: str | None = None
    title: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    meta_robots: str | None = None
    x_robots_tag: str | None = None
    nofollow: bool = False  # page-level: meta robots or X-Robots-Tag say nofollow
    error: str | None = None
    #: why the page looks like a JavaScript app shell (see linkspider.render), else None
    render_hint: str | None = None
    edges_dropped: int = 0
    #: the markup was bounded before parsing (too deep, or too many attributes)
    bounded: bool = False
    #: the topic signature of the main content (:mod:`linkspider.topics`)
    topic_terms: list[str] = field(default_factory=list)
    topic_weights: list[float] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _collapse(text: str | None, limit: int) -> str:
    """Collapse runs of whitespace to one space, strip, cut to ``limit``.

    >>> _collapse("  a \\n\\t b\\u00a0c ", 100), _collapse("abcdef", 3)
    ('a b c', 'abc')
    """
    if not text:
        return ""
    if len(text) > limit * 8:  # megabyte-sized text: do not split all of it
        text = text[: limit * 8]
    return " ".join(text.split())[:limit].rstrip()


def _says_nofollow(directives: str | None) -> bool:
    """True when robots directives (meta or X-Robots-Tag) include nofollow.

    >>> _says_nofollow("noindex, NoFollow"), _says_nofollow("none"), _says_nofollow("googlebot: nofollow")
    (True, True, True)
    >>> _says_nofollow("index,follow"), _says_nofollow(None)
    (False, False)
    """
    if not directives:
        return False
    for token in directives.lower().replace(";", ",").split(","):
        token = token.rsplit(":", 1)[-1].strip()
        if token in ("nofollow", "none"):
            return True
    return False


def parse_refresh(content: str) -> str | None:
    """The URL of a refresh (``<meta http-equiv=refresh>`` content, or the ``Refresh`` header).

    The HTML standard's "parse a refresh": ASCII digits (then digits and dots) for
    the time, then ``;``, ``,`` or whitespace alone, then the URL, optionally as
    ``url=`` and quoted.  None when it is not a refresh or names no URL (a
    refresh of the page itself).

    >>> parse_refresh("5; url=/next"), parse_refresh("0;URL='a b'"), parse_refresh("3")
    ('/next', 'a b', None)
    >>> parse_refresh(" 0 , https://x.org/"), parse_refresh("x; url=/y"), parse_refresh("0 url=/z")
    ('https://x.org/', None, '/z')
    >>> parse_refresh("\u00b2; url=/y"), parse_refresh(".5;\u00a0/w"), parse_refresh("1; url")
    (None, '\xa0/w', 'url')
    """
    n = len(content)
    i = 0
    while i < n and content[i] in _ASCII_SPACE:
        i += 1
    start = i
    while i < n and "0" <= content[i] <= "9":
        i += 1
    if i == start and (i >= n or content[i] != "."):
        return None
    while i < n and ("0" <= content[i] <= "9" or content[i] == "."):
        i += 1
    if i < n:
        if content[i] not in ";," and content[i] not in _ASCII_SPACE:
            return None
        while i < n and content[i] in _ASCII_SPACE:
            i += 1
        if i < n and content[i] in ";,":
            i += 1
        while i < n and content[i] in _ASCII_SPACE:
            i += 1
    if i >= n:
        return None
    url = content[i:]
    if content[i] in "Uu":
        i += 1
        if i < n and content[i] in "Rr" and i + 1 < n and content[i + 1] in "Ll":
            i += 2
            while i < n and content[i] in _ASCII_SPACE:
                i += 1
            if i < n and content[i] == "=":
                i += 1
                while i < n and content[i] in _ASCII_SPACE:
                    i += 1
                url = _unquote_refresh(content[i:])
    else:
        url = _unquote_refresh(url)
    return url or None


def _unquote_refresh(url: str) -> str:
    """The standard's "skip quotes" step of a refresh URL."""
    if url[:1] in ("'", '"'):
        quote, url = url[0], url[1:]
        end = url.find(quote)
        if end != -1:
            url = url[:end]
    return url


def lower_headers(headers: Mapping | None, joined: bool = True) -> dict:
    """Header names lowercased, bytes decoded, repeated values joined with ', '
    (``joined=False``: as lists)."""
    if not headers:
        return {}
    out: dict[str, list[str]] = {}
    getlist = getattr(headers, "getlist", None)
    for key in headers:
        values = getlist(key) if getlist else headers[key]
        if not isinstance(values, list | tuple):
            values = [values]
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        decoded = [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values]
        out.setdefault(name.lower(), []).extend(decoded)
    return {k: ", ".join(v) for k, v in out.items()} if joined else out


def mime_type(content_type: str | None) -> str:
    """The essence of a Content-Type value.

    >>> mime_type("Text/HTML; charset=UTF-8"), mime_type(None)
    ('text/html', '')
    """
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def extract(
    body: bytes,
    url: str,
    headers: Mapping | None = None,
    *,
    status: int = 200,
    limits: Limits = DEFAULT_LIMITS,
    strict: bool = False,
) -> Extraction:
    """Extract the outbound edges and facts of one fetched page.

    ``url`` is the URL the body was fetched from (the final one, after any
    redirect).  ``headers`` may be a plain mapping or Scrapy ``Headers``.
    Never raises on hostile input: problems end up in ``Extraction.error``
    (with ``strict=True``, an exception inside the extraction is raised instead:
    for tests, which must see a bug rather than an error string).

    Python's cyclic garbage collector is paused while it runs: the extraction
    makes no reference cycles (everything it allocates is freed by reference
    counting; tests/test_extract.py checks), and on a page of tens of thousands
    of links the collector's passes over the growing rows were a fifth of the time.
    """
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _extract(body, url, headers, status, limits, strict)
    finally:
        if collecting:
            gc.enable()


def _extract(
    body: bytes, url: str, headers: Mapping | None, status: int, limits: Limits, strict: bool
) -> Extraction:
    h = lower_headers(headers)
    host = host_of(url)
    domain = registered_domain(host)
    ctype = h.get("content-type")
    page = Extraction(
        url=url,
        host=host,
        domain=domain,
        status=status,
        content_type=ctype,
        x_robots_tag=h.get("x-robots-tag"),
    )
    page.nofollow = _says_nofollow(page.x_robots_tag)

    if 300 <= status < 400:
        locations = set(_header_values(headers, "location"))
        if len(locations) > 1:  # Chromium: ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION
            page.error = f"multiple Location headers ({status})"
        elif locations:
            _add(page, resolve(locations.pop(), url), "redirect", (), limits)
        elif status not in (304,):
            page.error = f"redirect without Location ({status})"
        return page
    if status >= 400:
        page.error = f"HTTP {status}"
        return page
    if not body:
        page.error = "empty body"
        return page
    mime = mime_type(ctype)
    if mime and mime not in HTML_TYPES:
        page.error = f"not HTML ({mime})"
        return page
    if not mime:  # no Content-Type: what the browser would take the body for
        sniffed = sniff_mime_type(body)
        if sniffed not in HTML_TYPES:
            page.error = f"not HTML ({sniffed}, sniffed: no Content-Type)"
            return page
    if looks_binary(body, ctype):
        page.error = "binary body"
        return page
    try:
        markup, page.encoding = decode_for_parser(body, ctype)
        _extract_html(page, markup, url, h.get("refresh"), limits)
    except Exception as exc:  # hostile input must never crash a crawl
        if strict:
            raise
        page.error = failure_message(exc)
    return page


def failure_message(exc: BaseException) -> str:
    """The page error of an extraction that raised.

    >>> failure_message(KeyError("x"))
    "extraction failed: KeyError: 'x'"
    """
    return f"extraction failed: {type(exc).__name__}: {exc}"[:500]


def _header_values(headers: Mapping | None, name: str) -> list[str]:
    """Every value of one header (Scrapy ``Headers`` keep repeated headers apart).

    >>> _header_values({"Location": "/a"}, "location"), _header_values(None, "location")
    (['/a'], [])
    """
    return lower_headers(headers, joined=False).get(name, [])


def _add(
    page: Extraction,
    target: tuple[str, str, str] | None,
    link_type: str,
    rel: tuple[str, ...],
    limits: Limits,
) -> Edge | None:
    """Record an edge that is not in the DOM (redirect, canonical, refresh): region ``meta``.

    ``target`` is :func:`linkspider.urls.resolve`'s answer.  Links in the DOM
    are recorded by the same steps inlined in ``_extract_html`` (its hot loop).
    """
    if target is None:
        return None
    target_url, fragment, target_host = target
    if len(target_url) > limits.max_url_length or len(page.edges) >= limits.max_edges:
        page.edges_dropped += 1
        return None
    fragment = fragment[: limits.max_fragment_length]
    target_domain = registered_domain(target_host)
    nofollow, sponsored, ugc = _credit(rel, page.nofollow)
    edge = Edge(
        target_url,
        fragment,
        target_host,
        target_domain,
        "",
        None,
        None,
        rel,
        nofollow,
        META,
        link_type,
        len(page.edges),
        target_domain != page.domain,
        1.0,
        None,
        sponsored,
        ugc,
        not (nofollow or sponsored or ugc),
    )
    page.edges.append(edge)
    return edge


def shell_reason(
    scripts: int, links: int, text_ink: int, noscript_js: bool, empty_root: bool
) -> str | None:
    """Why a plain-fetched page needs a browser to show its links, or ``None``.

    >>> shell_reason(scripts=3, links=0, text_ink=40, noscript_js=False, empty_root=True)
    'empty app root'
    >>> shell_reason(scripts=0, links=2, text_ink=900, noscript_js=True, empty_root=False)
    'noscript asks for JavaScript'
    >>> shell_reason(scripts=2, links=1, text_ink=120, noscript_js=False, empty_root=False)
    'app shell: little text, few links'
    >>> shell_reason(scripts=5, links=40, text_ink=5000, noscript_js=False, empty_root=False) is None
    True
    """
    if empty_root and scripts:
        return "empty app root"
    if noscript_js and links < 10:
        return "noscript asks for JavaScript"
    if scripts and text_ink < 200 and links <= 3:
        return "app shell: little text, few links"
    return None


_SHELL_MAX_LINKS = 10
_APP_ROOTS = "#root, #app, #__next, #__nuxt, #svelte, app-root, [data-reactroot], [ng-app]"
#: what :data:`_APP_ROOTS` looks for, read from the element table and the markup first
_APP_ROOT_IDS = frozenset(("root", "app", "__next", "__nuxt", "svelte"))
_APP_ROOT_NAMES = ("app-root", "data-reactroot", "ng-app")


def _shell_hint(tree: LexborHTMLParser, table, links: int, markup: str | bytes) -> str | None:
    """Facts for :func:`linkspider.render.shell_reason`, computed only for link-poor pages.

    The visible text is the ``<body>``'s ink in the element table, which leaves
    out script, style, noscript and template text wherever it is.
    """
    tags = table.tag
    body = tags.index("body") if "body" in tags else -1
    text_ink = table.ink[body] if body >= 0 else 0
    noscripts = tree.css("noscript") if "noscript" in tags else []
    noscript_js = any("javascript" in n.text().lower() for n in noscripts)
    scripts = tags.count("script")
    empty_root = (  # (which counts only beside a script)
        scripts > 0
        and _may_have_app_root(table, markup)
        and any(n.child is None and not n.text().strip() for n in tree.css(_APP_ROOTS))
    )
    return shell_reason(scripts, links, text_ink, noscript_js, empty_root)


def _may_have_app_root(table, markup: str | bytes) -> bool:
    """Could :data:`_APP_ROOTS` match anything (a cheap superset of the CSS query, which
    walks the whole tree)?  Ids are compared in any case (they match so in quirks mode);
    the tag and attribute names are looked for in the markup (names cannot be written with
    character references; the element table keeps no custom element's name).

    >>> from linkspider.dom import element_table
    >>> page = '<div id="ROOT"></div>'
    >>> _may_have_app_root(element_table(LexborHTMLParser(page)), page)
    True
    >>> page = "<p id=rooted>text</p><svg><a href=/x>x</a></svg>"
    >>> _may_have_app_root(element_table(LexborHTMLParser(page)), page)
    False
    """
    if any(ident.lower() in _APP_ROOT_IDS for ident in filter(None, table.ident)):
        return True
    lowered = markup.lower()  # (a copy and three scans: a case-blind regex is 50 times slower)
    if isinstance(lowered, bytes):
        return any(name.encode() in lowered for name in _APP_ROOT_NAMES)
    return any(name in lowered for name in _APP_ROOT_NAMES)


_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_NO_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


_CREDIT_TOKENS = ("nofollow", "sponsored", "ugc")


def _rel_tokens(rel: str, limits: Limits) -> tuple[str, ...]:
    """The ``rel`` tokens, lowercased: the first ``limits.max_rel_tokens``, cut to 64
    characters, and any credit token (nofollow, sponsored, ugc) found after them.

    >>> _rel_tokens(" NoFollow  UGC ", DEFAULT_LIMITS), _rel_tokens("x " * 5000 + "ugc", DEFAULT_LIMITS)[-2:]
    (('nofollow', 'ugc'), ('x', 'ugc'))
    """
    tokens = rel.lower().split()
    kept = [token[:64] for token in tokens[: limits.max_rel_tokens]]
    if len(tokens) > limits.max_rel_tokens:
        rest = set(tokens[limits.max_rel_tokens :])
        kept += [t for t in _CREDIT_TOKENS if t in rest and t not in kept]
    return tuple(kept)


def _credit(rel: tuple[str, ...], page_nofollow: bool) -> tuple[bool, bool, bool]:
    """``(nofollow, sponsored, ugc)`` of a link: what search engines read as passing no credit.

    >>> _credit(("sponsored", "noopener"), False), _credit((), True)
    ((False, True, False), (True, False, False))
    """
    return page_nofollow or "nofollow" in rel, "sponsored" in rel, "ugc" in rel


def _fragment_only(href: str) -> bool:
    """Empty or fragment-only, as the URL parser reads it (C0 controls and spaces trimmed,
    tabs and newlines removed): a link to the page itself unless a ``<base>`` says otherwise.

    >>> _fragment_only(" \\x01#top"), _fragment_only(""), _fragment_only("\\t\\n"), _fragment_only("a#b")
    (True, True, True, False)
    """
    stripped = href.strip(_C0_OR_SPACE).translate(_NO_TAB_OR_NEWLINE)
    return not stripped or stripped[0] == "#"


def _base_url(url: str, href: str | None, encoder: str | None) -> str:
    """The document's base URL: its first HTML ``<base href>``, parsed against the
    document URL, unless that fails or is a ``data:`` or ``javascript:`` URL
    (HTML standard, "frozen base URL").

    >>> _base_url("http://a.test/p", "/b/", None), _base_url("http://a.test/p", "javascript:x", None)
    ('http://a.test/b/', 'http://a.test/p')
    >>> _base_url("http://a.test/p", " DATA:text/html,x", None), _base_url("http://a.test/p", "http://[", None)
    ('http://a.test/p', 'http://a.test/p')
    """
    if href is None:
        return url
    try:
        base = ada_url.join_url(url, encode_query(href, encoder) if encoder else href)
    except ValueError:
        return url
    if base.startswith(("data:", "javascript:")):
        return url
    return base


def bound_page(markup: str | bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[str | bytes, bool]:
    """The markup the extraction parses: :func:`linkspider.dom.bound_markup` under
    ``limits``, and whether the bounds left something out.

    >>> bound_page(b"<p>fine</p>")
    (b'<p>fine</p>', False)
    >>> bound_page(b"<div>" * 3 + b"x", Limits(max_nesting_depth=2))
    (b'<div><div>x', True)
    """
    bounded = bound_markup(
        markup,
        limits.max_nesting_depth,
        limits.max_attributes,
        drop_raw=True,
        max_formatting=limits.max_active_formatting,
        max_options=limits.max_select_options,
        max_names=limits.max_distinct_names,
    )
    return (markup, False) if bounded is None else bounded


def _extract_html(
    page: Extraction, markup: str | bytes, url: str, refresh: str | None, limits: Limits
) -> None:
    markup, page.bounded = bound_page(markup, limits)
    tree = LexborHTMLParser(markup)
    root = tree.root
    if root is not None:
        lang = root.attrs.get("lang")
        page.lang = lang.strip()[:64] or None if lang else None
    table = element_table(tree, limits.max_text_length, limits.max_title_length)
    # One pass over every HTML a, area, link, meta, base and title and every SVG a
    # (linkspider.dom.Ref), in document order: page facts, and the edges, whose DOM
    # links then get their regions (the region model weighs all of the page's
    # links at once).  A Refresh header comes first.
    base_href = None
    robots: list[str] = []
    seen_base = seen_title = False
    max_len = limits.max_text_length
    pending: list[tuple] = []
    links: list[int] = []  # element index of each DOM link
    if refresh is not None:
        target = parse_refresh(refresh)
        if target is not None:
            pending.append((target, "refresh", "", None, None, (), None))
    for (
        element,
        tag,
        href,
        rel_attr,
        title,
        alt,
        content,
        name,
        http_equiv,
        text,
        image,
    ) in table.refs:
        if tag == "a" or tag == "area":
            if href is None:
                continue
            rel = _rel_tokens(rel_attr, limits) if rel_attr else ()
            if title is not None:
                title = _collapse(title, max_len)
            img_alt = None
            if tag == "a":
                anchor = text.rstrip()  # capped by the walk: a cut may end in a space
                link_type = "text"
                if not anchor and image is not None:
                    link_type = "image"
                    img_alt = _collapse(image, max_len)
            else:
                anchor = ""
                link_type = "area"
                img_alt = _collapse(alt, max_len)
            pending.append((href, link_type, anchor, img_alt, title, rel, len(links)))
            links.append(element)
        elif tag == "link":
            if href is None:
                continue
            rel = _rel_tokens(rel_attr, limits) if rel_attr else ()
            if "canonical" in rel:
                pending.append((href, "canonical", "", None, None, rel, None))
        elif tag == "meta":
            if content is None:
                continue
            if (name or "").strip().lower() == "robots":
                robots.append(content.strip())
            if http_equiv is None or http_equiv.lower() != "refresh":
                continue
            target = parse_refresh(content)
            if target is not None:
                pending.append((target, "refresh", "", None, None, (), None))
        elif tag == "base":
            if not seen_base and href is not None:
                seen_base = True
                base_href = href
        elif tag == "title" and not seen_title:
            seen_title = True
            page.title = _collapse(text, limits.max_title_length) or None
    if robots:
        page.meta_robots = ", ".join(robots)[:1024]
        page.nofollow = page.nofollow or _says_nofollow(page.meta_robots)

    if len(links) <= _SHELL_MAX_LINKS:
        page.render_hint = _shell_hint(tree, table, len(links), markup)

    regions, main = classify_page(table, links)
    if limits.topic_bytes:
        page.topic_terms, page.topic_weights = signature(
            visible_text(tree, _outermost(main, table) or _body(table), limits.topic_bytes)
        )
    # Hrefs are parsed in the document's encoding (its URL queries are encoded in it).
    encoder = url_encoder(page.encoding)
    base = _base_url(url, base_href, encoder)
    hrefs = [item[0] for item in pending]
    if encoder is not None:
        hrefs = [encode_query(href, encoder) for href in hrefs]
    targets = resolve_many(base, hrefs)
    # A link to this very page, written as an empty or fragment-only href, is no
    # edge; under a <base> naming another document it is a link to that one.
    document = resolve(url, url)
    document_url = document[0] if document is not None else url
    for i, href in enumerate(hrefs):
        target = targets[i]
        if target is not None and target[0] == document_url and _fragment_only(href):
            targets[i] = None
    new_edge = tuple.__new__  # an Edge from a full tuple, without NamedTuple's Python __new__
    edges, domain, page_nofollow = page.edges, page.domain, page.nofollow
    max_url, max_edges = limits.max_url_length, limits.max_edges
    max_fragment = limits.max_fragment_length
    rounded: dict[float, float] = {}  # link density -> rounded (a page's links share a few)
    for (_, link_type, anchor, img_alt, title, rel, link), target in zip(
        pending, targets, strict=True
    ):
        if link is None:
            edge = _add(page, target, link_type, rel, limits)
            if edge is not None and link_type == "canonical" and page.canonical_url is None:
                page.canonical_url = edge.target_url
            continue
        # the hot path: _add()'s steps for links in the DOM, with their region
        if target is None:
            continue
        target_url, fragment, target_host = target
        if len(target_url) > max_url or len(edges) >= max_edges:
            page.edges_dropped += 1
            continue
        if len(fragment) > max_fragment:
            fragment = fragment[:max_fragment]
        region, score, density = regions[link]
        shown = rounded.get(density)
        if shown is None:
            shown = rounded[density] = round(density, 3)
        target_domain = registered_domain(target_host)
        if rel:
            nofollow, sponsored, ugc = _credit(rel, page_nofollow)
        else:
            nofollow, sponsored, ugc = page_nofollow, False, False
        edges.append(
            new_edge(Edge, (
                target_url, fragment, target_host, target_domain, anchor, img_alt, title, rel,
                nofollow, region, link_type, len(edges), target_domain != domain, score,
                shown, sponsored, ugc, not (nofollow or sponsored or ugc),
            ))
        )  # fmt: skip


def _outermost(elements, table) -> list[int]:
    """``elements`` in document order, without those inside another of them."""
    out: list[int] = []
    for k in sorted(elements):
        if not out or k >= table.end[out[-1]]:
            out.append(k)
    return out


def _body(table) -> list[int]:
    """The ``<body>`` element (the page's text when it has no main block), or the root."""
    tags, end = table.tag, table.end
    k = 1  # the root's children: 1, its end, ...
    while k < len(tags):
        if tags[k] == "body":
            return [k]
        k = end[k]
    return [0] if len(tags) else []
