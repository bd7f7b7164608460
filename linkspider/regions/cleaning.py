"""Boilerplate inside the main block: Readability's conditional cleaning.

Inside the article Readability removes containers (div, ul, ol, table, form,
fieldset, section, dl) that look like boilerplate: a negative class weight,
or, with fewer than ten commas, more images than paragraphs, little text
with links, or too much link text for the container's class weight.  A link
in such a container, or in one with "unlikely" names, is not ``main``.
"""

from __future__ import annotations

from linkspider.dom import ElementTable
from linkspider.regions.density import LinkDensity
from linkspider.regions.main_block import MIN_BLOCK_TEXT
from linkspider.regions.names import Names

#: Containers that Readability cleans conditionally inside the article.
CLEANED = frozenset(("div", "ul", "ol", "table", "form", "fieldset", "section", "dl"))


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

    def is_boilerplate(self, key: int) -> bool:
        """Would Readability clean the container ``key`` out of the article?"""
        cached = self._boilerplate.get(key)
        if cached is not None:
            return cached
        t = self.table
        tag, weight = t.tag[key], self.names.weight(key)
        result = False
        if weight < 0:
            result = True
        elif t.commas[key] < 10:
            length = t.ink[key]
            density = self.density.of(key)
            is_list = tag in ("ul", "ol")
            if not is_list and length:
                is_list = t.list_ink[key] / length > 0.9
            p, img = t.p[key], t.img[key]
            result = (
                # more images than paragraphs, with link text: a grid of linked teasers
                # (a gallery of images, linked to their full size or not, is the article's)
                (img > 1 and p / img < 0.5 and self.density.link_text(key) > 0)
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

    def in_boilerplate(self, container: int, outer: dict[int, int]) -> bool:
        """Is ``container``, or a cleanable container above it, unlikely or boilerplate?

        ``outer`` maps each cleanable container to the next one up inside the
        main block (-1: none).  Memoized, and iterative: the nesting depth is
        the page's to choose.
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
            if unlikely(k) or self.is_boilerplate(k):
                known = True
                break
            k = outer[k]
        for k in chain:
            memo[k] = known
        return known
