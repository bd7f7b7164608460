"""The element table of a parsed page: what the region model reads, in one pass.

:func:`element_table` turns a selectolax (Lexbor) tree into columns, one item
per element in document order: parent, tag, subtree extent, text measures and
class/id/role names.  Text measures count page text only: not the text of
``<script>``, ``<style>``, ``<noscript>`` and ``<template>``, which Readability
removes before it scores.  The C extension ``linkspider._dom`` fills them in one
walk of the tree; :func:`python_walk` computes the same columns through
selectolax's Python API, for machines where the extension was not built or
its view of Lexbor's structures does not match the installed selectolax
(checked once, at import, on a reference page).

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
from collections.abc import Sequence
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
        "iframe",
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

    address: Sequence[int]  # selectolax Node.mem_id
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
    tag: list[str]
    period: list[bool]  # the subtree's text ends with '.' (trailing whitespace aside)
    cls: list[str | None]
    ident: list[str | None]
    role: list[str | None]
    #: every a, area, link, meta, base and title element, in document order: tuples of
    #: :class:`Ref`'s fields (plain tuples from the C walk)
    refs: list[tuple]


class Ref(NamedTuple):
    """The attributes of a link-like element that the extraction reads (None: absent)."""

    element: int  # element index
    tag: str
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


#: Readability's DIV_TO_P_ELEMS: block content that keeps a <div> from being a paragraph
DIV_TO_P = frozenset(("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"))
#: elements whose text is not part of their parent's phrasing runs (besides DIV_TO_P)
NOT_PHRASING = frozenset(
    ("td", "li", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "header",
     "footer", "nav", "aside", "form")
)  # fmt: skip

#: elements whose text is not page text
HIDDEN = frozenset(("script", "style", "noscript", "template"))


def _last_char(text: str) -> str:
    text = text.rstrip()
    return text[-1] if text else ""


def python_walk(root) -> ElementTable:
    """:func:`element_table`'s columns through selectolax's Python API (slow, exact).

    Iterative, so that no nesting depth exhausts Python's recursion limit.
    """
    cols: list[list] = [[] for _ in ElementTable._fields]
    (address, parent, end, deep_ink, commas, own_ink, own_commas, children, p, img, list_ink,
     phrasing_ink, phrasing_commas, tag, period, cls, ident, role, refs) = cols  # fmt: skip
    block_inside: list[bool] = []
    # In document order: each element's text and element children, in order,
    # as ("text", last character) or ("child", [index, filled in when visited]).
    sequence: list[list] = []
    last: list[str] = []
    stack = [(root, -1, False, [0])]
    while stack:
        node, up, hidden, slot = stack.pop()
        i = slot[0] = len(address)
        name = node.tag
        attrs = node.attributes
        hidden = hidden or name in HIDDEN
        address.append(node.mem_id)
        parent.append(up)
        tag.append(name if name in KNOWN_TAGS else "")
        for col in (end, deep_ink, commas, own_ink, own_commas, children, p, img, list_ink,
                    phrasing_ink, phrasing_commas):  # fmt: skip
            col.append(0)
        block_inside.append(False)
        period.append(False)
        last.append("")
        cls.append(attrs.get("class"))
        ident.append(attrs.get("id"))
        role.append(attrs.get("role"))
        if name in _REF_TAGS:
            text = img_alt = None
            if name in ("a", "title"):
                text = " ".join(node.text().split())
                image = node.css_first("img")
                if image is not None:
                    img_alt = image.attributes.get("alt") or ""
            get = attrs.get
            refs.append(
                Ref(i, name, get("href"), get("rel"), get("title"), get("alt"), get("content"),
                 get("name"), get("http-equiv"), text, img_alt)
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
                    items.append(("text", _last_char(text)))
            elif kind != "-comment" and not kind.startswith(("#", "!")):
                child_slot = [-1]
                items.append(("child", child_slot))
                kids.append((child, i, hidden, child_slot))
        sequence.append(items)
        stack.extend(reversed(kids))
    for i in range(len(address) - 1, -1, -1):  # children before parents
        deep_ink[i] += own_ink[i]
        commas[i] += own_commas[i]
        phrasing_ink[i] += own_ink[i]
        phrasing_commas[i] += own_commas[i]
        end[i] = i + 1
        tail = ""
        for kind, value in sequence[i]:
            if kind == "text":
                tail = value or tail
                continue
            c = value[0]
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
    return ElementTable(*cols)


_NUMERIC = 13  # the leading columns, which the C walk returns as int64 buffers


def _c_walk(root) -> ElementTable:
    cols = _walk(root.mem_id)
    return ElementTable(*[memoryview(b).cast("q") for b in cols[:_NUMERIC]], *cols[_NUMERIC:])


def _layout_matches() -> bool:
    """Does the C extension read the installed selectolax's trees right?"""
    from selectolax.lexbor import LexborHTMLParser

    page = (
        '<!doctype html><html lang="en"><head><title>t</title><base href="/b/">'
        '<meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url=/r">'
        '<link rel="canonical" href="/c"></head><body class="b">'
        '<a href="/i" title="T"><img alt="pic"></a><map><area href="/m" alt="A"></map>'
        '<div id="main" role="main" data-x="1"><p>Caf\u00e9, na\u00efve\u00a0text. </p>'
        '<ul><li><a href="/x" rel="nofollow">link\uff0c one</a></li><li>two<img src="i"></li></ul>'
        '<!-- c --><section role="complementary" class="side bar"><p>more \u4e2d\u6587</p></section>'
        "<custom-tag>x</custom-tag><svg><a>s</a></svg></div><footer>end</footer></body></html>"
    )
    tree = LexborHTMLParser(page.encode())
    return _columns(_c_walk(tree.root)) == _columns(python_walk(tree.root))


def _columns(table: ElementTable) -> list[list]:
    """Every column as a list (for comparisons)."""
    return [list(column) for column in table]


try:
    from linkspider._dom import walk as _walk
except ImportError:  # not built (no C compiler at install time)
    _walk = None
    logger.warning(
        "linkspider._dom is not built (no C compiler when linkspider was installed): "
        "extraction falls back to a pure-Python walk, about 4x slower. Install a C compiler "
        "(Debian: apt-get install gcc) and run `uv sync --reinstall-package linkspider`."
    )

if _walk is not None and not _layout_matches():
    logger.warning(
        "linkspider._dom does not read this selectolax version's trees right; "
        "using the pure-Python walk (same results, about 4x slower)"
    )
    _walk = None

#: "c" when the C extension walks trees, "python" otherwise.
BACKEND = "c" if _walk is not None else "python"


def element_table(tree) -> ElementTable:
    """The element table of a parsed document (from its root element)."""
    root = tree.root
    return _c_walk(root) if _walk is not None else python_walk(root)
