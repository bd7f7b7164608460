"""Boilerplate inside the main block: Readability's conditional cleaning.

Inside the article Readability removes containers (forms, fieldsets, then
tables, lists and divs, in that order) that look like boilerplate: a negative class weight,
or, with fewer than ten commas, more images than paragraphs, little text
with links, or too much link text for the container's class weight.  A link
in such a container, or in one with "unlikely" names, is not ``main``.  Readability
spares data tables and code; this model also spares embedded posts and product boxes
(:mod:`~linkspider.regions.offers`): readers take them for part of the article.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import NamedTuple

from linkspider.dom import DIV_TO_P, ElementTable, children, tag_positions, up_the_tree
from linkspider.regions.density import LinkDensity
from linkspider.regions.main_block import MIN_BLOCK_TEXT, TABLE_OR_CODE
from linkspider.regions.names import Names
from linkspider.regions.offers import is_purchase_call

#: Containers that Readability cleans conditionally inside the article.
CLEANED = frozenset(("div", "ul", "table", "form", "fieldset"))
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_FIGURE = frozenset(("figure",))
#: Readability's "textish" tags: span (and font, which it turns into span), li, td and the
#: block elements of DIV_TO_P.
_TEXTISH = frozenset(("span", "font", "li", "td", *DIV_TO_P))
#: Class names of the blockquotes that social networks' embed codes make.
_EMBEDS = (
    "twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed", "reddit-embed",
    "reddit-card", "bluesky-embed", "mastodon-embed", "text-post-media", "fb-xfbml-parse-ignore",
)  # fmt: skip
#: Descendants that make a table a data table.
_DATA_TAGS = frozenset(("col", "colgroup", "tfoot", "thead", "th"))
#: Readability's cleaning passes, in order (forms, fieldsets, then tables, lists, divs): a
#: container is judged without what an earlier pass removed inside it (a table of contents
#: cleaned as a list no longer weighs on the div around it).  Within one pass Readability goes
#: from the last element to the first; that order is not modelled (it would need its
#: paragraph-wrapping of a div's text runs to count paragraphs as it does).
_PASS = {"form": 0, "fieldset": 1, "table": 2, "ul": 3, "div": 4}
_EARLIER = {tag: tuple(t for t, n in _PASS.items() if n < p) for tag, p in _PASS.items()}
#: Containers looked at per page for what earlier passes removed, at most (then no more
#: adjustments: the work per page stays bounded whatever the nesting).
_REMOVED_WORK = 20_000
#: A container with more links than this is not a product box or a list of offers.
_MAX_OFFERS = 100


class _Removed(NamedTuple):
    """What earlier cleaning passes removed inside a container: the measures to subtract."""

    ink: int
    gaps: int
    commas: int
    link_text: float
    list_ink: int
    p: int
    img: int
    li: int
    inputs: int
    heading_ink: int


_NOTHING = _Removed(0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0)


class Cleaning:
    """Which containers of one page are boilerplate, memoized.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> from linkspider.dom import element_table
    >>> table = element_table(LexborHTMLParser(
    ...     '<div class=share><a href=x>x</a></div><div><a href=y>y</a> and more text than links here</div>'))
    >>> cleaning = Cleaning(table, Names(table), LinkDensity(table, [4, 6]))
    >>> [(table.cls[k], cleaning.is_boilerplate(k)) for k in (3, 5)]
    [('share', True), (None, False)]
    """

    def __init__(self, table: ElementTable, names: Names, density: LinkDensity) -> None:
        self.table = table
        self.names = names
        self.density = density
        self._boilerplate: dict[int, bool] = {}
        self._chain: dict[int, bool] = {}
        # Found on first use, so that every question costs a lookup or a bisection (a page
        # may hold thousands of tables or embeds, nested as deep as the markup bound allows).
        self._shelter: set[int] | None = None  # data tables and embedded posts
        self._tables: list[int] = []  # data tables, in document order
        self._embeds: list[int] = []  # embedded posts, in document order
        self._code: set[int] = set()
        self._positions: dict[str | tuple[str, ...], list[int]] = {}  # tag(s) -> elements, in order
        self._memos: dict[object, tuple] = {}  # ancestor questions: (memo, test)
        self._textish: dict[int, int] = {}  # i -> the first element at or after i with textish text
        self._headings: tuple[list[int], list[int]] | None = None  # positions, prefix sums of ink
        self._removed: dict[int, _Removed | None] = {}  # container -> earlier passes' removals
        self._removed_work = 0
        # <a> elements and their texts, in document order; which of them are purchase calls
        self._anchors: tuple[list[int], list[str | None], dict[int, bool]] | None = None

    def is_boilerplate(self, key: int) -> bool:
        """Would Readability clean the container ``key`` out of the article?"""
        cached = self._boilerplate.get(key)
        if cached is not None:
            return cached
        result = not self._protected(key) and self._shady(key) and not self._sells(key)
        self._boilerplate[key] = result
        return result

    def _shady(self, key: int) -> bool:
        """Readability's checks of a container (``_cleanConditionally``), in its order, on
        what is left of it after the earlier cleaning passes."""
        t = self.table
        tag, weight = t.tag[key], self.names.weight(key)
        if weight < 0:
            return True
        if tag == "div" and self.density.of(key) < 0.25 and self._one_paragraph(key):
            return False  # Readability turned it into its paragraph, which it does not clean
        ink, commas, link_text = t.ink[key], t.commas[key], self.density.link_text(key)
        length = self.density.length(key)
        list_ink, p, img = t.list_ink[key], t.p[key], t.img[key]
        removed = self._removed_inside(key) or _NOTHING
        if removed is not _NOTHING:
            ink, length, commas = (
                ink - removed.ink,
                length - removed.ink - removed.gaps,
                commas - removed.commas,
            )
            link_text, list_ink = link_text - removed.link_text, list_ink - removed.list_ink
            p, img = p - removed.p, img - removed.img
        if commas >= 10:
            return False
        density = min(1.0, link_text / length) if length > 0 else 0.0
        is_list = tag in ("ul", "ol")
        if not is_list and ink > 0:
            is_list = list_ink / ink > 0.9
        in_figure = self._has_ancestor(key, _FIGURE)
        remove = (
            # more images than paragraphs, with link text: a grid of linked teasers
            # (a gallery of images, linked to their full size or not, is the article's)
            (not in_figure and img > 1 and p / img < 0.5 and link_text > 0)
            or (not is_list and weight < 25 and density > 0.2)
            or (weight >= 25 and density > 0.5)
            or (not is_list and self._count(key, "li") - removed.li - 100 > p)
            or self._count(key, "input") - removed.inputs > p // 3
            or (
                not is_list
                and not in_figure
                and length < MIN_BLOCK_TEXT
                and (img == 0 or img > 2)
                and density > 0
                and self._heading_ink(key) - removed.heading_ink < 0.9 * length
            )
            or (img == 0 and not self._has_textish_text(key))
        )
        if remove and is_list:  # Readability keeps a list of images, one per item
            for k in children(t, key):
                if t.children[k] > 1:
                    return True
            return self._count(key, "li") - removed.li != img
        return remove

    def _sells(self, key: int) -> bool:
        """Is most of the link text of ``key`` purchase calls ("$348 at Amazon", "Buy now":
        :mod:`~linkspider.regions.offers`)?  A product box, or a list of offers, is part of
        the article for its readers, though Readability cleans it.

        Asked only of containers found boilerplate otherwise, and answered by reading the
        text of their links, each link's once per page: a container of more than
        ``_MAX_OFFERS`` links is no product box (the work per page stays linear).
        """
        if self._anchors is None:
            refs = [ref for ref in self.table.refs if ref[1] == "a"]
            self._anchors = ([ref[0] for ref in refs], [ref[9] for ref in refs], {})
        keys, texts, memo = self._anchors
        t = self.table
        first, last = bisect_right(keys, key), bisect_left(keys, t.end[key])
        if first == last or last - first > _MAX_OFFERS:
            return False
        offered = 0
        for i in range(first, last):
            call = memo.get(i)
            if call is None:
                text = texts[i]
                call = memo[i] = bool(text) and is_purchase_call(text.strip())
            if call:
                k = keys[i]
                offered += t.ink[k] + t.gaps[k]
        return offered > 0 and 2 * offered >= self.density.link_text(key)

    def _removed_inside(self, key: int) -> _Removed | None:
        """What the cleaning passes before ``key``'s own removed inside it (None: nothing, or
        the page's budget for these questions is spent).  Memoized."""
        if key in self._removed:
            return self._removed[key]
        t = self.table
        tag = t.tag[key]
        positions = self.positions_of(_EARLIER.get(tag, ()))
        end = t.end[key]
        i = bisect_right(positions, key)
        found: list[int] = []
        while i < len(positions) and positions[i] < end:
            self._removed_work += 1
            if self._removed_work > _REMOVED_WORK:
                self._removed[key] = None
                return None
            k = positions[i]
            if self.is_boilerplate(k):
                found.append(k)
                i = bisect_left(positions, t.end[k], i)
            else:
                i += 1
        removed = None
        if found:
            removed = _Removed(
                sum(t.ink[k] for k in found),
                sum(t.gaps[k] for k in found),
                sum(t.commas[k] for k in found),
                sum(self.density.link_text(k) for k in found),
                sum(t.list_ink[k] + (t.ink[k] if t.tag[k] == "ul" else 0) for k in found),
                sum(t.p[k] for k in found),
                sum(t.img[k] for k in found),
                sum(self._count(k, "li") for k in found),
                sum(self._count(k, "input") for k in found),
                sum(self._heading_ink(k) for k in found),
            )
        self._removed[key] = removed
        return removed

    def _one_paragraph(self, key: int) -> bool:
        """Is the div ``key`` one paragraph once Readability has wrapped its runs of phrasing
        content into ``<p>``: a single ``<p>`` child and no text beside it, or phrasing
        content only?"""
        t = self.table
        if t.children[key] == 1 and not t.own_ink[key] and t.tag[key + 1] == "p":
            return True
        return not t.p[key] and t.phrasing_ink[key] == t.ink[key] > 0

    def positions_of(self, names: str | tuple[str, ...]) -> list[int]:
        """The elements with the tag ``names`` (or one of the tags), in document order,
        found once."""
        positions = self._positions.get(names)
        if positions is None:
            if isinstance(names, str):
                positions = tag_positions(self.table, names)
            else:  # from each tag's own list, which other questions share
                positions = sorted(k for name in names for k in self.positions_of(name))
            self._positions[names] = positions
        return positions

    def _count(self, key: int, name: str) -> int:
        """The ``name`` elements in the subtree of ``key``."""
        positions = self.positions_of(name)
        return bisect_left(positions, self.table.end[key]) - bisect_left(positions, key)

    def _heading_ink(self, key: int) -> int:
        """The text of the headings below ``key``."""
        if self._headings is None:
            positions = self.positions_of(_HEADINGS)
            self._headings = (positions, [0, *accumulate(self.table.ink[k] for k in positions)])
        positions, prefix = self._headings
        first, last = bisect_right(positions, key), bisect_left(positions, self.table.end[key])
        return prefix[last] - prefix[first]

    def _has_textish_text(self, key: int) -> bool:
        """Is there text in a ``span``, ``li``, ``td`` or block element below ``key``?
        (Readability's "no useful content" is a text density of 0 over those tags.)"""
        t = self.table
        if t.tag[key] == "div" and t.phrasing_ink[key]:
            return True  # its own runs of text, which Readability wraps into paragraphs
        return self._first_textish(key + 1) < t.end[key]

    def _first_textish(self, i: int) -> int:
        """The first element at or after ``i`` with text that is a textish tag (the element
        count when none): every element is stepped over once per page, whatever is asked."""
        t = self.table
        memo, tags, ink, n = self._textish, t.tag, t.ink, len(t.tag)
        passed = []
        j = i
        while j < n:
            known = memo.get(j)
            if known is not None:
                j = known
                break
            if ink[j] and tags[j] in _TEXTISH:
                break
            passed.append(j)
            j += 1
        for k in passed:
            memo[k] = j
        return j

    def _has_ancestor(self, key: int, names: frozenset[str]) -> bool:
        """Is an ancestor of ``key`` one of the tags ``names``?  Memoized."""
        up = self.table.parent[key]
        if up < 0:
            return False
        memo = self._memos.get(names)
        if memo is None:
            tags = self.table.tag
            memo = self._memos[names] = ({}, lambda k: tags[k] in names)
        return up_the_tree(self.table, up, memo[0], memo[1])

    def _protected(self, key: int) -> bool:
        """Readability never cleans a data table, anything inside one or inside ``<code>``,
        nor a container holding a data table; nor does this model clean an embedded post
        (a tweet, an Instagram or TikTok post...), what is inside it, or a container that is
        mostly one: readers take them for part of the article."""
        if self._shelter is None:
            self._find_shelters()
        if not (self._shelter or self._code):
            return False
        t = self.table
        end = t.end[key]
        i = bisect_right(self._tables, key)
        if i < len(self._tables) and self._tables[i] < end:
            return True  # holds a data table
        i = bisect_right(self._embeds, key)
        if (
            i < len(self._embeds)
            and self._embeds[i] < end
            and 2 * t.ink[self._embeds[i]] >= t.ink[key]
        ):
            return True  # mostly an embedded post
        return self._sheltered(key)

    def _sheltered(self, key: int) -> bool:
        """Is ``key`` a data table or an embedded post, or inside one or inside ``<code>``?
        Memoized."""
        memo = self._memos.get("sheltered")
        if memo is None:
            parent, shelter, code = self.table.parent, self._shelter, self._code
            memo = self._memos["sheltered"] = ({}, lambda k: k in shelter or parent[k] in code)
        return up_the_tree(self.table, key, memo[0], memo[1])

    def _find_shelters(self) -> None:
        t = self.table
        self._tables = [k for k in tag_positions(t, "table") if self._data(k)]
        self._embeds = [
            k
            for k in tag_positions(t, "blockquote")
            if t.cls[k] and any(name in t.cls[k] for name in _EMBEDS)
        ]
        self._shelter = {*self._tables, *self._embeds}
        self._code = set(tag_positions(t, "code"))

    def _data(self, key: int) -> bool:
        """Readability's ``_markDataTables`` (without the ``summary`` and ``datatable``
        attributes, which the element table does not keep)."""
        t = self.table
        if (t.role[key] or "").strip().lower() == "presentation":
            return False
        inside = t.tag[key + 1 : t.end[key]]
        if "caption" in inside or not _DATA_TAGS.isdisjoint(inside):
            return True
        if "table" in inside:
            return False
        rows = inside.count("tr")
        columns = 0
        k = key + 1
        while k < t.end[key]:
            if t.tag[k] == "tr":
                columns = max(columns, t.tag[k : t.end[k]].count("td"))
                k = t.end[k]
            else:
                k += 1
        if columns == 1 or rows == 1:
            return False
        return rows >= 10 or columns > 4 or rows * columns > 10

    def kept_ink(
        self, main: set[int], strip_unlikely: bool, clean: bool, enough: int | None = None
    ) -> int:
        """The text of the block ``main`` that an attempt keeps: without "unlikely"
        elements (outside tables and code) when it removes them, and without the
        containers it cleans (Readability compares attempts by the text they keep).
        Counting stops once it reaches ``enough``."""
        t = self.table
        if not (strip_unlikely or clean):
            return sum(t.ink[m] for m in main)
        own, end, tags, cls, ident, role = t.own_ink, t.end, t.tag, t.cls, t.ident, t.role
        unlikely = self.names.unlikely
        kept = 0
        for m in sorted(main):
            k, stop = m, end[m]
            while k < stop:
                if k > m and (
                    (clean and tags[k] in CLEANED and self.is_boilerplate(k))
                    or (
                        strip_unlikely
                        and (cls[k] or ident[k] or role[k])  # only names and roles are unlikely
                        and unlikely(k)
                        and not self._in_table_or_code(k)
                    )
                ):
                    k = end[k]
                    continue
                kept += own[k]
                if enough is not None and kept >= enough:
                    return kept
                k += 1
        return kept

    def _in_table_or_code(self, key: int) -> bool:
        return self._has_ancestor(key, TABLE_OR_CODE)

    def in_boilerplate(
        self, container: int, outer: dict[int, int], strip_unlikely: bool = True, clean: bool = True
    ) -> bool:
        """Is ``container``, or a cleanable container above it, removed from the article:
        "unlikely" (outside tables and code, when ``strip_unlikely``) or boilerplate (when
        ``clean``)?

        ``outer`` maps each cleanable container to the next one up inside the
        main block (-1: none).  Memoized (for one pair of flags per page), and
        iterative: the nesting depth is the page's to choose.
        """
        memo = self._chain
        unlikely = self.names.unlikely
        chain = []
        k = container
        known = False
        while k >= 0:
            cached = memo.get(k)
            if cached is not None:
                known = cached
                break
            chain.append(k)
            if (clean and self.is_boilerplate(k)) or (
                strip_unlikely and unlikely(k) and not self._in_table_or_code(k)
            ):
                known = True
                break
            k = outer[k]
        for k in chain:
            memo[k] = known
        return known
