"""DOM region of a link: header, nav, main, aside, footer, comment or body.

Two kinds of evidence, both read from the one parse of the extraction core:

1. *Cues* of the link's ancestors (the innermost one speaks): HTML5 sectioning
   tags (``<nav>``, ``<aside>``, ``<footer>``, ``<header>``, ``<main>``,
   ``<article>``), ARIA landmark roles, and ``class``/``id`` tokens (``menu``,
   ``sidebar``, ``comment``, ``share``, ``footer``...).
2. *The main block*, chosen as a whole the way Mozilla Readability does:
   text blocks score by length and commas, scores flow to their ancestors,
   the best ancestor (penalized by its link density) wins, and siblings that
   score well join it.  Inside the block, containers that look like
   boilerplate (negative class weight, "unlikely" names, link-dense lists and
   divs) are not ``main``.

A link is ``main`` when it is inside the main block and neither a cue nor a
boilerplate container says otherwise.  Outside the block its innermost cue
decides, else ``body``.  With no text block on the page, cues alone decide.

>>> from selectolax.lexbor import LexborHTMLParser
>>> text = "<p>" + "A long paragraph of article text, with commas, and words. " * 4 + "</p>"
>>> tree = LexborHTMLParser(
...     '<body><div id="sidebar"><a href="a">a</a></div>'
...     f'<article>{text}<p><a href="b">b</a>{text}</p><nav><a href="c">c</a></nav></article>'
...     '<div class="commentlist"><a href="d">d</a></div><a href="e">e</a></body>')
>>> model = PageRegions(tree)
>>> keys = [model.add_link(ref[0]) for ref in model.table.refs]
>>> model.finish()
>>> [model.region(k)[0] for k in keys]
['aside', 'main', 'nav', 'comment', 'body']
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from linkspider.dom import element_table

_UNSET = object()

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


# Mozilla Readability's published name heuristics (Readability.js REGEXPS:
# unlikelyCandidates, okMaybeItsACandidate, positive, negative), as substring
# lists over lowercased names: Python's regex engine tries every branch of a
# long alternation at every position, which made these the slowest part of a
# page whose class names are new.
_UNLIKELY = (
    "-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap",
    "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
    "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
    "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote",
)  # fmt: skip
_MAYBE = ("and", "article", "body", "column", "content", "main", "mathjax", "shadow")
_POSITIVE = (
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination",
    "post", "text", "blog", "story",
)  # fmt: skip
_NEGATIVE = (
    "-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "footer", "gdpr",
    "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox",
    "sidebar", "skyscraper", "sponsor", "shopping", "tags", "widget",
)  # fmt: skip


def _mentions(name: str, words: tuple[str, ...]) -> bool:
    """Does lowercased ``name`` contain one of ``words``?

    >>> _mentions("site-footer", _NEGATIVE), _mentions("x", _NEGATIVE)
    (True, False)
    """
    for word in words:  # noqa: SIM110 (a loop is twice as fast as any() here)
        if word in name:
            return True
    return False


def _negative(name: str) -> bool:
    """Readability's negative pattern, including its whole-word ``hid``."""
    return _mentions(name, _NEGATIVE) or ("hid" in name and "hid" in name.split(" "))


_UNLIKELY_ROLES = frozenset(
    ("menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog")
)
_TAG_SCORE = {
    "div": 5,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}
#: Containers that Readability cleans conditionally inside the article.
_CLEANED = frozenset(("div", "ul", "ol", "table", "form", "fieldset", "section", "dl"))
_ROOTS = frozenset(("html", "-document", "#document"))
_TEXT_BLOCKS = frozenset(("p", "pre", "td", "blockquote"))
_PHRASING_TAGS = frozenset(("div", "li", "section", "article", "main"))
_BLOCK_TAGS = _TEXT_BLOCKS | _PHRASING_TAGS
#: Text blocks count from this many non-whitespace characters (Readability: 25 characters).
MIN_BLOCK_TEXT = 21
#: A main block with less text than this triggers Readability's retries (its 500 characters).
CHAR_THRESHOLD = 420
#: (skip "unlikely" names, use class weights, clean conditionally), in order.
_ATTEMPTS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


def class_weight(cls: str, ident: str) -> int:
    """Readability's class weight: +-25 for positive/negative class and id names.

    >>> class_weight("post-content", ""), class_weight("sidebar widget", "x"), class_weight("", "")
    (25, -25, 0)
    >>> class_weight("hid", ""), class_weight("a hid", ""), class_weight("hidx", "")
    (-25, -25, 0)
    """
    weight = 0
    for name in (cls, ident):
        if name:
            name = name.lower()
            if _negative(name):
                weight -= 25
            if _mentions(name, _POSITIVE):
                weight += 25
    return weight


@lru_cache(maxsize=65_536)
def _name_facts(cls: str, ident: str) -> tuple[str | None, int, bool]:
    """Everything class and id names say: (token cue, class weight, unlikely)."""
    names = f"{cls} {ident}".lower()
    unlikely = _mentions(names, _UNLIKELY) and not _mentions(names, _MAYBE)
    return token_region(names), class_weight(cls, ident), unlikely


@lru_cache(maxsize=65_536)
def _class_facts(cls: str) -> tuple[str | None, int, bool]:
    """:func:`_name_facts` of an element with a class and no id (most of them; a cheaper key)."""
    return _name_facts(cls, "")


class PageRegions:
    """The region model of one parsed document.

    Use: :meth:`add_link` for every link element, then :meth:`finish` once,
    then :meth:`region` per link key.  Everything it reads about the page
    comes from the :func:`linkspider.dom.element_table` of the tree: one walk,
    in C when the extension is built.
    """

    def __init__(self, tree, link_cap: int = 512, title_cap: int = 1024) -> None:
        t = self.table = element_table(tree, link_cap, title_cap)
        n = len(t.tag)
        self.parent = t.parent
        self.tag = t.tag
        self.end = t.end
        self.ink = t.ink
        self._cls, self._ident, self._role = t.cls, t.ident, t.role
        self.cue: list = [_UNSET] * n
        self.weight: list[int] = [0] * n
        self.unlikely: list[bool] = [False] * n
        self._links: list[int] = []
        self._link_ink: list[int] = []  # prefix sums of link text ink, after finish()
        self.main: set[int] = set()
        self._clean = True
        self._boilerplate: dict[int, bool] = {}
        self._region: dict[int, tuple[str, float, float]] = {}
        self._paths: dict[int, tuple] = {}
        self._outer: dict[int, int] = {}  # cleanable container -> the next one up (-1: none)
        self._boiler_chain: dict[int, bool] = {}
        self._unlikely_memo: dict[int, bool] = {}

    # -- what an element says about itself -------------------------------------

    def _describe(self, key: int):
        """The cue of element ``key`` (and its class weight and "unlikely" flag)."""
        tag = self.tag[key]
        cue = None
        cls, ident, role = self._cls[key], self._ident[key], self._role[key]
        if not (cls or ident or role):
            cue = self.cue[key] = _TAGS.get(tag)
            return cue
        if tag not in _ROOTS and tag != "body":
            cue = _TAGS.get(tag)
            if role:
                role = role.strip().lower()
                if cue is None:
                    cue = _ROLES.get(role)
            if cls or ident:
                token_cue, self.weight[key], unlikely_name = (
                    _name_facts(cls or "", ident) if ident else _class_facts(cls)
                )
                if cue is None:
                    cue = token_cue
                unlikely = unlikely_name and tag not in ("a", "body", "article", "main")
            else:
                unlikely = False
            self.unlikely[key] = unlikely or (role in _UNLIKELY_ROLES if role else False)
        self.cue[key] = cue
        return cue

    def _cue(self, key: int):
        cue = self.cue[key]
        return self._describe(key) if cue is _UNSET else cue

    def _weight(self, key: int) -> int:
        if self.cue[key] is _UNSET:
            self._describe(key)
        return self.weight[key]

    def _unlikely(self, key: int) -> bool:
        if self.cue[key] is _UNSET:
            self._describe(key)
        return self.unlikely[key]

    # -- evidence ----------------------------------------------------------------

    def add_link(self, key: int) -> int:
        """Register the link element ``key`` (its element index); its text counts as link text."""
        self._links.append(key)
        return key

    def _link_text(self, key: int) -> int:
        """Ink of the link text inside the subtree of ``key``."""
        prefix = self._link_ink
        return prefix[self.end[key]] - prefix[key]

    def _link_density(self, key: int) -> float:
        length = self.ink[key]
        return min(1.0, self._link_text(key) / length) if length else 0.0

    def _in_unlikely(self, key: int) -> bool:
        """Is ``key`` or an ancestor "unlikely" (up to a table or code block)? Memoized."""
        memo, parent, tag = self._unlikely_memo, self.parent, self.tag
        chain = []
        k = key
        found = False
        while k >= 0:
            known = memo.get(k)
            if known is not None:
                found = known
                break
            chain.append(k)
            if self._unlikely(k):
                found = True
                break
            if tag[k] in ("table", "code"):
                break
            k = parent[k]
        for k in chain:
            memo[k] = found
        return found

    def finish(self) -> None:
        """Score text blocks and choose the main block.

        As Readability does, when the chosen block holds less than
        ``CHAR_THRESHOLD`` characters, try again with "unlikely" names no
        longer skipped, then with class weights off, then with conditional
        cleaning off; failing all, keep the attempt with the most text.
        """
        t = self.table
        ink_at = [0] * (len(self.tag) + 1)
        for key in set(self._links):
            ink_at[key + 1] = t.ink[key]
        self._link_ink = list(accumulate(ink_at))
        # Text blocks score by their whole text.  A <div>'s runs of phrasing
        # content (its text and inline children) score as one paragraph, as
        # Readability wraps them into <p>s; li, section, article and main score
        # by their own text.
        ink, commas = t.ink, t.commas
        own_ink, own_commas = t.own_ink, t.own_commas
        run_ink, run_commas = t.phrasing_ink, t.phrasing_commas
        blocks = []
        tags = self.tag
        for key in [k for k, tag in enumerate(tags) if tag in _BLOCK_TAGS]:
            tag = tags[key]
            if tag in _TEXT_BLOCKS:
                length, n_commas = ink[key], commas[key]
            elif tag == "div":
                length, n_commas = run_ink[key], run_commas[key]
            else:
                length, n_commas = own_ink[key], own_commas[key]
            if length >= MIN_BLOCK_TEXT:
                blocks.append((key, 1 + n_commas + min(length // 100, 3)))
        best = self._choose(blocks)
        if best is not None:
            _, self.main, self._clean = best

    def _choose(self, blocks: list[tuple[int, float]]) -> tuple[int, set[int], bool] | None:
        """Readability's attempts, in order, until one finds enough text."""
        if not blocks:
            return None
        best: tuple[int, set[int], bool] | None = None
        for strip_unlikely, weights, clean in _ATTEMPTS:
            main = self._attempt(blocks, strip_unlikely, weights)
            if main is None:
                continue
            length = sum(self.ink[k] for k in main)
            if best is None or length > best[0]:
                best = (length, main, clean)
            if length >= CHAR_THRESHOLD:
                break
        return best

    def _attempt(
        self, blocks: list[tuple[int, float]], strip_unlikely: bool, weights: bool
    ) -> set[int] | None:
        scores: dict[int, float] = {}
        parent, tag = self.parent, self.tag
        for key, score in blocks:
            if strip_unlikely and self._in_unlikely(key):
                continue
            k, level = parent[key], 0
            while k >= 0 and level < 5 and tag[k] not in _ROOTS:
                if k not in scores:
                    scores[k] = _TAG_SCORE.get(tag[k], 0) + (self._weight(k) if weights else 0)
                scores[k] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
                k = parent[k]
                level += 1
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:5]
        top, top_score = max(
            ((k, s * (1 - self._link_density(k))) for k, s in ranked), key=lambda kv: kv[1]
        )
        top = self._climb(top, top_score, scores)
        top_score = scores.get(top, top_score)
        main = {top}
        self._add_siblings(main, top, top_score, scores)
        return main

    def _climb(self, top: int, top_score: float, scores: dict[int, float]) -> int:
        """Readability's refinements: a better-scoring parent, or a parent of an only child."""
        parent, tag = self.parent, self.tag
        last = top_score
        threshold = last / 3
        k = parent[top]
        while k >= 0 and tag[k] not in _ROOTS and tag[k] != "body":
            if k not in scores:
                k = parent[k]
                continue
            if scores[k] < threshold:
                break
            if scores[k] > last:
                top = k
                break
            last = scores[k]
            k = parent[k]
        children = self.table.children
        while True:
            k = parent[top]
            if k < 0 or tag[k] in _ROOTS or tag[k] == "body" or children[k] != 1:
                break
            top = k
        return top

    def _add_siblings(
        self, main: set[int], top: int, top_score: float, scores: dict[int, float]
    ) -> None:
        up = self.parent[top]
        if up < 0 or self.tag[up] in _ROOTS:
            return
        t, end = self.table, self.end
        threshold = max(10.0, top_score * 0.2)
        top_class = t.cls[top] or ""
        sibling = up + 1
        while sibling < end[up]:
            key, sibling = sibling, end[sibling]
            if key == top:
                continue
            bonus = top_score * 0.2 if top_class and t.cls[key] == top_class else 0
            score = scores.get(key)
            keep = score is not None and score + bonus >= threshold
            if not keep and self.tag[key] == "p":
                length = self.ink[key]
                density = self._link_density(key)
                keep = (length > 70 and density < 0.25) or (
                    0 < length < 70 and density == 0 and t.period[key]
                )
            if keep:
                main.add(key)

    def _is_boilerplate(self, key: int) -> bool:
        """Readability's conditional cleaning of a container inside the article."""
        cached = self._boilerplate.get(key)
        if cached is not None:
            return cached
        t = self.table
        tag, weight = self.tag[key], self._weight(key)
        result = False
        if weight < 0:
            result = True
        elif t.commas[key] < 10:
            length = self.ink[key]
            density = self._link_density(key)
            is_list = tag in ("ul", "ol")
            if not is_list and length:
                is_list = t.list_ink[key] / length > 0.9
            p, img = t.p[key], t.img[key]
            result = (
                (img > 1 and p / img < 0.5)
                or (
                    not is_list
                    and length < MIN_BLOCK_TEXT
                    and (img == 0 or img > 2)
                    and density > 0
                )
                or (not is_list and weight < 25 and density > 0.2)
                or (weight >= 25 and density > 0.5)
            )
        self._boilerplate[key] = result
        return result

    # -- answers -------------------------------------------------------------------

    def region(self, key: int) -> tuple[str, float, float]:
        """``(region, confidence, link_density)`` of the link registered as ``key``."""
        cue = self.cue[key]
        if cue is _UNSET:
            cue = self._describe(key)
        if cue is None and self.tag[key] in ("a", "area"):
            key = self.parent[key]  # links without a cue of their own share the answer
        cached = self._region.get(key)
        if cached is None:
            cached = self._region[key] = self._decide(key)
        return cached

    def _decide(self, key: int) -> tuple[str, float, float]:
        inside, cue, saw_main, container = self._path(key)
        density = self._link_density(container) if container >= 0 else 0.0
        if cue is not None:
            return (cue, 0.9 if inside or saw_main or not self.main else 0.8, density)
        if inside:
            if self._clean and self._in_boilerplate(container):
                return ("aside", 0.6, density)
            return ("main", 0.9 if saw_main else 0.8, density)
        if saw_main and not self.main:
            return ("main", 0.6, density)  # no text block on the page: trust the markup
        return ("body", 0.6, density)

    def _path(self, key: int) -> tuple[bool, str | None, bool, int]:
        """What the path from ``key`` up to the main block (or the root) says, memoized.

        ``(inside_main, innermost_non_main_cue, saw_main_cue, innermost_container)``:
        only elements strictly below the main block count, and cleanable
        containers only above any cue; each container's next one up is in
        ``self._outer``, for :meth:`_in_boilerplate`.
        """
        memo, main, parent, outer = self._paths, self.main, self.parent, self._outer
        cues, tags = self.cue, self.tag
        chain = []
        k = key
        while k >= 0 and k not in memo and k not in main:
            chain.append(k)
            k = parent[k]
        if k < 0:
            above = (False, None, False, -1)
        elif k in main:
            above = (True, None, False, -1)
        else:
            above = memo[k]
        for k in reversed(chain):
            inside, cue, saw_main, container = above
            own = cues[k]
            if own is _UNSET:
                own = self._describe(k)
            if own is not None and own != "main":
                above = (inside, own, saw_main, -1)
            else:
                if own == "main":
                    saw_main = True
                if cue is None and tags[k] in _CLEANED:
                    outer[k] = container
                    container = k
                above = (inside, cue, saw_main, container)
            memo[k] = above
        return above

    def _in_boilerplate(self, container: int) -> bool:
        """Is ``container``, or a cleanable container above it in the main block, boilerplate?"""
        memo, outer = self._boiler_chain, self._outer
        chain = []
        k = container
        known = False
        while k >= 0:  # iterative: nesting depth is the page's to choose
            cached = memo.get(k)
            if cached is not None:
                known = cached
                break
            chain.append(k)
            if self._unlikely(k) or self._is_boilerplate(k):
                known = True
                break
            k = outer[k]
        for k in chain:
            memo[k] = known
        return known
