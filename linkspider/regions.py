"""DOM region of a link: header, nav, main, aside, footer, comment or body.

The innermost ancestor that carries a cue decides.  Cues, strongest first:
HTML5 sectioning tags (``<nav>``, ``<aside>``, ``<footer>``, ``<header>``,
``<main>``, ``<article>``), ARIA landmark roles, then tokens of ``class`` and
``id`` (``menu``, ``sidebar``, ``comment``, ``footer``...).  Results are
memoized per element, so classifying every link of a page walks each ancestor
chain once.

>>> from selectolax.lexbor import LexborHTMLParser
>>> tree = LexborHTMLParser(
...     '<body><div id="sidebar"><a href="a">a</a></div>'
...     '<article><p><a href="b">b</a></p><nav><a href="c">c</a></nav></article>'
...     '<div class="commentlist"><a href="d">d</a></div><a href="e">e</a></body>')
>>> classifier = RegionClassifier()
>>> [classifier.region(a) for a in tree.css("a")]
['aside', 'main', 'nav', 'comment', 'body']
"""

from __future__ import annotations

import re

REGIONS = ("header", "nav", "main", "aside", "footer", "comment", "body")

_TAGS = {
    "header": "header",
    "nav": "nav",
    "main": "main",
    "article": "main",
    "aside": "aside",
    "footer": "footer",
    "menu": "nav",
}
_ROLES = {
    "banner": "header",
    "navigation": "nav",
    "menu": "nav",
    "menubar": "nav",
    "search": "nav",
    "main": "main",
    "article": "main",
    "complementary": "aside",
    "contentinfo": "footer",
    "comment": "comment",
}
# class/id tokens (split on anything that is not a letter or digit), checked in
# this order; the first group with a matching token wins.
_TOKEN_CUES: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "comment",
        frozenset(
            [
                "comment",
                "comments",
                "commentlist",
                "comment-list",
                "disqus",
                "respond",
                "reply",
                "replies",
                "discussion",
                "dsq",
            ]
        ),
    ),
    (
        "nav",
        frozenset(
            [
                "nav",
                "navbar",
                "navigation",
                "menu",
                "menubar",
                "breadcrumb",
                "breadcrumbs",
                "pagination",
                "pager",
                "toc",
                "skip",
                "skiplink",
            ]
        ),
    ),
    (
        "aside",
        frozenset(
            [
                "sidebar",
                "aside",
                "widget",
                "widgets",
                "related",
                "share",
                "sharing",
                "social",
                "sponsor",
                "sponsored",
                "ad",
                "ads",
                "advert",
                "advertisement",
                "promo",
                "rail",
                "recommended",
                "popular",
                "trending",
                "newsletter",
                "tags",
                "tagcloud",
            ]
        ),
    ),
    ("footer", frozenset(["footer", "colophon", "copyright"])),
    ("header", frozenset(["header", "masthead", "banner", "topbar"])),
    (
        "main",
        frozenset(
            [
                "content",
                "main",
                "article",
                "post",
                "entry",
                "story",
                "body-text",
                "articlebody",
                "post-content",
                "entry-content",
                "article-body",
                "story-body",
            ]
        ),
    ),
)
_SPLIT = re.compile(r"[^a-z0-9]+")


def token_region(class_and_id: str) -> str | None:
    """Region suggested by ``class``/``id`` tokens, if any.

    >>> token_region("site-footer footer"), token_region("main-nav"), token_region("x")
    ('footer', 'nav', None)
    """
    if not class_and_id:
        return None
    tokens = set(_SPLIT.split(class_and_id.lower()))
    for region, cues in _TOKEN_CUES:
        if not cues.isdisjoint(tokens):
            return region
    return None


def own_region(tag: str, attrs) -> str | None:
    """Region that an element itself announces (``attrs`` has ``.get``)."""
    region = _TAGS.get(tag)
    if region is not None:
        return region
    role = attrs.get("role")
    if role:
        region = _ROLES.get(role.strip().lower())
        if region is not None:
            return region
    cls = attrs.get("class") or ""
    ident = attrs.get("id") or ""
    if cls or ident:
        return token_region(f"{cls} {ident}")
    return None


class RegionClassifier:
    """Classifies the links of one document; keeps a per-element memo."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo: dict[int, str] = {}

    def region(self, node) -> str:
        memo = self._memo
        chain = []
        current = node.parent
        found = "body"
        while current is not None:
            key = current.mem_id
            cached = memo.get(key)
            if cached is not None:
                found = cached
                break
            tag = current.tag
            if tag in ("body", "html", "-document", "#document"):
                memo[key] = "body"
                break
            region = own_region(tag, current.attrs)
            if region is not None:
                memo[key] = region
                found = region
                break
            chain.append(key)
            current = current.parent
        for key in chain:
            memo[key] = found
        return found
