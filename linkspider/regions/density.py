"""Link density: the share of an element's text that is link text.

Text is measured as Readability measures it: the length of the trimmed text
with each run of whitespace one space (:func:`linkspider.dom.text_length`), so
that "en | fr | ja" is as link-dense as Readability finds it.  Link text is
counted once per link element (the text the walk measured), summed over a
subtree with prefix sums over element indices: a subtree is a contiguous range
of the element table, so any element's link text is one subtraction.  By
default the link elements are Readability's: every ``<a>``, with or without
``href``, an in-page link (``href="#x"``) counting 0.3 of its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import accumulate

from linkspider.dom import ElementTable

try:
    from linkspider._dom import link_prefix as _c_link_prefix
except ImportError:  # the C module is optional (setup.py)
    _c_link_prefix = None


class LinkDensity:
    """Link text and link density of every element of a page, given its link elements.

    >>> from linkspider.dom import element_table
    >>> from selectolax.lexbor import LexborHTMLParser
    >>> table = element_table(LexborHTMLParser('<div><a href=x>link</a> and text</div>'))
    >>> density = LinkDensity(table, [4])
    >>> table.tag[3], density.link_text(3), density.length(3), density.of(3)
    ('div', 4.0, 13, 0.3076923076923077)
    >>> table = element_table(LexborHTMLParser('<div><a href=#top>link</a> and text</div>'))
    >>> LinkDensity(table).link_text(3)
    1.2
    """

    def __init__(self, table: ElementTable, links: Iterable[int] | None = None) -> None:
        self.ink = table.ink
        self.gaps = table.gaps
        self.end = table.end
        #: link text summed over element indices: a subtree's is prefix[end] - prefix[start]
        if links is None and _c_link_prefix is not None and type(table.ink) is memoryview:
            self.prefix = _c_link_prefix(table.refs, table.ink, table.gaps, len(table.tag))
        else:
            self.prefix = python_link_prefix(table, links)

    def link_text(self, key: int) -> float:
        """Length of the link text inside the subtree of ``key`` (weighted)."""
        prefix = self.prefix
        return prefix[self.end[key]] - prefix[key]

    def length(self, key: int) -> int:
        """Length of the text of ``key``'s subtree (:func:`linkspider.dom.text_length`)."""
        return self.ink[key] + self.gaps[key]

    def of(self, key: int) -> float:
        """Link text over all text of ``key``'s subtree, 0..1 (0 for an element with no text)."""
        length = self.ink[key] + self.gaps[key]
        return min(1.0, self.link_text(key) / length) if length else 0.0


def python_link_prefix(table: ElementTable, links: Iterable[int] | None = None) -> list[float]:
    """Prefix sums over element indices of the link text of ``links`` (default: Readability's,
    each ``<a>``, an in-page link weighing 0.3): the Python twin of ``linkspider._dom.link_prefix``.

    >>> from linkspider.dom import element_table
    >>> from selectolax.lexbor import LexborHTMLParser
    >>> python_link_prefix(element_table(LexborHTMLParser('<p>a <a href=#x>link</a></p>')))
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.2]
    """
    ink, gaps = table.ink, table.gaps
    ink_at = [0.0] * (len(table.tag) + 1)
    if links is None:
        for ref in table.refs:
            if ref[1] == "a":
                key, href = ref[0], ref[2]
                if href and href[0] == "#" and len(href) > 1:
                    ink_at[key + 1] = (ink[key] + gaps[key]) * 0.3
                else:
                    ink_at[key + 1] = ink[key] + gaps[key]
    else:
        for key in links:
            ink_at[key + 1] = ink[key] + gaps[key]
    return list(accumulate(ink_at))
