"""The element table of a parsed page: what the region model reads, in one pass.

:func:`element_table` turns a selectolax (Lexbor) tree into columns, one item
per element in document order: parent, tag, subtree extent, text measures and
class/id/role names.  Text measures count page text only: not the text of
``<script>``, ``<style>``, ``<noscript>`` and ``<template>``, which Readability
removes before it scores.  The C extension ``linkspider._dom`` fills them in one
walk of the tree; :func:`python_walk` computes the same columns through
selectolax's Python API, for machines where the extension was not built or
cannot be used safely with the installed selectolax.

The C walk fails closed (see linkspider/_dom.c).  At import, before it reads
anything: the selectolax version must be one it was verified on
(:data:`VERIFIED_SELECTOLAX`, pinned in pyproject.toml); Lexbor's API must be
exported by selectolax's module; the two struct reads it makes must agree with
the API on a reference tree (:data:`PROBE_PAGE`, checked without dereferencing
anything); tag ids come from selectolax's public ``Node.tag_id``; and the C and
Python walks must give the same columns on that page.  Any failure: a warning,
and the Python walk.

>>> from selectolax.lexbor import LexborHTMLParser
>>> tree = LexborHTMLParser('<div id="x"><p>Hello, world. </p><ul><li>a b</li></ul></div>')
>>> t = element_table(tree)
>>> t.tag
['html', 'head', 'body', 'div', 'p', 'ul', 'li']
>>> t.parent[3], t.end[3], t.ink[3], t.commas[3], t.p[3], t.list_ink[3], t.ident[3]
(2, 7, 14, 1, 1, 2, 'x')
>>> t.period[4], t.period[3]
(True, False)
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Sequence
from typing import NamedTuple

logger = logging.getLogger(__name__)

#: tags the model tells apart (the others are "")
KNOWN_TAGS = frozenset(
    [
        "html",
        "body",
        "head",
        "a",
        "area",
        "p",
        "pre",
        "td",
        "th",
        "blockquote",
        "div",
        "li",
        "section",
        "article",
        "main",
        "header",
        "nav",
        "aside",
        "footer",
        "menu",
        "ul",
        "ol",
        "dl",
        "dd",
        "dt",
        "form",
        "fieldset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "address",
        "table",
        "code",
        "img",
        "script",
        "style",
        "noscript",
        "span",
        "tr",
        "tbody",
        "figure",
        "figcaption",
        "iframe",
        "caption",
        "col",
        "colgroup",
        "thead",
        "tfoot",
        "input",
        "font",
        "template",
        "svg",
        "link",
        "meta",
        "base",
        "title",
    ]
)


class ElementTable(NamedTuple):
    """Columns over the elements of a document, in document (pre-)order.

    The subtree of element ``i`` is ``range(i, end[i])``.  Text measures count
    the text nodes of the subtree, as ``Node.text()`` returns them.
    """

    parent: Sequence[int]  # -1 for the root
    end: Sequence[int]
    ink: Sequence[int]  # non-whitespace characters of the subtree's text (see ink())
    commas: Sequence[int]  # ',' and U+FF0C
    own_ink: Sequence[int]  # the same over the element's own text children
    own_commas: Sequence[int]
    children: Sequence[int]  # element children
    p: Sequence[int]  # <p> descendants
    img: Sequence[int]  # <img> descendants
    list_ink: Sequence[int]  # ink of every <ul>/<ol> descendant, summed
    #: own text plus the text of element children that are phrasing content (not in
    #: NOT_PHRASING and without DIV_TO_P descendants): a <div>'s paragraph text as
    #: Readability wraps it
    phrasing_ink: Sequence[int]
    phrasing_commas: Sequence[int]
    #: 1 when the element is not rendered (:func:`attributes_hide`), or is or is inside a
    #: HIDDEN element or such an element: its text counts nowhere
    hidden: Sequence[int]
    #: runs of whitespace between the ink of the subtree's text (see :func:`text_length`)
    gaps: Sequence[int]
    tag: list[str]
    period: list[bool]  # the subtree's text ends with '.' (trailing whitespace aside)
    cls: list[str | None]
    ident: list[str | None]
    role: list[str | None]
    #: the ``itemprop`` attribute (schema.org microdata: ``articleBody``, ``author``...) of
    #: the elements that have one, by index (few elements do: a dict, not a column of Nones)
    itemprop: dict[int, str]
    #: a ``p``, heading or ``figcaption``, or a ``div`` without block content inside, with some text but at most
    #: LEAD_MAX_INK characters: the start of its text (:func:`capped_text` at LEAD_CAP;
    #: linkspider.regions.crosslinks reads lines of up to SHORT_LINE characters, and longer ones
    #: that are almost all link text);
    #: None for other elements
    lead: list[str | None]
    #: every HTML a, area, link, meta, base and title element and every SVG a, in
    #: document order: tuples of :class:`Ref`'s fields (plain tuples from the C walk)
    refs: list[tuple]


class Ref(NamedTuple):
    """The attributes of a link-like element that the extraction reads.

    ``None``: the attribute is absent; a valueless attribute is ``''``, as in the DOM.
    """

    element: int  # element index
    tag: str
    #: ``href``; for an SVG ``<a>`` without one, its ``xlink:href``
    href: str | None
    rel: str | None
    title: str | None
    alt: str | None
    content: str | None
    name: str | None
    http_equiv: str | None
    #: ``<a>`` and ``<title>`` only: the text (whitespace collapsed), and the ``alt`` of the first ``<img>`` ('' without alt;
    #: None without an image)
    text: str | None
    img_alt: str | None


_REF_TAGS = frozenset(("a", "area", "link", "meta", "base", "title"))
#: ref elements whose text the extraction reads
_TEXT_TAGS = frozenset(("a", "title"))


def ink(text: str) -> int:
    """Characters that are not whitespace: the text length measure of the model.

    Cheaper than collapsing whitespace on large subtrees, and the same for a
    link's text whichever way its whitespace was written.

    >>> ink(" a b\\n\\t c "), ink("")
    (3, 0)
    """
    return (
        len(text)
        - text.count(" ")
        - text.count("\n")
        - text.count("\t")
        - text.count("\r")
        - text.count("\xa0")
    )


def _commas(text: str) -> int:
    return text.count(",") + text.count("\uff0c")


#: How a text's whitespace joins its neighbours': ``(inked, lead, trail, gaps)``: it has
#: ink; it starts / ends with whitespace (without ink: it has any); the runs of whitespace
#: between its ink characters.  Whitespace is what :func:`ink` leaves out.
Spacing = tuple[bool, bool, bool, int]
_NO_TEXT: Spacing = (False, False, False, 0)
_WHITESPACE_RUN = re.compile("[ \n\t\r\xa0]+")


def text_spacing(text: str) -> Spacing:
    """The :data:`Spacing` of one text.

    >>> text_spacing(" a  b\\xa0c\\n"), text_spacing("ab"), text_spacing(" \\n"), text_spacing("")
    ((True, True, True, 2), (True, False, False, 0), (False, True, True, 0), (False, False, False, 0))
    """
    stripped = text.strip(" \n\t\r\xa0")
    if not stripped:
        return (False, bool(text), bool(text), 0)
    return (
        True,
        stripped[0] != text[0],
        stripped[-1] != text[-1],
        len(_WHITESPACE_RUN.findall(stripped)),
    )


def join_spacing(a: Spacing, b: Spacing) -> Spacing:
    """The :data:`Spacing` of text ``a`` followed by text ``b``.

    >>> join_spacing(text_spacing("a "), text_spacing("b")), join_spacing(text_spacing("a"), text_spacing("b"))
    ((True, False, False, 1), (True, False, False, 0))
    >>> join_spacing(text_spacing(" "), text_spacing("b ")), join_spacing(text_spacing("a"), text_spacing(" "))
    ((True, True, True, 0), (True, False, True, 0))
    """
    if not b[0]:
        return (a[0], a[1] or (b[1] and not a[0]), a[2] or b[2], a[3])
    if not a[0]:
        return (True, a[1] or b[1], b[2], b[3])
    return (True, a[1], b[2], a[3] + b[3] + (a[2] or b[1]))


def text_length(ink: int, gaps: int) -> int:
    """Readability's length of a text (``textContent``, trimmed, whitespace runs made one
    space) from its ink and gaps: ``ink + gaps``.

    >>> text = " Available  Languages:\\n en | fr "
    >>> text_length(ink(text), text_spacing(text)[3]) == len(" ".join(text.split()))
    True
    """
    return ink + gaps


#: Readability's DIV_TO_P_ELEMS: block content that keeps a <div> from being a paragraph
DIV_TO_P = frozenset(("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"))
#: elements whose text is not part of their parent's phrasing runs (besides DIV_TO_P)
NOT_PHRASING = frozenset(
    ("td", "li", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "header",
     "footer", "nav", "aside", "form")
)  # fmt: skip

#: elements whose text is not page text
HIDDEN = frozenset(("script", "style", "noscript", "template"))
#: elements whose text is code, never shown: left out of link texts and leads too (which
#: are otherwise ``textContent``), as a browser's rendered text and Readability leave it out
CODE = frozenset(("script", "style"))


_ASCII_WS = "\t\n\f\r "


def style_hides(style: str) -> bool:
    """Does an inline ``style`` hide its element: is its last ``display`` ``none`` or its
    last ``visibility`` ``hidden`` (ASCII case aside, ``!important`` dropped)?

    >>> style_hides("color: red; DISPLAY : None !important"), style_hides("display:none;display:block")
    (True, False)
    >>> style_hides("visibility:hidden"), style_hides("font: x; visibility: visible"), style_hides("")
    (True, False, False)
    """
    display_none = visibility_hidden = False
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if not colon:
            continue
        value = value.split("!", 1)[0].strip(_ASCII_WS).lower()
        name = name.strip(_ASCII_WS).lower()
        if name == "display":
            display_none = value == "none"
        elif name == "visibility":
            visibility_hidden = value == "hidden"
    return display_none or visibility_hidden


def attributes_hide(attrs: dict) -> bool:
    """Is an element with these attributes not rendered, as Mozilla Readability's
    ``_isProbablyVisible`` reads it: a ``hidden`` attribute, ``aria-hidden="true"``
    (unless its class names a ``fallback-image``), or an inline style that hides it?

    >>> attributes_hide({"hidden": None}), attributes_hide({"aria-hidden": "true"})
    (True, True)
    >>> attributes_hide({"aria-hidden": "true", "class": "fallback-image"}), attributes_hide({"style": "color:red"})
    (False, False)
    """
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and style_hides(style):
        return True
    return attrs.get("aria-hidden") == "true" and "fallback-image" not in (attrs.get("class") or "")


# What the C walk is told about each known tag (its flag bits, linkspider/_dom.c)
(_F_P, _F_IMG, _F_LIST, _F_HIDDEN, _F_DIV_TO_P, _F_NOT_PHRASING, _F_REF, _F_A, _F_TEXT,
 _F_LEAD, _F_CODE) = (1 << k for k in range(11))  # fmt: skip
#: elements whose lead (the start of their text) the walks read, when short (see _dom.c)
LEAD_TAGS = frozenset(("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption"))
LEAD_CAP = 32
LEAD_MAX_INK = 1000


def _tag_flags(name: str) -> int:
    """The C walk's flag bits of a known tag: the sets above, in one place.

    >>> _tag_flags("p") == _F_P | _F_DIV_TO_P | _F_LEAD, _tag_flags("span")
    (True, 0)
    """
    return (
        (_F_P if name == "p" else 0)
        | (_F_IMG if name == "img" else 0)
        | (_F_LIST if name in ("ul", "ol") else 0)
        | (_F_HIDDEN if name in HIDDEN else 0)
        | (_F_DIV_TO_P if name in DIV_TO_P else 0)
        | (_F_NOT_PHRASING if name in NOT_PHRASING else 0)
        | (_F_REF if name in _REF_TAGS else 0)
        | (_F_A if name == "a" else 0)
        | (_F_TEXT if name in _TEXT_TAGS else 0)
        | (_F_LEAD if name in LEAD_TAGS else 0)
        | (_F_CODE if name in CODE else 0)
    )


def tag_positions(table: ElementTable, name: str) -> list[int]:
    """The indices of the elements with tag ``name``, found at C speed.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> tag_positions(element_table(LexborHTMLParser("<p>a</p><div><p>b</p></div>")), "p")
    [3, 5]
    """
    return positions(table.tag, name)


def positions(column: list, value: object) -> list[int]:
    """The indices at which ``column`` holds ``value`` (``==``), found at C speed
    (``linkspider._dom.positions``, or :func:`python_positions`).

    >>> positions([None, "main", "nav", "main"], "main")
    [1, 3]
    """
    if _dom is None:
        return python_positions(column, value)
    return _dom.positions(column, value)


def python_positions(column: list, value: object) -> list[int]:
    """:func:`positions` by ``list.index``, without the C module.

    >>> python_positions([None, "main", "nav", "main"], "main")
    [1, 3]
    """
    out: list[int] = []
    k = -1
    while True:
        try:
            k = column.index(value, k + 1)
        except ValueError:
            return out
        out.append(k)


def children(table: ElementTable, key: int) -> Iterator[int]:
    """The element children of ``key``, in document order (each subtree skipped whole).

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> list(children(element_table(LexborHTMLParser("<div><p>a<b>b</b></p><ul></ul></div>")), 3))
    [4, 6]
    """
    end = table.end
    child, stop = key + 1, end[key]
    while child < stop:
        yield child
        child = end[child]


def up_the_tree(
    table: ElementTable, key: int, memo: dict[int, bool], test, stop: frozenset[str] = frozenset()
) -> bool:
    """Does ``test(k)`` hold for element ``key`` or one of its ancestors, below the first
    whose tag is in ``stop``?  Iterative (the nesting depth is the page's to choose); the
    answers of every element passed on the way go to ``memo`` (one memo per question).

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> t = element_table(LexborHTMLParser("<figure><div><p>x</p></div></figure><p>y</p>"))
    >>> is_figure = lambda k: t.tag[k] == "figure"
    >>> [up_the_tree(t, k, {}, is_figure) for k in tag_positions(t, "p")]
    [True, False]
    """
    parent, tags = table.parent, table.tag
    chain = []
    k = key
    found = False
    while k >= 0:
        known = memo.get(k)
        if known is not None:
            found = known
            break
        chain.append(k)
        if test(k):
            found = True
            break
        if tags[k] in stop:
            break
        k = parent[k]
    for k in chain:
        memo[k] = found
    return found


def _last_char(text: str) -> str:
    text = text.rstrip()
    return text[-1] if text else ""


def _attr(attrs: dict, name: str) -> str | None:
    """An attribute as the DOM has it: absent None, valueless '' (selectolax says None)."""
    value = attrs.get(name)
    if value is None and name in attrs:
        return ""
    return value


_SVG_HTML_POINTS = frozenset(("foreignObject", "desc", "title"))
_MATH_TEXT_POINTS = frozenset(("mi", "mo", "mn", "ms", "mtext"))


def _child_namespace(namespace: str, name: str, attrs: dict, child: str) -> str:
    """The namespace the HTML tree builder gives element ``child`` of element ``name``.

    HTML standard, "tree construction": an ``svg`` or ``math`` start tag opens
    foreign content; inside it, elements stay foreign except below the HTML
    integration points (SVG ``foreignObject``, ``desc``, ``title``; MathML
    ``annotation-xml`` holding HTML) and the MathML text integration points;
    start tags that break out of foreign content land outside it, under an HTML
    parent, so the parent's namespace is all this needs.

    >>> _child_namespace("html", "div", {}, "svg"), _child_namespace("svg", "svg", {}, "a")
    ('svg', 'svg')
    >>> _child_namespace("svg", "foreignObject", {}, "p"), _child_namespace("math", "mi", {}, "b")
    ('html', 'html')
    """
    if namespace == "svg" and name not in _SVG_HTML_POINTS:
        return "svg"
    if namespace == "math":
        if name in _MATH_TEXT_POINTS:
            if child in ("mglyph", "malignmark"):
                return "math"
        elif name == "annotation-xml":
            if child == "svg":
                return "svg"
            encoding = (attrs.get("encoding") or "").lower()
            if encoding not in ("text/html", "application/xhtml+xml"):
                return "math"
        else:
            return "math"
    return "svg" if child == "svg" else "math" if child == "math" else "html"


def _namespace(node) -> str:
    """'html', 'svg' or 'math': an element's namespace, from selectolax's serializer.

    Serializes the subtree: for checks on small reference pages only.
    """
    head = node.html_pretty(tag_with_ns=True)[:6]
    return "svg" if head.startswith("<svg:") else "math" if head.startswith("<math:") else "html"


def capped_text(raw: str, cap: int) -> str:
    """The text of a link or title as the walks give it: whitespace collapsed, at most
    ``cap`` characters, from at most ``8 * cap + 1024`` characters of the raw text (so
    that nested links cost bounded work each).

    >>> capped_text("  a\\n b  c ", 3), capped_text("x " * 10_000, 5)
    ('a b', 'x x x')
    """
    return " ".join(raw[: 8 * cap + 1024].split())[:cap]


def text_of(node, by_node: bool = False) -> str:
    """A node's ``textContent`` without the text of the :data:`CODE` elements inside it.

    ``by_node``: decode each text node by itself, as a browser does (it decodes before it
    tokenizes), where the document holds invalid UTF-8, which Lexbor keeps as sent and
    ``Node.text()`` decodes after joining: one node's unfinished sequence must not be
    finished by the next node's bytes (:func:`has_invalid_text` tells).

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> a = LexborHTMLParser('<a href=/x>Buy <script>track("a")</script>now<style>a{}</style></a>')
    >>> text_of(a.css_first("a"))
    'Buy now'
    >>> p = LexborHTMLParser(b"<p>\\xe8\\xaf<b>\\xbd</b></p>").css_first("p")
    >>> [hex(ord(c)) for c in text_of(p)], [hex(ord(c)) for c in text_of(p, by_node=True)]
    (['0x8bfd'], ['0xfffd', '0xfffd'])
    """
    if not by_node and node.css_first("script, style") is None:
        return node.text()
    return "".join(
        t.text_content or ""
        for t in node.traverse(include_text=True)
        if t.tag == "-text" and t.parent is not None and t.parent.tag not in CODE
    )


def has_invalid_text(root) -> bool:
    """Does a text node below ``root`` hold invalid UTF-8 (a replacement character once
    decoded by itself)?"""
    return any(
        "\ufffd" in (t.text_content or "")
        for t in root.traverse(include_text=True)
        if t.tag == "-text"
    )


def python_walk(root, link_cap: int = 512, title_cap: int = 1024) -> ElementTable:
    """:func:`element_table`'s columns through selectolax's Python API (slow, exact).

    Iterative, so that no nesting depth exhausts Python's recursion limit.
    """
    cols: list = [{} if name == "itemprop" else [] for name in ElementTable._fields]
    (parent, end, deep_ink, commas, own_ink, own_commas, children, p, img, list_ink,
     phrasing_ink, phrasing_commas, hidden_col, gaps, tag, period, cls, ident, role, itemprop,
     lead, refs) = cols  # fmt: skip
    spacing: list[tuple[bool, bool, bool, int]] = []  # per element, see Spacing
    leads: list[tuple[int, object]] = []  # (index, node) of the elements that may have a lead
    block_inside: list[bool] = []
    # In document order: each element's text and element children, in order,
    # as ("text", last character) or ("child", [index, filled in when visited]).
    sequence: list[list] = []
    last: list[str] = []
    by_node = has_invalid_text(root)  # (then texts are joined node by node, as in C)
    stack = [(root, -1, False, "html", [0])]
    while stack:
        node, up, hidden, namespace, slot = stack.pop()
        i = slot[0] = len(parent)
        name = node.tag
        attrs = node.attributes
        hidden = hidden or name in HIDDEN or attributes_hide(attrs)
        hidden_col.append(int(hidden))
        parent.append(up)
        tag.append(name if name in KNOWN_TAGS else "")
        for col in (end, deep_ink, commas, own_ink, own_commas, children, p, img, list_ink,
                    phrasing_ink, phrasing_commas, gaps):  # fmt: skip
            col.append(0)
        block_inside.append(False)
        period.append(False)
        last.append("")
        cls.append(_attr(attrs, "class"))
        ident.append(_attr(attrs, "id"))
        role.append(_attr(attrs, "role"))
        prop = _attr(attrs, "itemprop")
        if prop is not None:
            itemprop[i] = prop
        lead.append(None)
        spacing.append(_NO_TEXT)
        if name in LEAD_TAGS:
            leads.append((i, node))
        # HTML elements only (an SVG <base> or <title> is not the page's), and SVG links
        if name in _REF_TAGS and (namespace == "html" or (name == "a" and namespace == "svg")):
            text = img_alt = None
            if name in _TEXT_TAGS:
                text = capped_text(text_of(node, by_node), link_cap if name == "a" else title_cap)
                image = node.css_first("img")
                if image is not None:
                    img_alt = _attr(image.attributes, "alt") or ""
            href = _attr(attrs, "href")
            if href is None and namespace == "svg":
                href = _attr(attrs, "xlink:href")
            refs.append(
                Ref(i, name, href, _attr(attrs, "rel"), _attr(attrs, "title"),
                    _attr(attrs, "alt"), _attr(attrs, "content"), _attr(attrs, "name"),
                    _attr(attrs, "http-equiv"), text, img_alt)
            )  # fmt: skip
        items: list = []
        kids = []
        for child in node.iter(include_text=True):
            kind = child.tag
            if kind == "-text":
                text = child.text_content or ""
                if not hidden and text:
                    own_ink[i] += ink(text)
                    own_commas[i] += _commas(text)
                    items.append(("text", _last_char(text), text_spacing(text)))
            elif child.is_element_node:
                child_slot = [-1]
                items.append(("child", child_slot))
                kids.append(
                    (
                        child,
                        i,
                        hidden,
                        _child_namespace(namespace, name, attrs, child.tag),
                        child_slot,
                    )
                )
        sequence.append(items)
        stack.extend(reversed(kids))
    for i in range(len(parent) - 1, -1, -1):  # children before parents
        deep_ink[i] += own_ink[i]
        commas[i] += own_commas[i]
        phrasing_ink[i] += own_ink[i]
        phrasing_commas[i] += own_commas[i]
        end[i] = i + 1
        tail = ""
        shape = _NO_TEXT
        for kind, value, *piece in sequence[i]:
            if kind == "text":
                tail = value or tail
                shape = join_spacing(shape, piece[0])
                continue
            c = value[0]
            shape = join_spacing(shape, spacing[c])
            end[i] = end[c]
            children[i] += 1
            deep_ink[i] += deep_ink[c]
            commas[i] += commas[c]
            p[i] += p[c] + (tag[c] == "p")
            img[i] += img[c] + (tag[c] == "img")
            list_ink[i] += list_ink[c] + (deep_ink[c] if tag[c] in ("ul", "ol") else 0)
            if tag[c] in DIV_TO_P or block_inside[c]:
                block_inside[i] = True
            elif tag[c] not in NOT_PHRASING:
                phrasing_ink[i] += deep_ink[c]
                phrasing_commas[i] += commas[c]
            tail = last[c] or tail
        last[i] = tail
        period[i] = tail == "."
        spacing[i] = shape
        gaps[i] = shape[3]
    for (
        i,
        node,
    ) in leads:  # a paragraph or heading, or a div that is one (no block inside), with text
        if 0 < deep_ink[i] <= LEAD_MAX_INK and (tag[i] == "p" or not block_inside[i]):
            lead[i] = capped_text(text_of(node, by_node), LEAD_CAP)
    return ElementTable(*cols)


_NUMERIC = 14  # the leading columns, which the C walk returns as int64 buffers


def _c_walk(root, link_cap: int = 512, title_cap: int = 1024) -> ElementTable:
    cols = _dom.walk(root, link_cap, title_cap)
    return ElementTable(*[memoryview(b).cast("q") for b in cols[:_NUMERIC]], *cols[_NUMERIC:])


#: selectolax releases whose Lexbor the C walk was verified on (pyproject.toml pins these).
VERIFIED_SELECTOLAX = ("1.0.2",)

#: The reference page of the import-time checks: every known tag, SVG and MathML
#: (foreign elements, integration points, xlink:href), valueless and duplicate
#: attributes, non-ASCII and odd-length text.
PROBE_PAGE = (
    '<!doctype html><html lang="en"><head><title>t</title><base href="/b/">'
    '<meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url=/r">'
    '<link rel="canonical" href="/c"><style>p{}</style><script>var x = "<a>";</script></head>'
    '<body class="b"><header><nav><menu><li><a href="/n">n</a></li></menu></nav></header>'
    '<a href="/i" title="T"><img alt="pic"></a><map><area href="/m" alt="A"></map>'
    '<main><article><section><div id="main" role="main" data-x="1" class itemprop="articleBody">'
    "<h1>h1</h1><h2>h2</h2><h3>h3</h3><h4>h4</h4><h5>h5</h5><h6>h6</h6>"
    "<p>Caf\u00e9, na\u00efve\u00a0text. </p><pre>pre</pre><blockquote>q</blockquote>"
    '<ul><li><a href="/x" rel="nofollow" rel="dup">link\uff0c one</a></li><li>two<img src="i"></li></ul>'
    "<ol><li>o</li></ol><dl><dt>t</dt><dd>d</dd></dl><address itemprop=author>a</address><code>c</code>"
    "<figure><span>s</span><figcaption>cap</figcaption></figure><table><caption>c</caption><colgroup><col></colgroup>"
    "<thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody><tfoot></tfoot></table>"
    '<form><fieldset><input name="q"><a href>valueless</a></fieldset></form><iframe src="f"></iframe>'
    '<font size="-1">font</font><p hidden>h <a href="/h1">h1</a></p><div aria-hidden="true">ah</div>'
    '<div aria-hidden="true" class="x fallback-image">fb</div><span style="Display: none">dn</span>'
    '<span style="visibility:hidden;display:inline">vh</span><i style="display:none;display:block">db</i>'
    "<noscript>no script</noscript><template><a href=/t>t</a></template>"
    '<!-- c --><aside role="complementary" class="side bar"><p>more \u4e2d\u6587</p></aside>'
    '<custom-tag>x</custom-tag><svg><a xlink:href="/s">svg link</a><title>svg title</title>'
    '<base href="/svg-base/"><foreignObject><p>html in svg</p><a href="/fo">fo</a></foreignObject>'
    '</svg><math><mi>x</mi><mtext><b>html in math</b></mtext><a href="/mathml">m</a></math>'
    "</div></section></article></main><footer>end: an odd-length text node, 47 bytes</footer>"
    "</body></html>"
)


def _columns(table: ElementTable) -> list[list]:
    """Every column as a list (for comparisons)."""
    return [
        sorted(column.items()) if isinstance(column, dict) else list(column) for column in table
    ]


def _enable_c_walk() -> str | None:
    """Check and configure the C walk; the reason it cannot be used, or None."""
    import selectolax
    import selectolax.lexbor
    from selectolax.lexbor import LexborHTMLParser, LexborNode

    version = getattr(selectolax, "__version__", "unknown")
    if version not in VERIFIED_SELECTOLAX:
        return f"selectolax {version} is not a version it was verified on ({', '.join(VERIFIED_SELECTOLAX)})"
    try:
        _dom.bind(selectolax.lexbor.__file__, LexborNode)
    except ImportError as exc:
        return str(exc)
    tree = LexborHTMLParser(PROBE_PAGE.encode())
    seen = _dom.probe(tree.root)
    if seen is None:
        return "Lexbor's node layout is not the one the walk reads"
    expected = []  # the same nodes through selectolax's public API
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if node.is_text_node:
            expected.append((3, 0, node.text_content, None))
            continue
        expected.append((1, node.tag_id, None, _namespace(node)))
        stack.extend(
            reversed(
                [c for c in node.iter(include_text=True) if c.is_element_node or c.is_text_node]
            )
        )
    if [item[:3] for item in seen] != [item[:3] for item in expected]:
        return "Lexbor's API and selectolax disagree on the reference tree"
    namespaces: dict[str, set[int]] = {}
    for (_, _, _, ns), (_, _, _, kind) in zip(seen, expected, strict=True):
        if kind is not None:
            namespaces.setdefault(kind, set()).add(ns)
    values = [namespaces.get(kind, set()) for kind in ("html", "svg", "math")]
    if any(len(v) != 1 for v in values) or len(set.union(*values)) != 3:
        return "the namespace field does not sort elements as selectolax does"
    tags = {}
    for node in tree.root.traverse():
        if node.tag in KNOWN_TAGS:
            tags.setdefault(node.tag_id, (node.tag, _tag_flags(node.tag)))
    missing = KNOWN_TAGS - {name for name, _ in tags.values()}
    if missing:
        return f"the reference page lacks tags {sorted(missing)}"
    _dom.configure(tags, *(v.pop() for v in values[:2]))
    if _columns(_c_walk(tree.root)) != _columns(python_walk(tree.root)):
        return "the C and Python walks disagree on the reference page"
    return None


try:
    from linkspider import _dom
except ImportError:  # not built (no C compiler at install time)
    _dom = None
    BACKEND_PROBLEM = (
        "linkspider._dom is not built (no C compiler when linkspider was installed): extraction "
        "falls back to a pure-Python walk, about 4x slower. Install a C compiler (Debian: apt-get "
        "install gcc) and run `uv sync --reinstall-package linkspider`."
    )
else:
    BACKEND_PROBLEM = _enable_c_walk()
    if BACKEND_PROBLEM is not None:
        BACKEND_PROBLEM = f"linkspider._dom is not used ({BACKEND_PROBLEM}): the pure-Python walk gives the same results, about 4x slower"
if BACKEND_PROBLEM is not None:
    logger.warning(BACKEND_PROBLEM)

#: "c" when the C extension walks trees, "python" otherwise (:data:`BACKEND_PROBLEM` says why).
BACKEND = "c" if BACKEND_PROBLEM is None else "python"


def bound_markup(
    markup: str | bytes,
    max_depth: int,
    max_attrs: int,
    drop_raw: bool = False,
    max_formatting: int | None = None,
    max_options: int | None = None,
    max_names: int | None = None,
) -> tuple[bytes, bool] | None:
    """The markup with what would make the parse superlinear left out, or None when
    nothing is left out: start tags nested deeper than ``max_depth`` (links and head
    elements kept), attributes past an element's first ``max_attrs`` (the ones the
    extraction reads kept) and, when ``max_formatting`` is given, formatting start tags
    (``<b>``, ``<font>``...) past that many not closed by their end tags (the parser
    opens those again in every new paragraph) and, when ``max_options`` is given, a
    ``<select>``'s options past that many (the parser's work for each grows with those before
    it) and, when ``max_names`` is given, start tags and attributes of new names once the
    page has used that many distinct tag names, or attribute names, counted from its
    ``5 * max_names``-th tag, or attribute, on (the parser keeps each new name in a table
    whose lookups grow with it); with ``drop_raw``, also the text of
    ``<script>`` and ``<style>`` elements, which the extraction never reads (the parser is
    then spared tokenizing it).  Returns ``(bytes, cut)``: ``cut`` when the bounds left
    something out.
    See ``bound_markup`` in linkspider/_dom.c.  Without the C extension, None: such pages
    are then bounded only by the extraction's time limit.

    >>> bound_markup(b"<div><p>fine</p></div>", 128, 64) is None
    True
    >>> bound_markup(b"<div>" * 5 + b"<a href=/x>x</a>", 2, 64)
    (b'<div><div><a href=/x>x</a>', True)
    >>> bound_markup(b'<p a=1 b=2 c=3 href="/h">x</p>', 128, 1)
    (b'<p a=1   href="/h">x</p>', True)
    >>> bound_markup(b"<script>if (a<b) x()</script><style>p{}</STYLE>", 128, 64, drop_raw=True)
    (b'<script></script><style></STYLE>', False)
    >>> bound_markup(b"<p><b><i><u id=1><u id=2></p><p>x</p>", 128, 64, max_formatting=2)
    (b'<p><b><i></p><p>x</p>', True)
    >>> bound_markup(b"<select><option>a<option>b<option>c</select>", 128, 64, max_options=2)
    (b'<select><option>a<option>bc</select>', True)
    >>> bound_markup(b"<p k=0>" * 5 + b"<x-a k=1>a</x-a><x-b k=2 j=3>b</x-b><x-a j=4>c", 128, 64,
    ...              max_names=1)
    (b'<p k=0><p k=0><p k=0><p k=0><p k=0><x-a k=1>a</x-a>b<x-a >c', True)
    """
    if _dom is None:
        return None
    data = markup.encode("utf-8", "surrogatepass") if isinstance(markup, str) else markup
    unbounded = sys.maxsize  # (the C function's "no bound": no count is kept for it)
    return _dom.bound_markup(
        data,
        max_depth,
        max_attrs,
        drop_raw,
        unbounded if max_formatting is None else max_formatting,
        unbounded if max_options is None else max_options,
        unbounded if max_names is None else max_names,
    )


def element_table(tree, link_cap: int = 512, title_cap: int = 1024) -> ElementTable:
    """The element table of a parsed document (from its root element); link and title
    texts are :func:`capped_text` at ``link_cap`` and ``title_cap`` characters."""
    root = tree.root
    walk = _c_walk if BACKEND == "c" else python_walk
    return walk(root, link_cap, title_cap)


def python_visible_text(root, indices: Sequence[int], cap: int) -> str:
    """:func:`visible_text` through selectolax's Python API (slow, exact)."""
    wanted = list(indices)
    parts: list[str] = []
    size = 0
    count = 0
    w = 0
    open_subtrees = 0  # wanted subtrees entered and not yet left
    # (node, inside a wanted subtree, hidden); a node of None marks the end of a wanted one
    stack: list = [(root, False, False)]
    while stack and size < cap and (w < len(wanted) or open_subtrees):
        node, inside, hidden = stack.pop()
        if node is None:  # the end of a wanted subtree
            open_subtrees -= 1
            if size:
                parts.append(" ")
                size += 1
            continue
        if node.tag == "-text":
            if inside and not hidden:
                text = node.text_content or ""
                parts.append(text)
                size += len(text.encode("utf-8", "surrogatepass"))
            continue
        if not node.is_element_node:
            continue
        if not inside and w < len(wanted) and count == wanted[w]:
            inside = True
            w += 1
            open_subtrees += 1
            stack.append((None, True, False))
        count += 1
        name = node.tag
        if inside:
            hidden = hidden or name in HIDDEN or attributes_hide(node.attributes)
            if (name in NOT_PHRASING or name in DIV_TO_P) and size:
                parts.append(" ")
                size += 1
        stack.extend(reversed([(child, inside, hidden) for child in node.iter(include_text=True)]))
    data = "".join(parts).encode("utf-8", "surrogatepass")
    cut = min(cap, len(data))
    while 0 < cut < len(data) and data[cut] & 0xC0 == 0x80:
        cut -= 1
    return data[:cut].decode("utf-8", "replace")


def visible_text(tree, indices: Sequence[int], cap: int) -> str:
    """The visible text of the subtrees of the elements at ``indices`` (numbered as in
    :func:`element_table`, ascending, none inside another): no script, style, noscript
    or template text, a space before every element that is not phrasing content and
    after each subtree (block elements: :data:`DIV_TO_P` and :data:`NOT_PHRASING`), at
    most ``cap`` bytes of UTF-8.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> tree = LexborHTMLParser("<nav>menu</nav><div><p>Hel<b>lo</b></p><script>x</script><p>caf\u00e9</p></div>")
    >>> [(i, tag) for i, tag in enumerate(element_table(tree).tag) if tag]
    [(0, 'html'), (1, 'head'), (2, 'body'), (3, 'nav'), (4, 'div'), (5, 'p'), (7, 'script'), (8, 'p')]
    >>> visible_text(tree, [4], 100) == "Hello caf\\u00e9 "
    True
    >>> visible_text(tree, [3, 5], 100), visible_text(tree, [4], 9)
    ('menu  Hello ', 'Hello caf')
    """
    root = tree.root
    if root is None:
        return ""
    if BACKEND == "c":
        return _dom.visible_text(root, indices, cap)
    return python_visible_text(root, indices, cap)
