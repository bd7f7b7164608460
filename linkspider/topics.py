"""A page's topic signature, and the topical relevance of two pages.

The signature is computed in the extraction's one parse from the page's main
content (the text of the block the region model calls ``main``; the whole body
when the page has none): its ``K`` most frequent terms, each weighted
``1 + ln(count)``, the weights scaled to unit length.  Terms are lowercase
words of letters and digits, stop words of the most common
languages and pure numbers left out; text in scripts written without spaces
(Chinese, Japanese kana, Thai) gives overlapping character pairs, the usual
unit of CJK retrieval.  ``pages.topic_terms`` and ``pages.topic_weights`` hold it.

Relevance is the cosine of two signatures: the sum, over their common terms, of
the product of the weights; 0 (nothing shared) to 1 (the same top terms in the
same proportions).

>>> terms, weights = signature("Python packaging: wheels, packaging tools and the Python index.")
>>> terms[:3]
['packaging', 'python', 'index']
>>> round(relevance((terms, weights), signature("Packaging Python projects with wheels")), 2)
0.74
>>> relevance((terms, weights), signature("Рецепт борща: свёкла, капуста и картофель"))
0.0
>>> signature("東京の天気")[0]
['の天', '京の', '天気', '東京']
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from operator import itemgetter

try:
    from linkspider._dom import term_counts as _c_term_counts
    from linkspider._dom import top_terms as _c_top_terms
except ImportError:  # the C module is optional (setup.py)
    _c_term_counts = _c_top_terms = None

#: terms kept per page
K = 32
#: bytes of main-content text read per page (UTF-8): about two thousand words, where a
#: page says what it is about (tokenizing is most of the signature's cost)
TEXT_BYTES = 12_000

# Scripts written without spaces between words: character pairs.
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_UNSPACED}]+|[^\\W_{_UNSPACED}]+")
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")

# Function words of English, German, French, Spanish, Italian, Portuguese, Dutch and
# Russian (a short list: words that say nothing of a topic in any text).
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself also may might must shall one two new get got us via per etc
    der die das und ist nicht ein eine einer eines einem einen den dem des mit von zu im
    auf für sich auch als an bei aus nach wie war wird sind oder aber noch nur so es er
    sie wir ihr ich du man kann hat haben werden wurde um am zum zur vom dass über
    le la les un une des et est en du dans pour pas que qui sur au aux avec ce cette ces
    il elle ils nous vous je ne se sont par plus ou mais son sa ses leur été être
    el los las del y por con para una es lo al se su sus como más pero sin sobre este esta
    il lo gli di da che non per sono è nel della dei delle alla con una uno
    o os as do da dos das em no na nos nas um uma com não por para que ao se
    de het een en van is dat op te zijn voor met niet aan er ook als bij
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
    только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если
    уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей
    может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз
    тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом
    один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец
    два об другой хоть после над больше тот через эти нас про всего них какая много разве
    это эта
    """.split()  # noqa: RUF001, SIM905
)


_WORD = re.compile(r"\w\w+")
#: ASCII punctuation and symbols (not ``_``, which ``\w`` counts as a word character) as
#: spaces, over UTF-8 bytes (non-ASCII bytes are left alone).  Splitting on them and on
#: whitespace leaves tokens that are words (``isalnum()``) or hold other non-word characters
#: (typographic quotes, dashes...): only those go through ``_WORD`` (see :func:`term_counts`).
_PUNCTUATION = string.punctuation.replace("_", "").encode()
_NOT_WORD = bytes.maketrans(_PUNCTUATION, b" " * len(_PUNCTUATION))


def terms_of(text: str) -> list[str]:
    """The terms of ``text``, in order.

    >>> terms_of("The Wheel's 2 new API-docs; Москва, Café 2026")
    ['wheel', 'api', 'docs', 'москва', 'café']
    >>> terms_of("中文分词 and 東京")
    ['中文', '文分', '分词', '東京']
    """
    folded = text.lower()
    if _HAS_UNSPACED.search(folded) is None:  # the common case: one regex pass
        return [t for t in _WORD.findall(folded) if t not in STOP_WORDS and not t.isdigit()]
    out = []
    for token in _TOKEN.findall(folded):
        if _HAS_UNSPACED.match(token):
            if len(token) == 1:
                out.append(token)
            else:
                out.extend(token[i : i + 2] for i in range(len(token) - 1))
        elif len(token) > 1 and token not in STOP_WORDS and not token.isdigit():
            out.append(token)
    return out


def term_counts(text: str) -> Counter[str]:
    """How often each term of ``text`` occurs: ``Counter(terms_of(text))``, counted in one
    C pass (``linkspider._dom.term_counts``: a term is a maximal run of ``\\w`` characters
    of at least two, not all digits nor a stop word) unless the text has a script written
    without spaces; :func:`python_term_counts` without the C module.

    >>> term_counts("The wheel's wheel_2, the (wheel) 2026 — «roue»") == Counter(terms_of(
    ...     "The wheel's wheel_2, the (wheel) 2026 — «roue»"))
    True
    """
    if _c_term_counts is None:
        return python_term_counts(text)
    counts = _c_term_counts(text.lower(), STOP_WORDS)
    return Counter(terms_of(text)) if counts is None else Counter(counts)


def python_term_counts(text: str) -> Counter[str]:
    """:func:`term_counts` in Python: by splitting rather than by regular expressions over
    the whole text (used when the C module is not built).

    >>> python_term_counts("The wheel's wheel_2, the (wheel) 2026 — «roue»") == Counter(terms_of(
    ...     "The wheel's wheel_2, the (wheel) 2026 — «roue»"))
    True
    """
    folded = text.lower()
    words = folded.encode("utf-8", "surrogatepass").translate(_NOT_WORD)
    counts = Counter(words.decode("utf-8", "surrogatepass").split())
    if not folded.isascii() and _HAS_UNSPACED.search(
        " ".join([token for token in counts if not token.isascii()])
    ):
        return Counter(terms_of(text))  # a script written without spaces: character pairs
    for word in STOP_WORDS.intersection(counts):
        del counts[word]
    odd = [t for t in counts if len(t) < 2 or not t.isalnum() or t.isdigit()]
    for token in odd:
        count = counts.pop(token)
        if not token.isalnum():  # other non-word characters inside (or an underscore)
            for word in _WORD.findall(token):
                if word not in STOP_WORDS and not word.isdigit():
                    counts[word] += count
    return counts


def signature(text: str, k: int = K) -> tuple[list[str], list[float]]:
    """The ``k`` heaviest terms of ``text`` (by count, then alphabetically) and their
    weights ``1 + ln(count)`` scaled to unit length; ``([], [])`` without terms."""
    if _c_top_terms is None:
        top = heaviest(term_counts(text), k)
    else:
        top = _c_top_terms(text.lower(), STOP_WORDS, k)
        if top is None:  # a script written without spaces: character pairs
            top = heaviest(Counter(terms_of(text)), k)
    weights = [1.0 + math.log(count) for _, count in top]
    norm = math.sqrt(sum(w * w for w in weights)) or 1.0
    return [term for term, _ in top], [round(w / norm, 6) for w in weights]


def heaviest(counts: Counter[str], k: int) -> list[tuple[str, int]]:
    """The ``k`` most frequent terms and their counts, ties in alphabetical order.

    Sorted by C-level keys, after leaving out the terms below the ``k``-th count (a
    Python key per term, as ``heapq.nsmallest`` takes, cost more than the sort).

    >>> heaviest(Counter({"b": 2, "a": 2, "c": 3, "d": 1}), 3)
    [('c', 3), ('a', 2), ('b', 2)]
    """
    if len(counts) > k:
        floor = sorted(counts.values(), reverse=True)[k - 1] if k > 0 else math.inf
        items = sorted([item for item in counts.items() if item[1] >= floor])
    else:
        items = sorted(counts.items())
    items.sort(key=itemgetter(1), reverse=True)  # stable: ties stay alphabetical
    return items[:k]


def relevance(a: tuple[list[str], list[float]], b: tuple[list[str], list[float]]) -> float:
    """The cosine of two signatures, in [0, 1] (what the ``topic_similarity`` SQL macro
    computes)."""
    weights = dict(zip(*b, strict=True))
    return min(1.0, sum(w * weights.get(term, 0.0) for term, w in zip(*a, strict=True)))


#: The same cosine in DuckDB, over ``pages.topic_terms`` / ``topic_weights`` lists.
SQL_MACRO = """CREATE OR REPLACE MACRO topic_similarity(terms_a, weights_a, terms_b, weights_b) AS
least(1.0, coalesce(list_sum(list_transform(range(1, len(terms_a) + 1),
    lambda i: weights_a[i] * coalesce(weights_b[list_position(terms_b, terms_a[i])], 0))), 0))"""
