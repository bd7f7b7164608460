"""Lines inside an article that are not its own text: editorial cross-links ("Related:
<a>Another story</a>", "Follow us on <a>Twitter</a>"), tag and category lines, share
lines and image credits ("Photo: <a>Jane Doe</a>", "Photo by <a>Jane Doe</a>"), in a
paragraph, a heading, a text-only ``div`` or a ``figcaption``.

News and blog articles interleave their paragraphs with lines that send the reader to
another article of the site: a short label, then a link.  Readability keeps them (they
are paragraphs); readers do not count them as the article's own links.  A line is one
when its text starts with such a label followed by a colon (or a dash, a guillemet),
or asks the reader to follow the site, and most of its text is link text.

>>> is_cross_link("Related: Another story from this site", 0.8)
True
>>> is_cross_link("LIRE AUSSI : Les critiques de la CNIL", 0.75), is_cross_link("Read more » Title", 0.9)
(True, True)
>>> is_cross_link("Related research shows that", 0.2), is_cross_link("See also: the appendix", 0.9)
(False, False)
>>> is_cross_link("Follow us on Twitter and Facebook.", 0.52), is_cross_link("Follow the steps below", 0.6)
(True, False)
>>> is_cross_link("Follow ONE Esports on Facebook a", 0.17), is_cross_link("Follow the steps on this page", 0.5)
(True, False)
>>> is_cross_link("Follow the guide on X-ray safety", 0.3), is_cross_link("Sigue a El País en Twitter", 0.2)
(False, True)
>>> is_cross_link("Follow her on Twitter @jane", 0.5), is_cross_link("Follow them to the station", 0.5)
(True, False)
>>> is_cross_link("Tags: privacy, browsers", 0.8), is_cross_link("Photo: Jane Doe / Agency", 0.6)
(True, True)
>>> is_cross_link("Photo by Jane Doe on Unsplash", 0.7), is_cross_link("Photographs by the author show", 0.3)
(True, False)

The same goes for a list of links under a heading that announces other articles ("Related
Stories", "More from Kotaku", "You may also like"): :func:`is_related_heading`.
"""

from __future__ import annotations

import re

__all__ = [
    "MIN_DENSITY",
    "MIN_LIST_DENSITY",
    "TEASER_INK",
    "is_cross_link",
    "is_related_heading",
]

#: Labels of cross-link lines, in the languages of the test pages and the common others.
#: ("See also" is left out: on reference pages it introduces the topic's own sources.)
_LABEL = re.compile(
    r"\W*(?:related(?: (?:stories|story|articles?|posts?|reading|content|coverage|news))?"
    r"|read (?:more|also|next|this)|also read|more(?: (?:from|on|about) [^:]{1,30})?|recommended"
    r"|(?:you )?(?:may|might) also like|don'?t miss|trending|popular|must read|editor'?s picks?"
    r"|(?:à )?lire aussi|voir aussi|à lire|lesen sie auch|mehr zum thema|auch interessant"
    r"|leer más|lee también|te puede interesar|leia também|leggi anche|czytaj też|čtěte také"
    r"|читайте также|также читайте"
    # lines of the page's own apparatus: tags and categories, sharing, image credits
    r"|tags?|topics?|categories|category|filed under|posted in|share(?: this(?: article| story)?)?"
    r"|photo(?:graph)?s?|images?|pictures?|credits?|courtesy(?: of)?|mots-clés|schlagworte|etiquetas)"
    r"\s*[:\uff1a\u00bb\u203a|\u2013\u2014-]",
    re.IGNORECASE,
)
#: ... and lines that send the reader to the site's social profiles or newsletter.
_SOCIAL = re.compile(
    r"\W*(?:follow|find|like|join|connect with|subscribe to|sign up for|suivez|folgen sie|síguenos"
    r"|seguici|siga)\b(?: \w+){0,3}? (?:us|me|our|nous|uns|nos|ci)\b",
    re.IGNORECASE,
)
#: ... and "Follow <a name> on <a social network>" (or the author's: "Follow her on Twitter
#: @jane" ends a bio): such a line is one whatever else it says
#: ("... for more news and guides"), so it needs no link density; the network must be in the
#: line's start (:data:`linkspider.dom.LEAD_CAP` characters).
_FOLLOW_ON = re.compile(
    r"\W*(?:follow|join|connect with|subscribe to|suivez|folgen sie|sigue|segui|siga)\b"
    r"(?: \S+){0,3}? (?:on|via|sur|auf|en|su|no) (?:facebook|twitter|x|instagram|youtube"
    r"|tiktok|linkedin|telegram|whatsapp|threads|bluesky|mastodon|pinterest|snapchat|reddit"
    r"|twitch|discord|google news|flipboard|weibo|vk)(?![\w-])",
    re.IGNORECASE,
)
#: ... and image credits written out: "Photo by <a>Jane Doe</a> on <a>Unsplash</a>".
_CREDIT = re.compile(
    r"\W*(?:(?:photo(?:graph)?|image|picture|illustration|video|graphic|gif)s?\s+"
    r"(?:by|via|courtesy(?:\s+of)?)|(?:photo|image|picture)\s+credits?)\b",
    re.IGNORECASE,
)
#: The share of a line's text that must be link text.
MIN_DENSITY = 0.4
#: A line of at most this many characters is short: longer, a cross-link line must be
#: almost all link text (a label and a long run of tag or story links: "Read More:
#: <a>Federal Reserve</a>, <a>Interest Rates</a>, ..." ), not a paragraph that starts
#: with a label.
SHORT_LINE = 200
LONG_LINE_DENSITY = 0.8


def is_cross_link(lead: str, density: float, length: int = 0) -> bool:
    """Is a text element starting with ``lead``, ``length`` characters long (0: short),
    ``density`` of whose text is link text, a cross-link line?

    >>> is_cross_link("Read More: Federal Open Market C", 0.95, 420)
    True
    >>> is_cross_link("Related: The Fed, which met on T", 0.5, 420), is_cross_link("Follow us on Twitter", 0.6, 420)
    (False, False)
    """
    if length > SHORT_LINE:
        return density >= LONG_LINE_DENSITY and _labelled(lead)
    if density >= MIN_DENSITY and _labelled(lead):
        return True
    return density > 0 and _FOLLOW_ON.match(lead) is not None


def _labelled(lead: str) -> bool:
    """Does a line start with a cross-link, tag, share or credit label, a call to follow the
    site, or an image credit written out?"""
    return (
        _LABEL.match(lead) is not None
        or _SOCIAL.match(lead) is not None
        or _CREDIT.match(lead) is not None
    )


#: Headings (no colon needed) over a list of the site's other articles.  A heading is the
#: whole line, so the words must end it or be followed by what such headings add ("More
#: from <site>", "Most popular in <section>"); "Popular tools for X" is an article's own
#: heading.  "See also" and "Further reading" are left out, as above.
_HEADING = re.compile(
    r"\W*(?:(?:related|recommended|trending|popular|most (?:popular|read|viewed|shared))"
    r"(?: (?:stories|story|articles?|posts?|reading|content|coverage|news|videos?|links|now|today"
    r"|items?|products?"
    r"|for you|on \S.*|in \S.*))?"
    r"|more (?:(?:stories|articles|posts|news|videos) )?(?:from|on|about|in|like) \S.*"
    r"|more (?:stories|articles|posts|news|videos|to read)"
    r"|read (?:more|also|next)(?: \S.*)?|also read|(?:you )?(?:may|might) also like|you may like"
    r"|don'?t miss|must read|editor'?s picks?|latest (?:news|stories|articles|posts|videos)"
    r"|(?:top|recent|other|similar) (?:stories|news|articles|posts)|in other news"
    r"|more by \S.*|what to read next|keep reading|up next"
    r"|(?:promoted|sponsored) (?:stories|content|links)|(?:from|around) the web"
    r"|similar (?:items|products)|frequently bought together|customers (?:who|also) \S.*"
    r"|(?:products |items )?(?:you )?recently viewed(?: (?:items|products))?"
    r"|(?:à )?lire aussi|à lire|sur le même sujet|lesen sie auch|mehr zum thema(?: \S.*)?"
    r"|auch interessant|leer más|lee también|te puede interesar|leia também|leggi anche"
    r"|czytaj też|čtěte také|читайте также|также читайте|相关阅读|相关新闻|関連記事)"
    r"\W*",
    re.IGNORECASE,
)
#: The share of a list's text under such a heading that must be link text ...
MIN_LIST_DENSITY = 0.5
#: ... unless it is a grid of teasers: every item holds a link and at most this many
#: characters of text (an image, a title, a price, "In stock": a product grid's items are
#: mostly text that is not a link).
TEASER_INK = 160


def is_related_heading(lead: str) -> bool:
    """Does a heading whose text starts with ``lead`` announce a list of other articles (or
    products)?

    Only the first 32 characters of a heading are kept (``linkspider.dom.LEAD_CAP``):
    a longer heading is judged by its start.

    >>> [is_related_heading(h) for h in ("Related Stories", "More from Kotaku", "You May Like")]
    [True, True, True]
    >>> [is_related_heading(h) for h in ("Popular tools for logging", "See also", "Related work")]
    [False, False, False]
    >>> is_related_heading("MOST POPULAR"), is_related_heading("Mehr zum Thema Mac OS X")
    (True, True)
    >>> [is_related_heading(h) for h in ("Top Stories", "Recent Posts", "More by Jane Doe")]
    [True, True, True]
    >>> [is_related_heading(h) for h in ("Around the Web", "Promoted Stories", "Up next")]
    [True, True, True]
    >>> [is_related_heading(h) for h in ("Top stories of 2020", "Recent work", "Other")]
    [False, False, False]

    A shop's other products ("Customers who bought this item also bought" is cut to 32
    characters, and still says so):

    >>> shop = ("Recommended items", "Related products", "Customers who bought this item a",
    ...         "Frequently bought together", "Products you recently viewed", "Similar items")
    >>> [is_related_heading(h) for h in shop], is_related_heading("Customers")
    ([True, True, True, True, True, True], False)
    """
    return _HEADING.fullmatch(lead) is not None


#: Headings over a product's (or a place's, a book's...) reviews written by its buyers or
#: users: a kind of comment thread.  A bare "Reviews" is left out: a review site's article has
#: such a section of its own; "Customer reviews", "Ratings & reviews", "3 reviews" or
#: "Reviews (3)" are the readers'.
_REVIEWS = re.compile(
    r"\W*(?:(?:customer|user|guest|member|buyer|reader|verified|product)s?'? "
    r"(?:reviews?|ratings?(?: (?:and|&) reviews?)?)"
    r"|ratings? (?:and|&) reviews?|reviews? (?:and|&) ratings?"
    r"|reviews? \(\d[\d,.]*\)|\d[\d,.]* (?:customer |user |product )?reviews?"
    r"|what (?:our )?customers (?:are )?say(?:ing)?"
    r"|kundenbewertungen|kundenrezensionen|avis (?:des )?clients|opiniones de (?:los )?clientes"
    r"|reseñas de (?:los )?clientes|recensioni (?:dei )?clienti|avaliações de clientes"
    r"|klantbeoordelingen|klantreviews)"
    r"(?: (?:for|of|on|about|from) \S.*|\s*[(\[:|\u2013-].*)?\W*",
    re.IGNORECASE,
)


def is_reviews_heading(lead: str) -> bool:
    """Does a heading whose text starts with ``lead`` announce the reviews of a page's product
    by its buyers or users?

    >>> [is_reviews_heading(h) for h in ("Customer Reviews", "Ratings & Reviews", "3 reviews")]
    [True, True, True]
    >>> [is_reviews_heading(h) for h in ("Reviews (12)", "Avis clients", "Kundenbewertungen")]
    [True, True, True]
    >>> [is_reviews_heading(h) for h in ("Customer reviews for Widget X", "2 reviews: 4.5/5")]
    [True, True]
    >>> [is_reviews_heading(h) for h in ("Reviews", "Our review", "3 reviews you should read")]
    [False, False, False]
    """
    return _REVIEWS.fullmatch(lead) is not None
