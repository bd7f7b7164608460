"""The main block of a page, chosen as a whole the way Mozilla Readability does.

Text blocks score by length and commas; each score flows to up to five
ancestors (divided by 1, 2, then 3 x level), which start from a score for
their tag and their class weight; the best of the five top candidates after a
link-density penalty wins; a better-scoring parent, or the parent of an only
child, replaces it; and siblings that score well (or paragraphs that read
like prose) join it.  When the block holds too little text, Readability tries
again with its rules relaxed one by one.
"""

from __future__ import annotations

import heapq
from itertools import compress
from typing import TYPE_CHECKING

from linkspider.dom import ElementTable, children, positions, tag_positions, up_the_tree
from linkspider.regions.density import LinkDensity
from linkspider.regions.names import ROOTS, UNSET, Names, itemprop_region

if TYPE_CHECKING:
    from linkspider.regions.cleaning import Cleaning

try:
    from linkspider._dom import main_block_attempt as _c_attempt
    from linkspider._dom import text_blocks as _c_text_blocks
except ImportError:  # the C module is optional (setup.py)
    _c_attempt = _c_text_blocks = None

_TAG_SCORE = {
    "div": 5, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
#: (linkspider/_dom.c's text_blocks names these tags too: the tests hold the two equal)
_TEXT_BLOCKS = frozenset(("p", "pre", "td", "section", "h2", "h3", "h4", "h5", "h6"))
_BLOCK_TAGS = _TEXT_BLOCKS | {"div"}  # a div: its runs of phrasing text
#: Text blocks count from this length (:func:`linkspider.dom.text_length`), as in Readability.
MIN_BLOCK_TEXT = 25
#: A main block with less text than this triggers Readability's retries (its 500 characters).
CHAR_THRESHOLD = 420
#: Text inside a landmark of page furniture (by tag, ARIA role or a side grid column) is
#: never the main block, in any attempt ...
_LAYOUT = frozenset(("nav", "header", "footer", "aside", "comment"))
#: ... nor is text under class/id names saying navigation or comments (other names, such
#: as ``l-sidebar-fixed`` or Blogger's ``widget Blog``, wrap whole articles too often).
_MENUS = frozenset(("nav", "comment"))
#: The share of the page's text past which an element named for navigation is a wrapper of
#: the page (named for its menu's state), not a menu.
WRAPPER_SHARE = 0.5
#: Readability never removes "unlikely" elements inside these.
TABLE_OR_CODE = frozenset(("table", "code"))
#: (skip "unlikely" names, use class weights, clean conditionally), in order.
_ATTEMPTS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


def text_blocks(table: ElementTable) -> list[tuple[int, float]]:
    """``(element, score)`` of each text block: 1 + commas + a point per 100 characters (max 3).

    A ``<div>``'s runs of phrasing content (its text and inline children)
    score as one paragraph, as Readability wraps them into ``<p>``\\s, with their share of
    the subtree's gaps; the other block tags (``_TEXT_BLOCKS``) by their subtree's text.
    One C loop over a C walk's columns (``linkspider._dom.text_blocks``), else
    :func:`python_text_blocks`.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> from linkspider.dom import element_table
    >>> table = element_table(LexborHTMLParser('<p>' + 'Words, words. ' * 20 + '</p><p>short</p>'))
    >>> text_blocks(table)
    [(3, 23)]
    """
    if _c_text_blocks is not None and type(table.ink) is memoryview:
        return _c_text_blocks(
            table.tag, table.ink, table.commas, table.gaps,
            table.phrasing_ink, table.phrasing_commas, MIN_BLOCK_TEXT,
        )  # fmt: skip
    return python_text_blocks(table)


def python_text_blocks(table: ElementTable) -> list[tuple[int, float]]:
    """:func:`text_blocks` in Python (tables of the Python walk, machines without the C module).

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> from linkspider.dom import element_table
    >>> python_text_blocks(element_table(LexborHTMLParser('<div>' + 'Some text, ' * 3 + '</div>')))
    [(3, 4)]
    """
    ink, commas, gaps = table.ink, table.commas, table.gaps
    run_ink, run_commas = table.phrasing_ink, table.phrasing_commas
    blocks = []
    tags = table.tag
    # the block tags' positions, found at C speed (no bytecode per element)
    for key in compress(range(len(tags)), map(_BLOCK_TAGS.__contains__, tags)):
        if tags[key] in _TEXT_BLOCKS:
            length, n_commas = ink[key] + gaps[key], commas[key]
        else:  # a div: its runs of phrasing text, and their share of the subtree's gaps
            part, n_commas = run_ink[key], run_commas[key]
            whole = ink[key]
            length = part + (
                gaps[key] if part == whole else gaps[key] * part // whole if whole else 0
            )
        if length >= MIN_BLOCK_TEXT:
            blocks.append((key, 1 + n_commas + min(length // 100, 3)))
    return blocks


def choose_main(
    table: ElementTable, names: Names, density: LinkDensity, cleaning: Cleaning
) -> tuple[set[int], bool, bool]:
    """The main block (the elements whose subtrees form it), and whether Readability's
    attempt that chose it removes "unlikely" elements and cleans containers inside it.

    Readability's attempts, in order, until one keeps ``CHAR_THRESHOLD``
    characters once cleaned: "unlikely" names skipped, then no longer skipped,
    then class weights off, then conditional cleaning off; failing all, the
    attempt that kept the most text.  No text block: an empty block.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> from linkspider.dom import element_table
    >>> from linkspider.regions.cleaning import Cleaning
    >>> text = '<p>' + 'A long paragraph of article text, with commas, and words. ' * 4 + '</p>'
    >>> html = f'<div class=comments>{text}</div><div class=story>{text * 3}</div>'
    >>> table = element_table(LexborHTMLParser(html))
    >>> names, density = Names(table), LinkDensity(table)
    >>> main, strip, clean = choose_main(table, names, density, Cleaning(table, names, density))
    >>> [table.cls[k] for k in main], strip, clean
    (['story'], True, True)
    """
    blocks = text_blocks(table)
    if not blocks:
        return set(), True, True
    for marked in (_marked_main(table), _marked_body(table)):
        blocks = _within(table, blocks, marked)
    chooser = _Chooser(table, names, density)
    blocks = [block for block in blocks if not chooser.in_layout(block[0])]
    # (which describes the names of every ancestor of a text block, up to any furniture)
    blocks = _within(table, blocks, _marked_by_name(table, names))
    best: tuple[int, set[int], bool, bool] | None = None
    for strip_unlikely, weights, clean in _ATTEMPTS:
        main = chooser.attempt(blocks, strip_unlikely, weights)
        if main is None:
            continue
        length = cleaning.kept_ink(main, strip_unlikely, clean, CHAR_THRESHOLD)
        if best is None or length > best[0]:
            best = (length, main, strip_unlikely, clean)
        if length >= CHAR_THRESHOLD:
            break
    if best is None:
        return set(), True, True
    return best[1], best[2], best[3]


def _within(
    table: ElementTable, blocks: list[tuple[int, float]], marked: int
) -> list[tuple[int, float]]:
    """The ``blocks`` inside element ``marked``, when it holds any (the author marked the
    main content: text elsewhere is not it); all of them otherwise (or ``marked`` < 0)."""
    if marked < 0:
        return blocks
    end = table.end[marked]
    inside = [b for b in blocks if marked < b[0] < end]
    return inside or blocks


def _marked_main(table: ElementTable) -> int:
    """The page's one ``<main>`` (or ``role=main``) element, or -1 (none, or several)."""
    roles = table.role
    found = -1
    candidates = tag_positions(table, "main")
    for role in set(roles):  # the page's few distinct roles, then where each "main" one is
        if role and role.strip().lower() == "main":
            candidates += positions(roles, role)
    for k in candidates:
        if found >= 0 and k != found:
            return -1
        found = k
    return found


def _marked_body(table: ElementTable) -> int:
    """The page's one element whose microdata says it is the article's body
    (``itemprop="articleBody"``, or ``reviewBody``) with at least ``CHAR_THRESHOLD``
    characters of text, or -1 (none, or several: a list of teasers)."""
    found = -1
    for k, value in table.itemprop.items():
        if itemprop_region(value) == "main":
            if found >= 0:
                return -1
            found = k
    return found if found >= 0 and table.ink[found] >= CHAR_THRESHOLD else -1


def _marked_by_name(table: ElementTable, names: Names) -> int:
    """The page's one outermost element that its class/id names call the content
    (``#content``, ``.entry-content``, ``.article-body``: a ``main`` cue by its names)
    with at least ``CHAR_THRESHOLD`` characters of text, or -1 (none, or several: a list
    of teasers).  Among the elements described so far: ask after the names of the text
    blocks' ancestors have been read (an element with that much text is one of them).
    One inside a sidebar, a footer or any other non-``main`` cue (a widget's
    ``.entry-content``) names that box's content, not the page's: it does not count, and
    neither does one with less text (a bar of links named ``post-prev-next``).
    """
    end, found = table.end, -1
    memo: dict[int, bool] = {}

    def furniture(a: int) -> bool:
        return names.cue(a) not in (None, "main")

    ink = table.ink
    for k in sorted(names.main_named):
        if found >= 0 and k < end[found]:
            continue  # inside the one found: the same content
        if ink[k] < CHAR_THRESHOLD or up_the_tree(table, k, memo, furniture):
            continue  # too little text to be the page's content (a "post-prev-next" bar)
        if found >= 0:
            return -1
        found = k
    return found


class _Chooser:
    """One page's attempts at a main block (sharing the "unlikely ancestor" memo)."""

    def __init__(self, table: ElementTable, names: Names, density: LinkDensity) -> None:
        self.table = table
        self.names = names
        self.density = density
        self.parent = table.parent
        self.tag = table.tag
        self._unlikely_memo: dict[int, bool] = {}
        self._layout_memo: dict[int, bool] = {}

    def attempt(
        self, blocks: list[tuple[int, float]], strip_unlikely: bool, weights: bool
    ) -> set[int] | None:
        """One of Readability's attempts: the main block, or None (no text scored).

        One C call over a C walk's columns (``linkspider._dom.main_block_attempt``), else
        :meth:`python_attempt`."""
        if strip_unlikely:
            blocks = [block for block in blocks if not self._in_unlikely(block[0])]
        t = self.table
        if _c_attempt is None or type(t.parent) is not memoryview:
            return self.python_attempt(blocks, weights)
        names = self.names
        main = _c_attempt(
            blocks, t.parent, t.end, t.children, t.ink, t.gaps, t.tag, t.cls, t.period,
            self.density.prefix, _TAG_SCORE, ROOTS, names.cues, UNSET, names.describe,
            names.weights, weights,
        )  # fmt: skip
        return None if main is None else set(main)

    def python_attempt(self, blocks: list[tuple[int, float]], weights: bool) -> set[int] | None:
        """:meth:`attempt` in Python, over blocks that the attempt does not skip."""
        scores: dict[int, float] = {}
        parent, tag, names, n_children = self.parent, self.tag, self.names, self.table.children

        def initial(k: int) -> float:  # a candidate's score before any text flows to it
            return _TAG_SCORE.get(tag[k], 0) + (names.weight(k) if weights else 0)

        for key, score in blocks:
            k, level = parent[key], 0
            while k >= 0 and level < 5 and tag[k] not in ROOTS:
                if k not in scores:
                    scores[k] = initial(k)
                scores[k] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
                if n_children[k] != 1 or k == parent[key]:
                    level += 1
                k = parent[k]
        if not scores:
            return None
        density = self.density.of
        for k, score in scores.items():  # every candidate scaled by its link density
            if score:
                scores[k] = score * (1 - density(k))
        ranked = heapq.nlargest(5, scores.items(), key=lambda kv: kv[1])
        top = self._common_ancestor(ranked) or ranked[0][0]
        if top not in scores:
            scores[top] = initial(top)
        top = self._climb(top, scores[top], scores)
        if top not in scores:
            scores[top] = initial(top)
        main = {top}
        self._add_siblings(main, top, scores[top], scores)
        return main

    def _common_ancestor(self, ranked: list[tuple[int, float]]) -> int | None:
        """Readability's "alternative candidates": when at least three of the other top
        candidates score 3/4 of the best, the nearest ancestor of the best that holds
        three of them."""
        top, best = ranked[0]
        if best <= 0:
            return None
        close = [k for k, score in ranked[1:] if score / best >= 0.75]
        if len(close) < 3:
            return None
        parent, end, tag = self.parent, self.table.end, self.tag
        k = parent[top]
        while k >= 0 and tag[k] not in ROOTS and tag[k] != "body":
            if sum(1 for c in close if k < c < end[k]) >= 3:
                return k
            k = parent[k]
        return None

    def _in_unlikely(self, key: int) -> bool:
        """Is ``key`` or an ancestor "unlikely" (up to a table or code block)? Memoized."""
        return up_the_tree(self.table, key, self._unlikely_memo, self.names.unlikely, TABLE_OR_CODE)

    def in_layout(self, key: int) -> bool:
        """Is ``key`` or an ancestor page furniture? (Its text never scores.)  Memoized."""
        return up_the_tree(self.table, key, self._layout_memo, self._furniture)

    def _furniture(self, k: int) -> bool:
        """A layout landmark (tag, ARIA role or a side grid column), or class/id names
        (or microdata) saying navigation or comments.  Names saying navigation on an
        element that holds most of the page's text name the state of a page's wrapper
        (``nav-open``, ``menu-push``: an off-canvas menu's), not a menu."""
        t = self.table
        if not (t.cls[k] or t.ident[k] or t.role[k] or k in t.itemprop) and t.tag[k] not in _LAYOUT:
            return False  # nothing to read: no names, no role, no landmark tag
        landmark = self.names.landmark(k)
        if landmark in _LAYOUT:
            return True
        cue = self.names.cue(k)
        if cue == "nav" and landmark is None and t.ink[k] > t.ink[0] * WRAPPER_SHARE:
            return False
        return cue in _MENUS

    def _climb(self, top: int, top_score: float, scores: dict[int, float]) -> int:
        """Readability's refinements: a better-scoring parent, or a parent of an only child."""
        parent, tag = self.parent, self.tag
        last = top_score
        threshold = last / 3
        k = parent[top]
        while k >= 0 and tag[k] not in ROOTS and tag[k] != "body":
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
        n_children = self.table.children
        while True:
            k = parent[top]
            if k < 0 or tag[k] in ROOTS or tag[k] == "body" or n_children[k] != 1:
                break
            top = k
        return top

    def _add_siblings(
        self, main: set[int], top: int, top_score: float, scores: dict[int, float]
    ) -> None:
        up = self.parent[top]
        if up < 0 or self.tag[up] in ROOTS:
            return
        t = self.table
        threshold = max(10.0, top_score * 0.2)
        top_class = t.cls[top] or ""
        for key in children(t, up):
            if key == top:
                continue
            bonus = top_score * 0.2 if top_class and t.cls[key] == top_class else 0
            score = scores.get(key)
            keep = score is not None and score + bonus >= threshold
            if not keep and self.tag[key] == "p":
                length = self.density.length(key)
                density = self.density.of(key)
                keep = (length > 80 and density < 0.25) or (
                    0 < length < 80 and density == 0 and t.period[key]
                )
            if keep:
                main.add(key)
