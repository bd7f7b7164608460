"""Purchase calls: link text that offers the reader a product ("$348 at Amazon", "Buy
now", "Check price", "Add to cart").

Reviews, buying guides and deal posts put product boxes inside the article: an image,
the product's name, a line about it and one or more buttons to shops.  Readability
cleans them away (they are short and mostly link text); readers, and the annotators of
article benchmarks, keep them as part of the article.  A button is recognised by its
text, the way a reader recognises it: a price, or a verb of buying with what it buys.

>>> [is_purchase_call(t) for t in ("$348 at Amazon", "£29.99", "From $19", "19,99 €")]
[True, True, True, True]
>>> [is_purchase_call(t) for t in ("Buy now", "Shop now at Target", "Check price", "View deal")]
[True, True, True, True]
>>> [is_purchase_call(t) for t in ("Add to cart", "See it at Best Buy", "Zum Angebot", "Voir le prix")]
[True, True, True, True]
>>> [is_purchase_call(t) for t in ("View on GitHub", "Shop", "Check out our guide", "See the study")]
[False, False, False, False]
>>> is_purchase_call("The 2019 report"), is_purchase_call("Buy " + "x" * 60)
(False, False)
"""

from __future__ import annotations

import re

__all__ = ["MAX_LENGTH", "is_purchase_call"]

#: A purchase call is a button: link texts longer than this are something else.
MAX_LENGTH = 48

_CALL = re.compile(
    r"\W*(?:"  # what follows the leading punctuation of a button ("» Buy now")
    # a price, alone or with where it is paid ("$348 at Amazon", "From $19", "US$ 20", "19,99 €")
    r"(?:(?:from|only|now|just|was|ab|dès|desde|da)\s+)?"
    r"(?:(?:us|au|ca|nz)?[$£€¥₹]|usd|eur|gbp|rs\.)\s?\d"
    r"|\d[\d.,]*\s?(?:€|\$|£|eur\b|usd\b|gbp\b|zł|kr\b)"
    # a verb of buying and what it buys, or where ("Buy now", "Shop now at Target", "Buy on
    # Amazon", "Pre-order"): "Shop" alone is a site's section
    r"|(?:buy|pre-?order)(?:\s|$)"
    r"|(?:shop|order)\s+(?:now|online|here|it|this|today|(?:at|on|from)\s+\S)"
    # looking at an offer ("Check price", "View deal", "See it at Best Buy", "Compare prices")
    r"|(?:check|see|view|compare|get|grab|find)\s+(?:(?:it|the|this|latest|today'?s|best)\s+)?"
    r"(?:prices?|deals?|offers?|availability|at\s+\S)"
    r"|add\s+to\s+(?:cart|basket|bag|trolley)"
    # the same in the other languages of the test pages
    r"|(?:(?:jetzt|bei\s+\S+)\s+)?kaufen|zum\s+(?:angebot|shop)|acheter|commander"
    r"|voir\s+(?:l'offre|le\s+prix|les\s+prix)|comprar|ver\s+(?:precio|oferta)"
    r"|acquista|compra\s+(?:ora|su)|vedi\s+offerta"
    r")",
    re.IGNORECASE,
)


def is_purchase_call(text: str) -> bool:
    """Does a link whose text is ``text`` offer a product to buy (a shop button)?"""
    return len(text) <= MAX_LENGTH and _CALL.match(text) is not None
