"""DOM region of a link: header, nav, main, aside, footer, comment or body.

Two kinds of evidence, both read from the element table of the extraction's
one parse (:func:`linkspider.dom.element_table`):

1. *Cues* of the link's ancestors, the innermost one speaking
   (:mod:`~linkspider.regions.names`): HTML5 sectioning tags (``<nav>``,
   ``<aside>``, ``<footer>``, ``<header>``, ``<main>``, ``<article>``), ARIA
   landmark roles, and ``class``/``id`` tokens (``menu``, ``sidebar``,
   ``comment``, ``share``, ``footer``...).  An element that declares itself the
   page's main content (``<main>``, ``role=main``, ``itemprop=articleBody``)
   silences the cues above it.
2. *The main block*, chosen as a whole the way Mozilla Readability does
   (:mod:`~linkspider.regions.main_block`), and inside it the containers
   Readability would clean out as boilerplate
   (:mod:`~linkspider.regions.cleaning`), both weighing link density
   (:mod:`~linkspider.regions.density`).

A link is ``main`` when it is inside the main block and neither a cue nor a
boilerplate container says otherwise.  Outside the block its innermost cue
decides, else ``body``.  With no text block on the page, cues alone decide.

>>> from selectolax.lexbor import LexborHTMLParser
>>> from linkspider.dom import element_table
>>> text = "<p>" + "A long paragraph of article text, with commas, and words. " * 4 + "</p>"
>>> table = element_table(LexborHTMLParser(
...     '<body><div id="sidebar"><a href="a">a</a></div>'
...     f'<article>{text}<p><a href="b">b</a>{text}</p><nav><a href="c">c</a></nav></article>'
...     '<div class="commentlist"><a href="d">d</a></div><a href="e">e</a></body>'))
>>> links = [ref[0] for ref in table.refs]
>>> [region for region, score, density in classify_links(table, links)]
['aside', 'main', 'nav', 'comment', 'body']
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from linkspider.dom import ElementTable, children
from linkspider.regions.cleaning import CLEANED, Cleaning
from linkspider.regions.crosslinks import (
    MIN_LIST_DENSITY,
    SHORT_LINE,
    TEASER_INK,
    is_cross_link,
    is_related_heading,
    is_reviews_heading,
)
from linkspider.regions.density import LinkDensity
from linkspider.regions.main_block import CHAR_THRESHOLD, choose_main
from linkspider.regions.names import META, REGIONS, UNSET, Names

try:
    from linkspider._dom import decide_links as _c_decide
except ImportError:  # the C module is optional (setup.py)
    _c_decide = None

__all__ = [
    "META",
    "REGIONS",
    "SCORES",
    "Region",
    "classify_links",
    "classify_page",
    "decision_paths",
]

#: ``(region, confidence 0..1, link density of the innermost cleanable container)``.
Region = tuple[str, float, float]


def classify_links(table: ElementTable, links: Sequence[int]) -> list[Region]:
    """The region of each link element (by element index in ``table``), in order.

    Link density counts the text of every ``<a>`` of the page (Readability's
    measure), whichever ``links`` are asked about.
    """
    return _Classifier(table, links).classify(links)


def classify_page(table: ElementTable, links: Sequence[int]) -> tuple[list[Region], set[int]]:
    """:func:`classify_links`, and the main block: the elements whose subtrees form it
    (empty when the page has no text block)."""
    classifier = _Classifier(table, links)
    return classifier.classify(links), classifier.main


#: Cues that an outer cue keeps for itself when they nest: a menu inside the page footer is
#: a footer link (sitewide footer links are what analysts look for), and whatever a comment
#: thread holds (reply buttons, share menus, a commenter's links) is the comment's.
_ABSORBED = {
    "footer": frozenset(("nav",)),
    "comment": frozenset(("nav", "aside", "header", "footer")),
}

#: paragraphs and headings, as :meth:`_Classifier._teasers_after_article` reads a block
_TEXT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6")
#: the most characters of a paragraph after a teaser's linked heading (its excerpt)
TEASER_EXCERPT = 300
#: the least share of a teaser's heading that is link text (its headline is the link)
LINKED_HEADING = 0.9

#: ``region_score`` of each decision path: how often that path's content-or-not call was
#: right on the labelled development pages (the eight of ``bench/regions.py``'s ``DEV_SETS``:
#: right calls / links), as ``bench/calibrate.py`` fits it (Laplace-smoothed); its reliability
#: on the ``-heldout`` sets is in bench/README.md.  Paths those pages never took keep a prior
#: (or their last fit, when the pages that took them take another path now).
SCORES = {
    "cue": 0.998,  # a non-main cue on the path, outside the main block (8046/8063)
    "cue_in_block": 0.946,  # a non-main cue on the path, inside the main block (1124/1187)
    # a non-main cue, on a page without a text block (last fit 239/240, on Read the Docs
    # pages, which have a main block since wy-nav-content is no menu: no dev page takes it now)
    "cue_no_block": 0.992,
    "main": 0.979,  # inside the main block (2585/2640)
    "main_cued": 0.989,  # inside the block, under a main cue: <article>, role=main... (1549/1566)
    "cleaned": 0.925,  # inside the block, in a container Readability cleans away (171/184)
    # inside the block, in a "Related: ..." line (prior: the labels of these pages are
    # Readability's extraction, which keeps such lines by design, readers do not; 0/90 on them)
    "cross_link": 0.6,
    # inside the block, in a list of links under a "Related Stories" or "Recommended items"
    # heading (72/72, all shop-dev's product grids)
    "related_list": 0.986,
    # inside the block, under a "Customer reviews" heading: a product's reviews, a comment
    # thread (13/13, all shop-dev's)
    "reviews": 0.933,
    # inside the block, in the linked heading of a teaser in a run after the article (prior)
    "teaser": 0.9,
    # under a main cue, on a page without a text block (last fit 59/59, the same pages)
    "markup_main": 0.984,
    "body": 0.983,  # outside the main block, no cue (1157/1176)
    "hidden": 0.999,  # not rendered: hidden, aria-hidden, display:none, <noscript>... (755/755)
}


def decision_paths(table: ElementTable, links: Sequence[int]) -> list[tuple[str, str]]:
    """``(region, decision path)`` of each link, as :func:`classify_links` decides it."""
    return [(region, path) for region, path, _ in _Classifier(table, links).decide(links)]


class _Classifier:
    """The decisions for one page: what the path from a link up to the main block says."""

    def __init__(self, table: ElementTable, links: Sequence[int]) -> None:
        self.table = table
        self.names = Names(table)
        self.density = LinkDensity(table)
        self.cleaning = Cleaning(table, self.names, self.density)
        self.main, self.strip, self.clean = choose_main(
            table, self.names, self.density, self.cleaning
        )
        self._answers: dict[int, tuple[str, str, float]] = {}
        self._paths: dict[int, tuple[bool, str | None, bool, int]] = {}
        self._outer: dict[int, int] = {}  # cleanable container -> the next one up (-1: none)
        self._related: dict[int, bool] = {}  # element -> is it a list under a related heading
        self._reviews: dict[int, bool] = {}  # element -> is it under a reviews heading
        self._teaser_heads: frozenset[int] | None = None  # linked headings of teasers

    def classify(self, links: Sequence[int]) -> list[Region]:
        return [(region, SCORES[path], density) for region, path, density in self.decide(links)]

    def decide(self, links: Sequence[int]) -> list[tuple[str, str, float]]:
        """``(region, decision path, link density)`` of each link: one C call over a C
        walk's columns (``linkspider._dom.decide_links``), else :meth:`python_decide`."""
        t = self.table
        if _c_decide is None or type(t.parent) is not memoryview:
            return self.python_decide(links)
        return _c_decide(
            links if type(links) is list else list(links), t.parent, t.hidden, t.ink, t.gaps,
            t.end, t.tag, self.density.prefix, self.names.cues, UNSET, self.names.describe,
            self.main, self._outer, CLEANED, _ABSORBED, self._inside, self.names.declares_main,
        )  # fmt: skip

    def python_decide(self, links: Sequence[int]) -> list[tuple[str, str, float]]:
        """:meth:`decide` in Python: the reference the C path is held to."""
        cues, describe, tags, parent, hidden = (
            self.names.cues,
            self.names.describe,
            self.table.tag,
            self.table.parent,
            self.table.hidden,
        )
        answers, explain = self._answers, self.explain
        out = []
        for key in links:
            cue = cues[key]
            if cue is UNSET:
                cue = describe(key)
            if cue is None and tags[key] in ("a", "area") and hidden[key] == hidden[parent[key]]:
                key = parent[key]  # links without a cue of their own share the answer
            answer = answers.get(key)
            if answer is None:
                answer = answers[key] = explain(key)
            out.append(answer)
        return out

    def explain(self, key: int) -> tuple[str, str, float]:
        """``(region, decision path, link density)`` of the link (or its parent) ``key``:
        the path is a key of :data:`SCORES`."""
        inside, cue, saw_main, container = self._path(key)
        density = self.density.of(container) if container >= 0 else 0.0
        if self.table.hidden[key]:  # not rendered (Readability removes it): never main
            return (cue or "body", "hidden", density)
        if cue is not None:
            return (
                cue,
                "cue_in_block" if inside else "cue" if self.main else "cue_no_block",
                density,
            )
        if inside:
            return self._inside(key, container, density, saw_main)
        if saw_main and not self.main:
            return ("main", "markup_main", density)  # no text block on the page: trust the markup
        return ("body", "body", density)

    def _inside(
        self, key: int, container: int, density: float, saw_main: bool
    ) -> tuple[str, str, float]:
        """The answer for a link (or its parent) ``key`` inside the main block without a cue
        on its path: is it in a container Readability cleans away, a cross-link line or a
        list of related links?"""
        if (self.clean or self.strip) and self.cleaning.in_boilerplate(
            container, self._outer, self.strip, self.clean
        ):
            return ("aside", "cleaned", density)
        if self._in_cross_link_line(key):
            return ("aside", "cross_link", density)
        if self._in_related_list(key):
            return ("aside", "related_list", density)
        if self._in_teaser(key):
            return ("aside", "teaser", density)
        if self._in_reviews(key):
            return ("comment", "reviews", density)
        return ("main", "main_cued" if saw_main else "main", density)

    def _in_cross_link_line(self, key: int) -> bool:
        """Is ``key`` in a line of the article that sends the reader elsewhere
        ("Related: ...", :mod:`~linkspider.regions.crosslinks`)?

        The line is the first of ``key`` and its next ancestors with a lead: a short one
        decides; a long one decides only when it is a cross-link line (almost all link
        text), else the walk goes on up as past any element without a lead.
        """
        lead, parent, main, ink = self.table.lead, self.table.parent, self.main, self.table.ink
        k = key
        for _ in range(4):  # the line, or an inline element inside it
            if k < 0 or k in main:
                return False
            if lead[k] is not None:
                if is_cross_link(lead[k], self.density.of(k), ink[k]):
                    return True
                if ink[k] <= SHORT_LINE:
                    return False  # a short line decides
            k = parent[k]
        return False

    def _in_related_list(self, key: int) -> bool:
        """Is ``key`` in a list of links (mostly link text) under a heading that announces
        other articles or products ("Related Stories", "More from ...", "Recommended
        items": :mod:`~linkspider.regions.crosslinks`)?

        The list is ``key`` or one of its next few ancestors below the main block, at least
        ``MIN_LIST_DENSITY`` link text or a grid of teasers (:meth:`_teasers`); its heading
        the element before it (empty elements between them aside).  The elements between
        the link and the list may hold other text (a teaser's price or date beside its
        title) or none (an image link).
        """
        return self._near_ancestor(key, self._related, self._related_list)

    def _related_list(self, k: int) -> bool:
        lead = self._heading_before(k)
        return (
            lead is not None
            and is_related_heading(lead)
            and (self.density.of(k) >= MIN_LIST_DENSITY or self._teasers(k))
        )

    def _teasers(self, k: int) -> bool:
        """Are ``k``'s children (two or more) each a short item holding a link, as in a grid
        of products (an image link, a title link, a price, a button)?  An item of prose (over
        ``TEASER_INK`` characters) says it is the article's own list."""
        table = self.table
        tag, end, ink = table.tag, table.end, table.ink
        items = 0
        for item in children(table, k):
            if ink[item] > TEASER_INK or "a" not in tag[item : end[item]]:
                return False
            items += 1
        return items >= 2

    def _in_teaser(self, key: int) -> bool:
        """Is ``key`` in the linked heading of a teaser of another article, in a run of such
        teasers after the article (:meth:`_teasers_after_article`)?"""
        heads = self._teaser_heads
        if heads is None:
            heads = self._teaser_heads = self._teasers_after_article()
        if not heads:
            return False
        parent, main = self.table.parent, self.main
        k = key
        for _ in range(3):  # the heading, or an element inside it
            if k < 0 or k in main:
                return False
            if k in heads:
                return True
            k = parent[k]
        return False

    def _teasers_after_article(self) -> frozenset[int]:
        """The linked headings of teasers that follow an article in the main block: three or
        more headings in a row whose text is all link text, each followed by paragraphs of
        at most ``TEASER_EXCERPT`` characters (an excerpt), after ``CHAR_THRESHOLD``
        characters of the block's paragraphs that are not link text.  An index page's
        teasers have no article before them, and a roundup's linked headings are each
        followed by the article's own paragraphs about the item."""
        table, density = self.table, self.density
        tag, end, ink = table.tag, table.end, table.ink
        blocks = self.cleaning.positions_of(_TEXT_BLOCKS)
        out: set[int] = set()
        for m in sorted(self.main):
            prose = before = 0.0  # the block's prose so far; before the run
            run: list[int] = []
            read = m  # the end of the last text block read (one inside it is read with it)
            for k in blocks[bisect_right(blocks, m) : bisect_left(blocks, end[m])]:
                if k < read:
                    continue
                read = end[k]
                if tag[k] != "p" and ink[k] and density.of(k) >= LINKED_HEADING:
                    if not run:
                        before = prose
                    run.append(k)
                    continue
                text = ink[k] - density.link_text(k)
                if run and text > TEASER_EXCERPT:  # the article goes on: no teasers
                    if len(run) >= 3 and before >= CHAR_THRESHOLD:
                        out.update(run)
                    run = []
                if not run:
                    prose += text
            if len(run) >= 3 and before >= CHAR_THRESHOLD:
                out.update(run)
        return frozenset(out)

    def _in_reviews(self, key: int) -> bool:
        """Is ``key`` under a heading that announces a product's reviews by its buyers
        ("Customer reviews", "Ratings & reviews": :mod:`~linkspider.regions.crosslinks`),
        in the element right after it (``key`` or one of its next few ancestors below the
        main block)?  Those are a comment thread of the product's page."""
        return self._near_ancestor(key, self._reviews, self._after_reviews_heading)

    def _after_reviews_heading(self, k: int) -> bool:
        lead = self._heading_before(k)
        return lead is not None and is_reviews_heading(lead)

    def _near_ancestor(self, key: int, memo: dict[int, bool], test) -> bool:
        """Does ``test`` hold for ``key`` or one of its next five ancestors below the main
        block?  Each element's answer is kept in ``memo`` (links share their ancestors)."""
        parent, main = self.table.parent, self.main
        k = key
        for _ in range(6):
            if k < 0 or k in main:
                return False
            answer = memo.get(k)
            if answer is None:
                answer = memo[k] = test(k)
            if answer:
                return True
            k = parent[k]
        return False

    def _heading_before(self, k: int) -> str | None:
        """The lead of ``k``'s previous sibling (past empty ones) when it is a short line,
        as a heading is; else None."""
        table = self.table
        parent, ink, lead = table.parent, table.ink, table.lead
        up, before = parent[k], k
        for _ in range(3):  # the previous sibling, past empty ones
            j = before - 1
            if j <= up:
                return None  # the first child
            while parent[j] != up:
                j = parent[j]
            if ink[j]:
                return lead[j] if ink[j] <= SHORT_LINE else None
            before = j
        return None

    def _path(self, key: int) -> tuple[bool, str | None, bool, int]:
        """What the path from ``key`` up to the main block (or the root) says, memoized.

        ``(inside_main, innermost_non_main_cue, saw_main_cue, innermost_container)``:
        only elements strictly below the main block count, and cleanable
        containers only above any cue; each container's next one up goes to
        ``self._outer``, for :meth:`Cleaning.in_boilerplate`.
        """
        memo, main, parent, outer = self._paths, self.main, self.table.parent, self._outer
        cues, describe, tags = self.names.cues, self.names.describe, self.table.tag
        declares_main = self.names.declares_main
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
            if own is UNSET:
                own = describe(k)
            if own == "main" and cue is not None and declares_main(k):
                # declared the page's main content below a cue that says otherwise (GitHub's
                # README under a "discussion-timeline" wrapper): the declaration is nearer
                cue = None
            if own is not None and own != "main":
                if own not in _ABSORBED.get(cue, ()):
                    above = (inside, own, saw_main, -1)
            else:
                if own == "main":
                    saw_main = True
                if cue is None and tags[k] in CLEANED:
                    outer[k] = container
                    container = k
                above = (inside, cue, saw_main, container)
            memo[k] = above
        return above
