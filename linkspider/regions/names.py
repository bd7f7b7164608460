"""What an element's tag, ARIA role and ``class``/``id`` names say about it.

Two readings of the same names: the *cue* (a layout region the names point
at: ``nav`` for ``<nav>``, ``role=navigation`` or ``class="menu"``) and
Mozilla Readability's published heuristics (a class weight of +-25 for
positive or negative names, and "unlikely" names such as ``sidebar``).
:class:`Names` reads them for the elements of one page, on demand.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from functools import update_wrapper
from typing import TypeVar

from linkspider.caches import ShortKeyCache
from linkspider.dom import ElementTable, children

try:
    from linkspider._dom import describer as _c_describer
    from linkspider._dom import mentions as _c_mentions
except ImportError:  # the C module is optional (setup.py)
    _c_describer = _c_mentions = None

_F = TypeVar("_F", bound=Callable)

#: Names (class and id together, or an itemprop) longer than this, in characters, are read
#: without the caches of this module: whatever the pages of a crawl hold, a cache keeps at
#: most its ``maxsize`` entries of at most this length (reading a name costs time linear in
#: its length, and a page's names add up to at most its size).
MAX_CACHED_NAME = 512


def cached_when_short(size: int) -> Callable[[_F], _F]:
    """A function of one str or two, its answers kept in a
    :class:`~linkspider.caches.ShortKeyCache` of ``size`` entries (the function's ``cache``)
    when the strs add up to at most :data:`MAX_CACHED_NAME` characters.

    >>> @cached_when_short(8)
    ... def shout(name): return name.upper()
    >>> shout("nav"), shout("x" * 600) == "X" * 600, len(shout.cache)
    ('NAV', True, 1)
    """

    def decorate(fn: _F) -> _F:
        cache = ShortKeyCache(size, MAX_CACHED_NAME)
        get, remember = cache.get, cache.remember
        if fn.__code__.co_argcount == 1:  # (no *args: these are called on every page)

            def call(name: str):
                answer = get(name, _MISSING)
                return remember(name, fn(name), len(name)) if answer is _MISSING else answer

        else:

            def call(cls: str, ident: str):  # type: ignore[misc]
                answer = get((cls, ident), _MISSING)
                if answer is _MISSING:
                    answer = remember((cls, ident), fn(cls, ident), len(cls) + len(ident))
                return answer

        update_wrapper(call, fn)
        call.cache = cache  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate


_MISSING = object()


#: The regions of links in the page's DOM (``body``: in none of the others).
DOM_REGIONS = ("header", "nav", "main", "aside", "footer", "comment", "body")
#: The region of an edge outside the page's content: a redirect, a canonical link
#: (``<link rel=canonical>``) or a refresh (``<meta http-equiv>`` or a ``Refresh`` header).
META = "meta"
#: Every value of the ``region`` column.
REGIONS = (*DOM_REGIONS, META)

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
    ("comment", frozenset(
        ["comment", "comments", "commentlist", "comment-list", "disqus", "respond", "reply",
         "replies", "discussion", "dsq"])),
    ("nav", frozenset(
        ["nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs",
         "pagination", "pager", "toc", "skip", "skiplink"])),
    ("aside", frozenset(
        ["sidebar", "aside", "widget", "widgets", "related", "share", "sharing", "social",
         "sponsor", "sponsored", "ad", "ads", "advert", "advertisement", "promo", "rail",
         "recommended", "popular", "trending", "newsletter", "tags", "tagcloud",
         # page furniture inside articles: author boxes and bylines, image credits, follow buttons
         "author", "authors", "byline", "bio", "credit", "credits", "follow"])),
    ("footer", frozenset(["footer", "colophon", "copyright"])),
    ("header", frozenset(["header", "masthead", "banner", "topbar"])),
    ("main", frozenset(
        ["content", "main", "article", "post", "entry", "story", "body-text", "articlebody",
         "post-content", "entry-content", "article-body", "story-body"])),
)  # fmt: skip
#: what a box's number is written in (``sidebar2``: :func:`token_region`)
_DIGITS = "0123456789"
#: every token of the groups above
_CUE_TOKENS = frozenset().union(*(cues for _, cues in _TOKEN_CUES))
#: bytes that are not a lowercase ASCII letter or digit, as spaces
_NOT_TOKEN = bytes(b if 0x61 <= b <= 0x7A or 0x30 <= b <= 0x39 else 0x20 for b in range(256))


def tokens(names: str) -> list[str]:
    """The runs of lowercase ASCII letters and digits in ``names`` (what splitting on the
    regular expression ``[^a-z0-9]+`` keeps, less its empty strings), by a byte table: the
    regular expression costs several times more.

    >>> tokens("site-footer nav_2 caf\u00e9 Main")
    ['site', 'footer', 'nav', '2', 'caf', 'ain']
    """
    return names.encode("utf-8", "surrogatepass").translate(_NOT_TOKEN).decode("ascii").split()


#: a lowercase letter or digit followed by a capital: where camelCase names split into words
#: for the cues (``shareButtons``: share, buttons); Readability's weights read substrings
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def name_words(names: str) -> str:
    """Class/id names lowercased, camelCase compounds split into words with a hyphen.

    >>> name_words("shareButtons mainContent"), name_words("URLBar right_col")
    ('share-buttons main-content', 'urlbar right_col')
    """
    lowered = names.lower()
    if lowered == names:  # no capital (most names: the regex costs 20 times more)
        return lowered
    return _CAMEL.sub("-", names).lower()


#: schema.org microdata properties (``itemprop``) that name a region: the article's body,
#: its byline (Readability removes the element with ``itemprop=author`` as the byline), its
#: comments and breadcrumbs.  Read after the tag and the ARIA role, before class/id names.
_ITEMPROPS = {
    "articlebody": "main",
    "reviewbody": "main",
    "maincontentofpage": "main",
    "author": "aside",
    "creator": "aside",
    "contributor": "aside",
    "editor": "aside",
    "comment": "comment",
    "breadcrumb": "nav",
}


@cached_when_short(1024)
def itemprop_region(itemprop: str) -> str | None:
    """Region named by an ``itemprop`` attribute (space-separated properties), if any.

    >>> itemprop_region("articleBody"), itemprop_region("author"), itemprop_region("url name")
    ('main', 'aside', None)
    """
    for prop in itemprop.lower().split():
        region = _ITEMPROPS.get(prop)
        if region is not None:
            return region
    return None


#: ``itemprop`` properties that declare an element the page's own main content (schema.org's
#: ``WebPage.mainContentOfPage``, an article's body), as ``<main>`` and ``role=main`` do.
_DECLARED_MAIN_PROPS = frozenset(("articlebody", "maincontentofpage"))


def token_region(class_and_id: str) -> str | None:
    """Region suggested by ``class``/``id`` tokens, if any.

    >>> token_region("site-footer footer"), token_region("main-nav"), token_region("x")
    ('footer', 'nav', None)

    A number after the word is the box's number, as after a dash (``sidebar2``, ``nav1``):

    >>> token_region("sidebar2"), token_region("footer-3"), token_region("h2")
    ('aside', 'footer', None)
    """
    if not class_and_id:
        return None
    words = tokens(class_and_id.lower())
    found = _CUE_TOKENS.intersection(words)
    if not found:  # (most names)
        found = _CUE_TOKENS.intersection(word.rstrip(_DIGITS) for word in words)
        if not found:
            return None
    for region, cues in _TOKEN_CUES:
        if not cues.isdisjoint(found):
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
    """Does lowercased ``name`` contain one of ``words``?  In one C call
    (``linkspider._dom.mentions``) when the C module is built: a Python ``in`` per word was
    most of what reading a new name cost.

    >>> _mentions("site-footer", _NEGATIVE), _mentions("x", _NEGATIVE)
    (True, False)
    """
    if _c_mentions is not None:
        found = _c_mentions(name, words)
        if found is not None:
            return found
    return python_mentions(name, words)


def python_mentions(name: str, words: tuple[str, ...]) -> bool:
    """:func:`_mentions` without the C module (and for a name with a lone surrogate)."""
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


# Page builders (Elementor, Divi, WPBakery, Beaver Builder, Gutenberg blocks, Avada,
# Bricks, Oxygen, SiteOrigin, Spectra, Kadence, GenerateBlocks, Thrive) name every
# building block of a page a "widget" or "module", the article body included
# (``elementor-widget-container``): inside their namespaced class names the word
# says nothing about the region, unlike a theme's ``widget`` in a sidebar.
_BUILDER_WIDGET = re.compile(
    r"\b((?:elementor|et_pb|vc|wpb|fl|fusion|wp-block|brxe|oxy|ct|so|siteorigin|panel|uagb|kb|kt"
    r"|gb|tve|thrv|themify)[-_][\w-]*?)widget(?:s|ised|ized)?(?=[-_]|\b)"
)


def builder_neutral(names: str) -> str:
    """Lowercased class/id names without the "widget" of page builders' own class names.

    >>> builder_neutral("elementor-widget elementor-widget-theme-post-content widget")
    'elementor- elementor--theme-post-content widget'
    >>> builder_neutral("et_pb_widget_area so-widget-sow-editor ob-widget")
    'et_pb__area so--sow-editor ob-widget'
    """
    return _BUILDER_WIDGET.sub(r"\1", names) if "widget" in names else names


#: A post's class list, as WordPress (``post_class()``) and Ghost write it, names the site's
#: taxonomy: the post's categories, tags, format, status and type (``category-social-media``,
#: ``tag-advertising``, ``format-aside``, WooCommerce's ``product_cat-...``).  Those are the
#: site's words for the post, not the page's layout, so in a list that is a post's (it holds
#: ``hentry``, ``post``, ``post-42``, ``type-...`` or ``status-...``) they say nothing.
_POST_CLASS = re.compile(r"hentry|post(?:-\d+)?|(?:type|status)-\S+", re.IGNORECASE)
_TAXONOMY = re.compile(
    r"(?:category|tag|format|status|type|product_cat|product_tag)-\S+", re.IGNORECASE
)


def post_class_neutral(cls: str) -> str:
    """Class names without the taxonomy of a post's class list.

    >>> post_class_neutral("post-7 post type-post format-aside hentry category-social tag-ads")
    'post-7 post hentry'
    >>> post_class_neutral("category-nav"), post_class_neutral("tag-cloud widget")
    ('category-nav', 'tag-cloud widget')
    """
    lowered = cls.lower()
    if "-" not in cls or not any(
        hint in lowered for hint in ("post", "hentry", "type-", "status-")
    ):
        return cls  # (most names)
    names = cls.split()
    if not any(_POST_CLASS.fullmatch(name) for name in names):
        return cls
    return " ".join(name for name in names if not _TAXONOMY.fullmatch(name))


#: Names of a wrapper's layout state say what the element has, lacks or sits beside, not what
#: it is: ``has-sidebar``, ``no-sidebar``, ``page-with-nav``, ``sidebar-none``.  Themes put them
#: on the wrapper of the article (or of the whole page), which they made ``aside`` or ``nav``.
#: What follows "no", "has", "with" or "without" in a name, and a name ending in "none" or
#: "disabled", say nothing.  (_STATE_HINT: where to look closer; most names hold none.)
_STATE_HINT = re.compile(
    r"(?:^|[\s_-])(?:no|has|with|without)[_-]|[_-](?:none|disabled)(?!\S)", re.IGNORECASE
)
#: in one name: from a "no", "has", "with" or "without" word to the name's end
_STATE_WORDS = re.compile(r"(?:^|(?<=[_-]))(?:no|has|with|without)[_-].*", re.IGNORECASE)
#: a whole name ending in "none" or "disabled"
_STATE_NAME = re.compile(r".*[_-](?:none|disabled)", re.IGNORECASE)


def layout_state_neutral(names: str) -> str:
    """Lowercased class/id names without the words of a layout state (camelCase split by
    :func:`name_words`).

    >>> layout_state_neutral("site-content no-sidebar"), layout_state_neutral("page-with-nav")
    ('site-content', 'page-')
    >>> layout_state_neutral("sidebar-none comments"), layout_state_neutral("nav notice")
    ('comments', 'nav notice')
    """
    if not ("no" in names or "has" in names or "with" in names or "disabled" in names):
        return names  # (most names: four substring tests cost less than the search)
    if ("-" not in names and "_" not in names) or _STATE_HINT.search(names) is None:
        return names
    kept = (_STATE_WORDS.sub("", name) for name in names.split() if not _STATE_NAME.fullmatch(name))
    return " ".join(name for name in kept if name)


#: the fewest words of an id that is the slug of a sentence (a heading's, as docutils and
#: Markdown write a section's or a heading's id): no name of a box
SLUG_WORDS = 7


def id_name(ident: str) -> str:
    """An element's id as a name of what it is: "" for the slug of a sentence.

    >>> id_name("related-posts"), id_name("the-sharing-economy-is-a-lie-uber-ayn-rand")
    ('related-posts', '')
    """
    return "" if ident.count("-") >= SLUG_WORDS - 1 and " " not in ident.strip() else ident


def _name_facts(cls: str, ident: str) -> tuple[str | None, int, bool, bool]:
    """Everything class and id names say: (token cue, class weight, unlikely, and whether
    they may name a side column: grid classes or :func:`side_named`).  A post's taxonomy
    (:func:`post_class_neutral`), a wrapper's layout state (:func:`layout_state_neutral`)
    and the slug of a heading in an id (:func:`id_name`) are no names of these."""
    cls, ident = post_class_neutral(cls), id_name(ident)
    column = (bool(cls) and grid_width(cls) is not None) or side_named(cls, ident)
    # camelCase names are words too (shareButtons, relatedPosts): split before lowering
    words = layout_state_neutral(builder_neutral(name_words(f"{cls} {ident}")))
    cls = layout_state_neutral(builder_neutral(cls.lower()))
    ident = layout_state_neutral(builder_neutral(ident.lower()))
    names = f"{cls} {ident}"
    unlikely = _mentions(names, _UNLIKELY) and not _mentions(names, _MAYBE)
    return token_region(words), class_weight(cls, ident), unlikely, column


#: :func:`_name_facts` of the names met so far: of (class, id) pairs, and of the classes of
#: elements without an id (most of them; a cheaper key), read by :meth:`Names.describe` at
#: the cost of a lookup.
NAME_CACHE_SIZE = 65_536
PAIR_FACTS = ShortKeyCache(NAME_CACHE_SIZE, MAX_CACHED_NAME)
CLASS_FACTS = ShortKeyCache(NAME_CACHE_SIZE, MAX_CACHED_NAME)


# Grid frameworks name a column's width: Bootstrap (``col-md-3``, ``span3``, WPBakery's
# ``vc_col-sm-3``), Foundation (``large-3``), Bulma (``is-3``), 960.gs (``grid_3``) in
# twelfths; Pure (``pure-u-1-4``), UIkit (``uk-width-1-4``), Tailwind (``w-1/4``) and Divi
# (``et_pb_column_1_4``) as fractions; Elementor (``elementor-col-33``) in percent.
_GRID = re.compile(
    r"(?:^|[\s_-])(?:col-(?:(?:xs|sm|md|lg|xl|xxl)-)?|span|(?:small|medium|large|xlarge)-|is-|grid_)"
    r"(\d{1,2})(?=\s|$)"
    r"|(?:pure-u-(?:[a-z]+-)?|uk-width-(?:[a-z]+-)?|(?:^|\s)(?:[a-z]+:)?w-|et_pb_column_)(\d{1,2})[-/_](\d{1,2})(?=\s|$)"
    r"|elementor-col-(\d{1,3})(?=\s|$)"
)


_DIGIT = re.compile(r"\d")
#: what each of _GRID's alternatives holds (a far cheaper search than _GRID's)
_GRID_HINTS = (
    "col-", "span", "small-", "medium-", "large-", "is-", "grid_", "pure-u-", "uk-width-", "w-",
    "et_pb_column_",
)  # fmt: skip


@cached_when_short(16_384)
def grid_width(cls: str) -> float | None:
    """The narrowest width, as a share of the row, that grid classes give a column, or None.

    >>> grid_width("col-xs-12 col-md-3"), grid_width("large-8 columns"), grid_width("pure-u-1-3")
    (0.25, 0.6666666666666666, 0.3333333333333333)
    >>> grid_width("elementor-column elementor-col-66"), grid_width("w-full md:w-1/4"), grid_width("col-main")
    (0.66, 0.25, None)
    """
    if _DIGIT.search(cls) is None:  # every grid class has a digit (most names: none) ...
        return None
    lowered = cls.lower()
    if not _mentions(lowered, _GRID_HINTS):  # ... and one of these
        return None
    widths = []
    for twelfths, num, den, percent in _GRID.findall(lowered):
        if twelfths:
            widths.append(int(twelfths) / 12)
        elif num and int(den):
            widths.append(int(num) / int(den))
        elif percent:
            widths.append(int(percent) / 100)
    widths = [w for w in widths if 0 < w <= 1]
    return min(widths) if widths else None


#: A grid column at most this wide, beside a sibling column at least twice as wide, is a
#: side column.
SIDE_COLUMN = 1 / 3

# Layouts without a grid framework name their columns by side: ``#right``, ``#leftcol``,
# ``.right-column``, ``.sidebar-left``, ``td#rightside``.  Only a name that says *column*
# counts (``pull-right``, ``text-right``, ``alignright`` place things inside an article),
# and only beside a sibling named for the content (``#content``, ``.main``, ``#center``):
# a two-column page's ``#left`` may be its article.
_SIDE_COMPOUND = re.compile(
    r"(?:left|right)(?:col|column|side|rail|bar|pane|panel|sidebar|area|region)"
    r"|(?:side|sidebar|col|column|rail)(?:left|right)"
)
_SIDES = frozenset(("left", "right"))
_COLUMN_WORDS = frozenset(("col", "cols", "column", "columns", "side", "pane", "panel", "area"))
_CENTRE_WORDS = frozenset(("center", "centre", "middle", "primary"))
_SIDEBAR_WORDS = frozenset(("sidebar", "sidebars", "secondary"))
_WIDGET_AREA = frozenset(("widget", "area"))
#: the tags of such layout columns
_COLUMN_TAGS = frozenset(("div", "td", "section"))


@cached_when_short(16_384)
def side_named(cls: str, ident: str) -> bool:
    """Do class/id names call the element a left or right layout column?

    >>> side_named("", "right"), side_named("right-column", ""), side_named("x", "leftcol")
    (True, True, True)
    >>> side_named("pull-right", ""), side_named("right", ""), side_named("metabar-left", "")
    (False, False, False)
    >>> side_named("leftColumn", ""), side_named("", "rightSidebar"), side_named("pullRight", "")
    (True, True, False)

    A sidebar by name, beside the content, is one too (a column beside the article with more
    text than it):

    >>> side_named("", "sidebar2"), side_named("widget-area", "secondary"), side_named("has-sidebar", "")
    (True, True, False)
    >>> side_named("mainSidebar", ""), side_named("", "hasSidebar"), side_named("", "sideBars")
    (True, False, True)
    """
    ident = id_name(ident)  # (a heading's slug names no column)
    if ident and ident.strip().lower() in _SIDES:
        return True
    names = f"{cls} {ident}".lower()
    if "left" in names or "right" in names:
        # words (``leftColumn``: left, column) or one compound name (``rightsidebar``)
        words = set(tokens(name_words(f"{cls} {ident}")))
        if not _SIDES.isdisjoint(words) and not _COLUMN_WORDS.isdisjoint(words):
            return True
        if any(_SIDE_COMPOUND.fullmatch(token) for token in tokens(names)):
            return True
    if "sidebar" in names or "secondary" in names or "widget" in names:
        # a sidebar by name (``#sidebar``, ``sidebar2``, WordPress's ``#secondary`` and
        # ``widget-area``), its layout state aside (``has-sidebar`` is no sidebar); camelCase
        # names are read both whole (``sideBar``) and split (``mainSidebar``)
        words = {
            word.rstrip(_DIGITS)
            for spelling in {names, name_words(f"{cls} {ident}")}
            for word in tokens(layout_state_neutral(builder_neutral(spelling)))
        }
        return not _SIDEBAR_WORDS.isdisjoint(words) or words >= _WIDGET_AREA
    return False


@cached_when_short(16_384)
def content_named(cls: str, ident: str) -> bool:
    """Do class/id names call the element the page's content column?

    >>> content_named("", "content"), content_named("column-center-outer", ""), content_named("article_ad", "")
    (True, True, False)
    >>> content_named("", "mainContent"), content_named("centerColumn", ""), content_named("articleAd", "")
    (True, True, False)
    """
    ident = id_name(ident)  # (a heading's slug names no column)
    names = name_words(f"{cls} {ident}")
    return not side_named(cls, ident) and (
        token_region(names) == "main" or not _CENTRE_WORDS.isdisjoint(tokens(names))
    )


ROOTS = frozenset(("html",))
UNSET = object()


class Names:
    """The cue, class weight and "unlikely" flag of each element of a page, read once each.

    >>> from linkspider.dom import element_table
    >>> from selectolax.lexbor import LexborHTMLParser
    >>> table = element_table(LexborHTMLParser(
    ...     '<div class="sidebar"><nav role="main"></nav><p id="post-body"></p></div>'))
    >>> names = Names(table)
    >>> [(table.tag[k], names.cue(k), names.weight(k), names.unlikely(k)) for k in range(2, 6)]
    [('body', None, 0, False), ('div', 'aside', -25, True), ('nav', 'nav', 0, False), ('p', 'main', 25, False)]
    """

    def __init__(self, table: ElementTable) -> None:
        n = len(table.tag)
        self._table = table
        self._widest: dict[int, float] = {}
        self._content_columns: dict[int, list[int]] = {}
        self.tag = table.tag
        self._cls, self._ident, self._role = table.cls, table.ident, table.role
        self._itemprop = table.itemprop
        self.cues: list = [UNSET] * n
        self.weights: list[int] = [0] * n
        self.unlikelies: list[bool] = [False] * n
        self.columns: list[bool] = [False] * n  # side columns (:meth:`side_column`)
        #: elements described so far whose class/id names cue ``main`` (``.entry-content``...)
        self.main_named: list[int] = []
        # Elements named by microdata alone (few): their cue is the tag's or the itemprop's.
        for key, prop in self._itemprop.items():
            tag = self.tag[key]
            if not (self._cls[key] or self._ident[key] or self._role[key]) and tag not in ROOTS:
                self.cues[key] = _TAGS.get(tag) or (
                    itemprop_region(prop) if tag != "body" else None
                )
        if (
            _c_describer is not None
            and type(self._itemprop) is dict
            and all(type(c) is list for c in (self.tag, self._cls, self._ident, self._role))
        ):
            # describe() in C for its common cases (nameless elements, names read before);
            # the rest, and the reference the tests hold it to, is Names.describe below
            self.describe = _c_describer(
                weakref.ref(self), Names.describe, self.tag, self._cls, self._ident,
                self._role, self._itemprop, self.cues, self.weights, self.unlikelies,
                self.main_named, _TAGS, CLASS_FACTS, PAIR_FACTS,
            )  # fmt: skip

    def cue(self, key: int) -> str | None:
        """The region element ``key`` points at by itself, or None.

        Hot loops read ``cues`` directly and call :meth:`describe` on ``UNSET``.
        """
        cue = self.cues[key]
        return self.describe(key) if cue is UNSET else cue

    def weight(self, key: int) -> int:
        """Readability's class weight of element ``key``."""
        if self.cues[key] is UNSET:
            self.describe(key)
        return self.weights[key]

    def unlikely(self, key: int) -> bool:
        """Do the names or role of element ``key`` make it an "unlikely candidate"?"""
        if self.cues[key] is UNSET:
            self.describe(key)
        return self.unlikelies[key]

    def landmark(self, key: int) -> str | None:
        """The region element ``key``'s tag or ARIA role alone points at (no class/id names)."""
        tag = self.tag[key]
        if tag in ROOTS or tag == "body":
            return None
        cue = _TAGS.get(tag)
        role = self._role[key]
        if cue is None and role:
            cue = _ROLES.get(role.strip().lower())
        if cue is None:
            if self.cues[key] is UNSET:
                self.describe(key)
            if self.columns[key]:
                cue = "aside"
        return cue

    def declares_main(self, key: int) -> bool:
        """Does element ``key`` declare itself the page's main content: ``<main>``,
        ``role=main``, or the microdata of the page's main content or an article's body
        (``itemprop=mainContentOfPage``, ``articleBody``)?  Names (``.content``) and
        ``<article>`` do not: comments and teasers use them too.

        >>> from linkspider.dom import element_table
        >>> from selectolax.lexbor import LexborHTMLParser
        >>> names = Names(element_table(LexborHTMLParser(
        ...     '<main></main><div role="Main"></div><div itemprop="mainContentOfPage"></div>'
        ...     '<article class="content"></article>')))
        >>> [names.declares_main(k) for k in range(3, 7)]
        [True, True, True, False]
        """
        if self.tag[key] == "main":
            return True
        role = self._role[key]
        if role and role.strip().lower() == "main":
            return True
        prop = self._itemprop.get(key)
        return prop is not None and not _DECLARED_MAIN_PROPS.isdisjoint(prop.lower().split())

    def side_column(self, key: int) -> bool:
        """Is element ``key`` a narrow grid column beside a column at least twice as wide,
        or a column named for a side beside one named for the content (a sidebar by its
        layout, whatever it holds)?"""
        cls = self._cls[key]
        width = grid_width(cls) if cls else None
        up = self._table.parent[key]
        if up < 0:
            return False
        if width is not None:
            return width <= SIDE_COLUMN and self._widest_child(up) >= 2 * width
        if self.tag[key] in _COLUMN_TAGS and side_named(cls or "", self._ident[key] or ""):
            return any(column != key for column in self._content_children(up))
        return False

    def _content_children(self, key: int) -> list[int]:
        """The children of ``key`` named for the page's content, read once."""
        columns = self._content_columns.get(key)
        if columns is None:
            classes, idents = self._cls, self._ident
            columns = self._content_columns[key] = [
                child
                for child in children(self._table, key)
                if (classes[child] or idents[child])
                and content_named(classes[child] or "", idents[child] or "")
            ]
        return columns

    def _widest_child(self, key: int) -> float:
        """The widest grid column among the children of ``key`` (0: none), read once."""
        widest = self._widest.get(key)
        if widest is None:
            classes = self._cls
            widths = (
                grid_width(classes[child]) for child in children(self._table, key) if classes[child]
            )
            widest = self._widest[key] = max((w for w in widths if w is not None), default=0.0)
        return widest

    def describe(self, key: int) -> str | None:
        """Read element ``key``'s names once: its cue, weight and "unlikely" flag."""
        tag = self.tag[key]
        cls, ident, role = self._cls[key], self._ident[key], self._role[key]
        if not (cls or ident or role):  # (elements with microdata only: set in __init__)
            cue = self.cues[key] = _TAGS.get(tag)
            return cue
        cue = None
        if tag not in ROOTS and tag != "body":
            cue = _TAGS.get(tag)
            if role:
                role = role.strip().lower()
                if cue is None:
                    cue = _ROLES.get(role)
            if cue is None and key in self._itemprop:
                cue = itemprop_region(self._itemprop[key])
            if cls or ident:
                if ident:
                    cache, names = PAIR_FACTS, (cls or "", ident)
                else:
                    cache, names = CLASS_FACTS, cls
                facts = cache.get(names)
                if facts is None:
                    cls, ident = cls or "", ident or ""
                    facts = cache.remember(names, _name_facts(cls, ident), len(cls) + len(ident))
                token_cue, self.weights[key], unlikely_name, column = facts
                if cue is None:
                    cue = token_cue
                    if cue == "main":
                        self.main_named.append(key)
                if column and self.side_column(key):
                    self.columns[key] = True
                    if cue is None:
                        cue = "aside"
                unlikely = unlikely_name and tag not in ("a", "body", "article", "main")
            else:
                unlikely = False
            self.unlikelies[key] = unlikely or (role in _UNLIKELY_ROLES if role else False)
        self.cues[key] = cue
        return cue
