"""Caches that live for a whole crawl, bounded whatever its pages hold.

Readings of class/id names (:mod:`linkspider.regions.names`) and registered domains
(:mod:`linkspider.domains`) repeat from page to page, so they are kept; but their keys come
from the pages, and a site can serve page after page of unique, huge names.  A
:class:`ShortKeyCache` keeps only keys up to a length, and at most a number of them.
"""

from __future__ import annotations


class ShortKeyCache(dict):
    """A dict of computed values, emptied when it holds ``size`` entries; a value whose key is
    longer than ``max_length`` characters (its length as the caller measures it) is not kept.

    A hit is a plain ``dict.get``.

    >>> cache = ShortKeyCache(size=2, max_length=5)
    >>> cache.remember("nav", 1, 3), cache.remember("x" * 9, 2, 9), list(cache)
    (1, 2, ['nav'])
    >>> cache.remember("a", 3, 1), cache.remember("b", 4, 1), list(cache)
    (3, 4, ['b'])
    """

    __slots__ = ("max_length", "size")

    def __init__(self, size: int, max_length: int) -> None:
        super().__init__()
        self.size = size
        self.max_length = max_length

    def remember(self, key, value, length: int):
        """``value``, kept under ``key`` when ``length`` is at most ``max_length``."""
        if length <= self.max_length:
            if len(self) >= self.size:
                self.clear()
            self[key] = value
        return value
