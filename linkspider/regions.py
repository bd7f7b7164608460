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
>>> keys = [model.add_link(a, 1) for a in tree.css("a")]
>>> model.finish()
>>> [model.region(k)[0] for k in keys]
['aside', 'main', 'nav', 'comment', 'body']
"""

from __future__ import annotations

import re
from functools import lru_cache

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


# Mozilla Readability's published name heuristics (Readability.js REGEXPS).
_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|"
    r"header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
    re.I,
)
_MAYBE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.I)
_POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story", re.I
)
_NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|"
    r"media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|"
    r"tags|widget",
    re.I,
)
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
_TEXT_BLOCKS = "p, pre, td, blockquote"
_PHRASING_HOSTS = "div, li, section, article, main"
_PHRASING_TAGS = frozenset(("div", "li", "section", "article", "main"))
#: Text blocks count from this many non-whitespace characters (Readability: 25 characters).
MIN_BLOCK_TEXT = 21
#: A main block with less text than this triggers Readability's retries (its 500 characters).
CHAR_THRESHOLD = 420
#: (skip "unlikely" names, use class weights, clean conditionally), in order.
_ATTEMPTS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


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


def _block_score(text: str) -> float | None:
    """Readability's score of a text block (1 + commas + length/100, up to 3), if long enough."""
    if len(text) < MIN_BLOCK_TEXT:
        return None
    length = ink(text)
    if length < MIN_BLOCK_TEXT:
        return None
    return 1 + text.count(",") + text.count("\uff0c") + min(length // 100, 3)


def class_weight(cls: str, ident: str) -> int:
    """Readability's class weight: +-25 for positive/negative class and id names.

    >>> class_weight("post-content", ""), class_weight("sidebar widget", "x"), class_weight("", "")
    (25, -25, 0)
    """
    weight = 0
    for name in (cls, ident):
        if name:
            if _NEGATIVE.search(name):
                weight -= 25
            if _POSITIVE.search(name):
                weight += 25
    return weight


@lru_cache(maxsize=65_536)
def _name_facts(cls: str, ident: str) -> tuple[str | None, int, bool]:
    """Everything class and id names say: (token cue, class weight, unlikely)."""
    names = f"{cls} {ident}"
    unlikely = bool(_UNLIKELY.search(names)) and not _MAYBE.search(names)
    return token_region(names), class_weight(cls, ident), unlikely


def _FALSE() -> bool:
    return False


class PageRegions:
    """The region model of one parsed document.

    Use: :meth:`add_link` for every link element (in document order), then
    :meth:`finish` once, then :meth:`region` per link key.
    """

    def __init__(self, tree) -> None:
        self.tree = tree
        self.parent: dict[int, int] = {}
        self.node: dict[int, object] = {}
        self.tag: dict[int, str] = {}
        self.cue: dict[int, str | None] = {}
        self.weight: dict[int, int] = {}
        self.unlikely: dict[int, bool] = {}
        self.depth: dict[int, int] = {}
        self.link_text: dict[int, int] = {}  # own links first; subtree totals after finish()
        self.main: set[int] = set()
        self._clean = True
        self._boilerplate: dict[int, bool] = {}
        self._text_len: dict[int, int] = {}
        self._region: dict[int, tuple[str, float, float]] = {}
        self._paths: dict[int, tuple] = {}

    # -- the element tree, one Python visit per element ------------------------

    def _register(self, node) -> int:
        key = node.mem_id
        if key in self.parent:
            return key
        pending = []
        current = node
        while current is not None:
            k = current.mem_id
            if k in self.parent:
                break
            pending.append((k, current))
            if current.tag in _ROOTS:
                current = None
                break
            current = current.parent
        above = current.mem_id if current is not None else 0
        depth = self.depth.get(above, 0)
        for i in range(len(pending) - 1, -1, -1):  # top-down, so depths are known
            k, n = pending[i]
            self.parent[k] = pending[i + 1][0] if i + 1 < len(pending) else above
            depth += 1
            self.depth[k] = depth
            self._describe(k, n)
        return key

    def _describe(self, key: int, node) -> None:
        tag = node.tag
        self.node[key] = node
        self.tag[key] = tag
        if tag in _ROOTS or tag == "body":
            self.cue[key] = None
            self.weight[key] = 0
            self.unlikely[key] = False
            return
        attrs = node.attributes
        cls = attrs.get("class")
        ident = attrs.get("id")
        role = attrs.get("role")
        cue = _TAGS.get(tag)
        if role:
            role = role.strip().lower()
            if cue is None:
                cue = _ROLES.get(role)
        if cls or ident:
            token_cue, weight, unlikely_name = _name_facts(cls or "", ident or "")
            if cue is None:
                cue = token_cue
            unlikely = unlikely_name and tag not in ("a", "body", "article", "main")
        else:
            weight, unlikely = 0, False
        self.cue[key] = cue
        self.weight[key] = weight
        self.unlikely[key] = unlikely or (role in _UNLIKELY_ROLES if role else False)

    # -- evidence ----------------------------------------------------------------

    def add_link(self, node, text_length: int) -> int:
        """Register a link element and its text length; returns its key."""
        key = self._register(node)
        if text_length:
            self.link_text[key] = self.link_text.get(key, 0) + text_length
        return key

    def _propagate_link_text(self) -> None:
        """Turn per-link text lengths into subtree totals, deepest elements first."""
        link_text, parent = self.link_text, self.parent
        for k in sorted(self.depth, key=self.depth.__getitem__, reverse=True):
            total = link_text.get(k)
            if total:
                up = parent.get(k, 0)
                if up:
                    link_text[up] = link_text.get(up, 0) + total

    def _text_length(self, key: int) -> int:
        length = self._text_len.get(key)
        if length is None:
            length = ink(self.node[key].text())
            self._text_len[key] = length
        return length

    def _link_density(self, key: int) -> float:
        length = self._text_length(key)
        return min(1.0, self.link_text.get(key, 0) / length) if length else 0.0

    def _in_unlikely(self, key: int) -> bool:
        parent, unlikely, tag = self.parent, self.unlikely, self.tag
        k = key
        while k:
            if unlikely.get(k):
                return True
            if tag.get(k) in ("table", "code"):
                return False
            k = parent.get(k, 0)
        return False

    def finish(self) -> None:
        """Score text blocks and choose the main block.

        As Readability does, when the chosen block holds less than
        ``CHAR_THRESHOLD`` characters, try again with "unlikely" names no
        longer skipped, then with class weights off, then with conditional
        cleaning off; failing all, keep the attempt with the most text.
        """
        self._propagate_link_text()
        blocks = self._blocks(_TEXT_BLOCKS, deep=True)
        # Readability also scores divs that hold phrasing content as
        # paragraphs: first those already known (ancestors of links and
        # paragraphs), then, if the page still falls short, all of them.
        seen = {k for k, _ in blocks}
        for key in [k for k, t in self.tag.items() if t in _PHRASING_TAGS and k not in seen]:
            score = _block_score(self.node[key].text(deep=False))
            if score is not None:
                blocks.append((key, score))
        best = self._choose(blocks)
        if best is None or best[0] < CHAR_THRESHOLD:
            known = {k for k, _ in blocks}
            extra = [b for b in self._blocks(_PHRASING_HOSTS, deep=False) if b[0] not in known]
            more = self._choose(blocks + extra)
            if more is not None and (best is None or more[0] > best[0]):
                best = more
        if best is not None:
            _, self.main, self._clean = best

    def _blocks(self, selector: str, deep: bool) -> list[tuple[int, float]]:
        """``(key, score)`` of every text block: its (own, unless ``deep``) text scores."""
        blocks = []
        for block in self.tree.css(selector):
            score = _block_score(block.text(deep=deep))
            if score is not None:
                blocks.append((self._register(block), score))
        return blocks

    def _choose(self, blocks: list[tuple[int, float]]) -> tuple[int, set[int], bool] | None:
        """Readability's attempts, in order, until one finds enough text."""
        if not blocks:
            return None
        best: tuple[int, set[int], bool] | None = None
        for strip_unlikely, weights, clean in _ATTEMPTS:
            main = self._attempt(blocks, strip_unlikely, weights)
            if main is None:
                continue
            length = sum(self._text_length(k) for k in main)
            if best is None or length > best[0]:
                best = (length, main, clean)
            if length >= CHAR_THRESHOLD:
                break
        return best

    def _attempt(
        self, blocks: list[tuple[int, float]], strip_unlikely: bool, weights: bool
    ) -> set[int] | None:
        scores: dict[int, float] = {}
        parent, tag, weight = self.parent, self.tag, self.weight
        for key, score in blocks:
            if strip_unlikely and self._in_unlikely(key):
                continue
            k, level = parent.get(key, 0), 0
            while k and level < 5 and tag.get(k) not in _ROOTS:
                if k not in scores:
                    scores[k] = _TAG_SCORE.get(tag[k], 0) + (weight[k] if weights else 0)
                scores[k] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
                k = parent.get(k, 0)
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
        last = top_score
        threshold = last / 3
        k = self.parent.get(top, 0)
        while k and self.tag.get(k) not in _ROOTS and self.tag.get(k) != "body":
            if k not in scores:
                k = self.parent.get(k, 0)
                continue
            if scores[k] < threshold:
                break
            if scores[k] > last:
                top = k
                break
            last = scores[k]
            k = self.parent.get(k, 0)
        while True:
            k = self.parent.get(top, 0)
            if not k or self.tag.get(k) in _ROOTS or self.tag.get(k) == "body":
                break
            children = [
                c for c in self.node[k].iter() if c.tag not in ("-text", "-comment", "_text")
            ]
            if len(children) != 1:
                break
            top = k
        return top

    def _add_siblings(
        self, main: set[int], top: int, top_score: float, scores: dict[int, float]
    ) -> None:
        parent = self.parent.get(top, 0)
        if not parent or self.tag.get(parent) in _ROOTS:
            return
        threshold = max(10.0, top_score * 0.2)
        top_class = self.node[top].attrs.get("class") or ""
        for sibling in self.node[parent].iter():
            key = sibling.mem_id
            if key == top or sibling.tag in ("-text", "-comment"):
                continue
            bonus = top_score * 0.2 if top_class and sibling.attrs.get("class") == top_class else 0
            score = scores.get(key)
            keep = score is not None and score + bonus >= threshold
            if not keep and sibling.tag == "p":
                key = self._register(sibling)
                length = self._text_length(key)
                density = self._link_density(key)
                text = sibling.text().rstrip()
                keep = (length > 70 and density < 0.25) or (
                    0 < length < 70 and density == 0 and text.endswith(".")
                )
            if keep:
                main.add(self._register(sibling))

    def _is_boilerplate(self, key: int) -> bool:
        """Readability's conditional cleaning of a container inside the article."""
        cached = self._boilerplate.get(key)
        if cached is not None:
            return cached
        node, tag, weight = self.node[key], self.tag[key], self.weight[key]
        result = False
        if weight < 0:
            result = True
        else:
            text = node.text()
            if text.count(",") + text.count("\uff0c") < 10:
                length = self._text_length(key)
                density = self._link_density(key)
                is_list = tag in ("ul", "ol")
                if not is_list and length:
                    lists = sum(ink(x.text()) for x in node.css("ul, ol"))
                    is_list = lists / length > 0.9
                p = len(node.css("p"))
                img = len(node.css("img"))
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
        if self.cue.get(key) is None and self.tag.get(key) in ("a", "area"):
            key = self.parent.get(key, 0)  # links without a cue of their own share the answer
        cached = self._region.get(key)
        if cached is None:
            cached = self._region[key] = self._decide(key)
        return cached

    def _decide(self, key: int) -> tuple[str, float, float]:
        inside, cue, saw_main, boiler, container = self._path(key)
        density = self._link_density(container) if container else 0.0
        if cue is not None:
            return (cue, 0.9 if inside or saw_main or not self.main else 0.8, density)
        if inside:
            if self._clean and boiler():
                return ("aside", 0.6, density)
            return ("main", 0.9 if saw_main else 0.8, density)
        if saw_main and not self.main:
            return ("main", 0.6, density)  # no text block on the page: trust the markup
        return ("body", 0.6, density)

    def _path(self, key: int):
        """What the path from ``key`` up to the main block (or the root) says, memoized.

        ``(inside_main, innermost_non_main_cue, saw_main_cue, boilerplate(), innermost_container)``:
        only elements strictly below the main block count, and containers only
        below the innermost cue; ``boilerplate`` is evaluated lazily.
        """
        memo = self._paths
        chain = []
        k = key
        while k and k not in memo and k not in self.main:
            chain.append(k)
            k = self.parent.get(k, 0)
        if not k:
            above = (False, None, False, _FALSE, 0)
        elif k in self.main:
            above = (True, None, False, _FALSE, 0)
        else:
            above = memo[k]
        for k in reversed(chain):
            inside, cue, saw_main, boiler, container = above
            own = self.cue.get(k)
            if own is not None and own != "main":
                above = (inside, own, saw_main, _FALSE, 0)
            else:
                if own == "main":
                    saw_main = True
                if cue is None and self.tag.get(k) in _CLEANED:
                    boiler = self._boiler_fn(k, boiler)
                    container = k
                above = (inside, cue, saw_main, boiler, container)
            memo[k] = above
        return above

    def _boiler_fn(self, key: int, outer):
        def boiler() -> bool:
            return bool(self.unlikely.get(key)) or self._is_boilerplate(key) or outer()

        return boiler
