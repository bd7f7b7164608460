"""Topic signatures (linkspider.topics) and the main-content text they are built from."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from linkspider import dom, topics
from linkspider.extract import extract

DATA = Path(__file__).parent / "data"
HTML = {"content-type": "text/html; charset=utf-8"}


def auc(positive: list[float], negative: list[float]) -> float:
    """The probability that a random positive scores above a random negative."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def test_a_signature_is_the_heaviest_terms_at_unit_length():
    terms, weights = topics.signature("Kettle kettle KETTLE boils water; the water boils. 42 2026")
    assert terms == ["kettle", "boils", "water"]  # stop words and numbers left out
    assert weights[0] > weights[1] == weights[2]
    assert math.isclose(sum(w * w for w in weights), 1.0, rel_tol=1e-5)
    assert topics.signature("") == ([], [])
    assert topics.signature("the and of 2026") == ([], [])
    assert len(topics.signature(" ".join(f"word{i}" for i in range(500)))[0]) == topics.K


def test_non_latin_scripts():
    cyrillic, _ = topics.signature("Москва — столица России. Москва и Петербург, и это всё.")
    assert cyrillic[:1] == ["москва"] and "и" not in cyrillic and "это" not in cyrillic
    chinese, _ = topics.signature("北京是中国的首都。北京很大。")
    assert chinese[0] == "北京"  # character pairs: the city's name is the heaviest
    thai, _ = topics.signature("ภาษาไทย ภาษาไทย")
    assert "ภา" in thai
    greek, _ = topics.signature("Αθήνα Αθήνα πόλη")
    assert greek[0] == "αθήνα"
    # the same topic in the same script relates, different scripts do not
    a = topics.signature("Москва столица России, Москва большой город")
    b = topics.signature("Москва: новости города и России")
    assert topics.relevance(a, b) > 0.3
    assert topics.relevance(a, topics.signature("Berlin ist die Hauptstadt")) == 0


def test_the_sql_macro_is_the_python_cosine():
    con = duckdb.connect()
    con.execute(topics.SQL_MACRO)
    texts = ["gzip compression level", "compression of data with zlib", "tkinter fonts", ""]
    for x, y in itertools.product(texts, repeat=2):
        a, b = topics.signature(x), topics.signature(y)
        (got,) = con.execute(
            "SELECT topic_similarity($1, $2::FLOAT[], $3, $4::FLOAT[])", [*a, *b]
        ).fetchone()
        assert got == pytest.approx(topics.relevance(a, b), abs=1e-6), (x, y)


def test_the_signature_reads_the_main_content_not_the_menus():
    menu = "".join(f'<li><a href="/{w}">{w} insurance</a></li>' for w in ("car", "home", "pet"))
    article = (
        "<p>" + "The kettle boils water quickly, and a kettle with a thermostat saves energy. " * 8
    )
    html = f"<html><body><nav><ul>{menu * 5}</ul></nav><article>{article}</p></article><footer>insurance insurance insurance</footer></body></html>"
    page = extract(html.encode(), "http://a.test/", HTML)
    assert page.topic_terms[0] == "kettle"
    assert "insurance" not in page.topic_terms
    # without a text block, the whole body
    bare = extract(b"<p>teapot teapot</p>", "http://a.test/", HTML)
    assert bare.topic_terms == ["teapot"]
    failed = extract(b"\x00\x01binary", "http://a.test/", {"content-type": "image/png"})
    assert failed.topic_terms == [] and failed.topic_weights == []


@pytest.mark.skipif(dom.BACKEND != "c", reason="compares the C walk with the Python one")
def test_visible_text_in_c_equals_python_on_real_pages():
    pages = sorted((DATA / "readability-dev").glob("*/source.html"))
    assert len(pages) >= 60
    for path in pages:
        tree = LexborHTMLParser(path.read_bytes())
        table = dom.element_table(tree)
        n = len(table.tag)
        picks = [[0], [2], [n // 3]]
        if table.end[n // 3] <= n // 2:
            picks.append([n // 3, n // 2])
        for indices in picks:
            for cap in (40, 41, 42, 43, 12_000):
                c = dom._dom.visible_text(tree.root, indices, cap)
                python = dom.python_visible_text(tree.root, indices, cap)
                assert c == python, (path.parent.name, indices, cap)
                assert len(c.encode()) <= cap


def test_relevance_separates_python_doc_chapters():
    """Real text: pages of one chapter of the Python library reference (text processing,
    compression, cryptography, Unix, Tk ...) against pages of different chapters."""
    chapters = json.loads((DATA / "python-docs" / "chapters.json").read_text())
    chapter_of = {page: name for name, pages in chapters.items() for page in pages}
    signature = {}
    for page in chapter_of:
        body = (DATA / "python-docs" / page).read_bytes()
        result = extract(body, f"https://docs.python.org/3.11/{page}", HTML)
        signature[page] = (result.topic_terms, result.topic_weights)
        assert len(result.topic_terms) == topics.K, page
    same, different = [], []
    for a, b in itertools.combinations(chapter_of, 2):
        relevance = topics.relevance(signature[a], signature[b])
        (same if chapter_of[a] == chapter_of[b] else different).append(relevance)
    # measured 0.84 (63 same-chapter pairs against 840 others)
    assert auc(same, different) >= 0.8
    zlib = signature["library/zlib.html"][0]
    assert "compression" in zlib[:3] and "zlib" in zlib[:5]


@pytest.mark.skipif(dom.BACKEND != "c", reason="compares the C walk with the Python one")
def test_visible_text_leaves_out_what_is_not_rendered():
    tree = LexborHTMLParser(
        "<div><p>shown</p><p hidden>attribute</p><p style='display:none'>style</p>"
        "<p aria-hidden='true'>aria</p><p aria-hidden='true' class='fallback-image'>fallback</p></div>"
    )
    div = dom.element_table(tree).tag.index("div")
    for text in (
        dom._dom.visible_text(tree.root, [div], 1000),
        dom.python_visible_text(tree.root, [div], 1000),
    ):
        assert text.split() == ["shown", "fallback"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(list("ab Zé_9-'\u2019.,«» \u00a0\t\n©·")),
            st.characters(),
            st.sampled_from(["wheel ", "The ", "2026 ", "wheel_2"]),
        )
    ).map("".join)
)
def test_term_counts_is_counting_the_terms(text):
    """The signature's fast tokenizers (C, and Python's without the C module) count exactly
    the terms terms_of() finds."""
    expected = Counter(topics.terms_of(text))
    assert topics.term_counts(text) == expected
    assert topics.python_term_counts(text) == expected
    assert_top_terms_are_the_heaviest(text)


def assert_top_terms_are_the_heaviest(text: str) -> None:
    """The C ranking the signature uses (``_dom.top_terms``) is ``heaviest`` of the counts,
    for any ``k``, or hands a text of a script written without spaces back (None)."""
    for k in (0, 1, 2, 3, 32, 10_000):
        top = topics._c_top_terms(text.lower(), topics.STOP_WORDS, k)
        if top is None:
            assert topics._c_term_counts(text.lower(), topics.STOP_WORDS) is None
        else:
            assert top == topics.heaviest(Counter(topics.terms_of(text)), k), (k, text[:40])


def test_term_counts_on_real_pages_and_odd_text():
    texts = [
        LexborHTMLParser(page.read_bytes()).body.text()
        for page in sorted((DATA / "readability-dev").glob("*/source.html"))[:20]
    ]
    texts += [
        "ab\ud800cd wheel",
        "東京 the wheel\u2019s",
        "x\u3001y 中文 ab",
        "ÀB ﬁne ǅx",
        "İstanbul ΣΑΣ",
    ]
    texts += [
        "x\u0e3fy ab",  # a Thai currency sign (not a word character) between words
        "\u00b2\u00b3 \u0663\u0664 ab\u00b2 \u2460\u2461 _1 __ a_",  # digits of other kinds
        "the der und \u00e9t\u00e9 THE Der",  # stop words, in any case
    ]
    texts += [
        "b a c b a c d d d e e e f",  # ties at the k-th count, and terms before them
        " ".join(f"t{i % 97}x{i % 13}" for i in range(5000)),  # many distinct terms
        "the the the of of and wheel",  # stop words the most frequent
    ]
    assert topics._c_term_counts is not None  # the C module is built (setup.py), and used
    assert topics._c_top_terms is not None
    for text in texts:
        expected = Counter(topics.terms_of(text))
        assert topics.term_counts(text) == expected, text[:40]
        assert topics.python_term_counts(text) == expected, text[:40]
        assert_top_terms_are_the_heaviest(text)
    # the signature reads the C ranking, and equals the one made in Python
    for text in texts:
        c = topics.signature(text)
        top = topics.heaviest(Counter(topics.terms_of(text)), topics.K)
        assert c[0] == [term for term, _ in top], text[:40]
