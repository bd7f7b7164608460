"""URLs and encodings as a browser resolves them: Chromium and the standards as the oracle.

Every page is served by a loopback test web and read twice: by linkspider's
``extract()`` and by a real Chromium (scripts off, see tests/chromium.py).  The
links must agree, and where a case has a known answer (the HTML and URL
standards' cases), both must give it.
"""

from __future__ import annotations

import html
import json

import pytest

from linkspider.encoding import encoding_for_label, sniff
from linkspider.extract import _fragment_only, extract
from tests.chromium import Chromium, require_browser
from tests.conftest import DATA
from tests.webserver import LocalWeb, Resource

HOST = "oracle.test"
DOM_LINKS = ("text", "image", "area")


@pytest.fixture(scope="module")
def oracle():
    require_browser()
    sites: dict[str, dict[str, Resource]] = {HOST: {}}
    with LocalWeb(sites) as web, Chromium(web) as browser:
        yield Oracle(sites[HOST], browser)


class Oracle:
    """Serve a page, read it with linkspider and with Chromium."""

    def __init__(self, pages: dict[str, Resource], browser: Chromium) -> None:
        self.pages = pages
        self.browser = browser
        self.count = 0

    def both(
        self,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        path: str | None = None,
        **headers: str,
    ):
        self.count += 1
        path = path or f"/p{self.count}"
        all_headers = {**({"Content-Type": content_type} if content_type else {}), **headers}
        self.pages[path] = Resource(body, 200, all_headers)
        url = f"http://{HOST}{path}"
        ours = extract(body, url, all_headers, strict=True)
        theirs = self.browser.read(url)
        return ours, theirs, url


def ours_links(page) -> list[tuple[str, str]]:
    return [(e.target_url, e.target_fragment) for e in page.edges if e.link_type in DOM_LINKS]


def chromium_links(result: dict, url: str) -> list[tuple[str, str]]:
    """Chromium's links as edges: http(s) only, a link to the page itself written as
    an empty or fragment-only href is none (linkspider's definition of an edge)."""
    out = []
    for attribute, resolved in result["links"]:
        if resolved is None or not resolved.startswith(("http://", "https://")):
            continue
        target, _, fragment = resolved.partition("#")
        if target == url and _fragment_only(attribute):
            continue
        out.append((target, fragment))
    return out


# -- the cases of issue 10, each with the answer Chromium 156 gave ------------------------

QUERY_CASES = [
    # (body, charset, the one link's URL as Chromium resolves it)
    ('<a href="?c=\u20ac">x</a>', "iso-8859-15", "?c=%A4"),
    ('<a href="?price=\u00a332&\u00b5=unit">x</a>', "latin-1", "?price=%A332&%B5=unit"),
    ('<a href="?q=\u65e5\u672c">x</a>', "shift_jis", "?q=%93%FA%96{"),
    ('<a href="?x=&#9731;">x</a>', "windows-1252", "?x=%26%239731%3B"),
    ('<a href="/\u00e9/?q=\u00e9#\u00e9">x</a>', "windows-1251", None),  # path, fragment: UTF-8
    ('<a href="?q=\u00e9">x</a>', "utf-16le", "?q=%C3%A9"),  # UTF-16 documents: UTF-8 queries
]


@pytest.mark.parametrize(("markup", "charset", "query"), QUERY_CASES)
def test_queries_are_encoded_in_the_document_encoding(oracle, markup, charset, query):
    python_codec = {"latin-1": "cp1252", "utf-16le": "utf-16-le"}.get(charset, charset)
    body = markup.encode(python_codec, "xmlcharrefreplace")
    ours, theirs, url = oracle.both(body, f"text/html; charset={charset}")
    assert ours_links(ours) == chromium_links(theirs, url)
    if query is not None:
        assert ours_links(ours) == [(url + query, "")]


ENCODING_CASES = [
    # (body, Content-Type, the encoding: as Chromium names it, lowercased)
    (b'<meta charset="utf-16"><a href="/u">\xc3\xa9</a>', "text/html", "utf-8"),
    (b'<!doctype html><meta charset="UTF-16BE"><a href="/u">u</a>', None, "utf-8"),
    ("<a href='/le'>\u00e9</a>".encode("utf-16-le"), "text/html; charset=utf-16", "utf-16le"),
    ("<a href='/le'>\u00e9</a>".encode("utf-16-le"), "text/html; charset=unicode", "utf-16le"),
    (
        b"<html><head><script>" + b"var x = '<meta charset=koi8-u>';" * 200 + b"</script>"
        b'<meta charset="koi8-r"></head><body><a href="/k">\xf0\xd2\xc9\xd7\xc5\xd4</a>',
        "text/html",
        "koi8-r",
    ),
    (b'<meta charset="x-bogus"><meta charset="iso-8859-2"><a href="/l2">\xb1</a>', "text/html", "iso-8859-2"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=euc-jp"><a href="/j">j</a>', "text/html", "euc-jp"),
    (b'<meta content="text/html; charset=euc-jp"><a href="/j">j</a>', "text/html", "windows-1252"),
    (b'<a href="/plain">caf\xc3\xa9</a>', "text/html", "windows-1252"),  # undeclared UTF-8 bytes
    (b"\xef\xbb\xbf<a href='/bom'>b</a>", "text/html; charset=windows-1252", "utf-8"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "content_type", "encoding"), ENCODING_CASES)
def test_encoding_is_decided_as_chromium_decides(oracle, body, content_type, encoding):
    ours, theirs, url = oracle.both(body, content_type)
    assert theirs["charset"].lower() == encoding
    assert ours.encoding == encoding
    assert ours.error is None
    assert ours_links(ours) == chromium_links(theirs, url)
    assert len(ours_links(ours)) == 1


BASE_CASES = [
    # (markup, the links as (path or absolute URL, fragment) relative to the page)
    ('<base href="javascript:alert(1)"><a href="x">x</a>', [("/base/x", "")]),
    ('<base href=" DATA:text/html,hi"><a href="x">x</a>', [("/base/x", "")]),
    ('<svg><base href="http://evil.test/"></svg><a href="x">x</a>', [("/base/x", "")]),
    ('<math><base href="http://evil.test/"></math><a href="x">x</a>', [("/base/x", "")]),
    ('<svg><foreignObject><base href="http://fo.test/d/"></foreignObject></svg><a href="x">x</a>', [("http://fo.test/d/x", "")]),
    ('<base href="http://other.test/doc"><a href="#sec">s</a><a href="">e</a>', [("http://other.test/doc", "sec"), ("http://other.test/doc", "")]),
    ('<a href="#top">t</a><a href="">e</a><a href=" #x">w</a><a href="page#y">self</a>', [("/base/page", "y")]),
    ('<base href="/dir/"><a href="#f">f</a>', [("/dir/", "f")]),
    ('<a href="x">x</a><base href="/late/"><base href="/second/">', [("/late/x", "")]),
    ('<svg><a href="/svg-link">s</a><a xlink:href="/xlink">x</a></svg><a xlink:href="/not">n</a>', [("/svg-link", ""), ("/xlink", "")]),
]  # fmt: skip


@pytest.mark.parametrize(("markup", "expected"), BASE_CASES)
def test_base_and_same_document_links_as_chromium_resolves_them(oracle, markup, expected):
    ours, theirs, url = oracle.both(markup.encode(), path="/base/page")
    absolute = [(t if "://" in t else f"http://{HOST}{t}", f) for t, f in expected]
    assert ours_links(ours) == chromium_links(theirs, url) == absolute


def test_a_stray_nul_does_not_make_a_page_binary(oracle):
    ours, theirs, url = oracle.both(b'<p>a stray \x00 NUL</p><a href="/nul">x</a>', "text/html")
    assert ours.error is None
    assert ours_links(ours) == chromium_links(theirs, url) == [(f"http://{HOST}/nul", "")]


def test_a_body_without_content_type_is_sniffed_as_chromium_sniffs_it(oracle):
    ours, theirs, _ = oracle.both(b'<meta charset="utf-8"><a href="/x">x</a>', None)
    assert theirs["links"] == [] and ours.edges == []
    assert ours.error == "not HTML (text/plain, sniffed: no Content-Type)"
    ours, theirs, url = oracle.both(b'\n <P><a href="/x">x</a>', None)
    assert ours_links(ours) == chromium_links(theirs, url) == [(f"http://{HOST}/x", "")]


def test_svg_title_is_not_the_page_title(oracle):
    ours, theirs, _ = oracle.both(
        b"<svg><title>icon</title></svg><title>Page</title><a href=/x>x</a>"
    )
    assert ours.title == theirs["title"] == "Page"
    ours, theirs, _ = oracle.both(b"<body><svg><title>icon only</title></svg><a href=/x>x</a>")
    assert ours.title is None and theirs["title"] == ""


@pytest.mark.parametrize(
    "body",
    [b"<a href=/x>\xe8\xaf<b>\xbd</b></a>",  # a sequence one text node leaves unfinished
     b"<a href=/x>\xf0\x9f<i>\x98\x80</i> and \xf0\x9f\x98\x80</a>",
     b"<p>\xe8<a href=/x>\xaf<b>s</b>\xe8</a>\xaf</p>",
     b"<a href=/x>\xed\xa0<b>\x80</b>\xc3</a><a href=/y>\xa9</a>"],
)  # fmt: skip
def test_invalid_utf8_in_link_text_reads_as_chromium_decodes_it(oracle, body):
    """Lexbor keeps invalid UTF-8 as sent; Chromium decodes the bytes before it tokenizes, so
    no text node finishes a sequence the one before it left unfinished."""
    ours, theirs, _ = oracle.both(body)
    assert [e.anchor_text for e in ours.edges] == [" ".join(t.split()) for t in theirs["texts"]]


# -- the URL standard's cases, through real pages --------------------------------------------


def url_cases() -> list[dict]:
    cases = json.loads((DATA / "whatwg-url" / "urltestdata.json").read_text(encoding="utf-8"))
    return [
        c
        for c in cases
        if isinstance(c, dict) and (c.get("base") or "").startswith(("http:", "https:"))
    ]


def standard_links(case: dict) -> list[tuple[str, str]]:
    """The edge the URL standard gives a case (none for a failure or a non-http(s) URL)."""
    if case.get("failure") or not case["href"].startswith(("http:", "https:")):
        return []
    target, _, fragment = case["href"].partition("#")
    return [(target, fragment)]


def test_whatwg_url_cases_through_pages_resolve_as_chromium_does(oracle):
    """``<base href=BASE><a href=INPUT>`` per case: linkspider's edge is the standard's, and
    Chromium's wherever Chromium follows the standard.

    (Chromium departs from the standard in 7 of these cases: it accepts hosts with spaces,
    full-width or percent-encoded characters that the standard rejects.  linkspider keeps to
    the standard there: such a host cannot be looked up anyway.)
    """
    cases = url_cases()
    assert len(cases) > 150
    differs, chromium_departs = [], []
    for case in cases:
        markup = (
            f'<!doctype html><meta charset="utf-8"><base href="{html.escape(case["base"])}">'
            f'<a href="{html.escape(case["input"])}">x</a>'
        )
        ours, theirs, url = oracle.both(markup.encode("utf-8", "surrogatepass"))
        standard = standard_links(case)
        assert ours_links(ours) == standard, case
        if chromium_links(theirs, url) != standard:
            chromium_departs.append(case["input"])
        elif ours_links(ours) != chromium_links(theirs, url):
            differs.append(case["input"])
    print(
        f"WHATWG cases through pages: linkspider = standard in {len(cases)}/{len(cases)}; "
        f"Chromium departs from the standard in {len(chromium_departs)}; linkspider differs "
        f"from Chromium where it follows the standard in {len(differs)}"
    )
    assert differs == []
    assert len(chromium_departs) <= 0.05 * len(cases), chromium_departs


# -- html5lib-tests' encoding cases ------------------------------------------------------------


def html5lib_cases() -> list[tuple[str, bytes, str]]:
    cases = []
    for path in sorted((DATA / "html5lib-encoding").glob("*.dat")):
        for n, chunk in enumerate(path.read_bytes().split(b"#data\n")[1:]):
            data, _, expected = chunk.partition(b"#encoding\n")
            cases.append((f"{path.stem}-{n}", data[:-1], expected.split(b"\n")[0].decode()))
    return cases


def test_html5lib_encoding_cases_agree_with_chromium_and_the_standard(oracle):
    cases = html5lib_cases()
    assert len(cases) == 83
    table = []
    for name, data, expected in cases:
        ours, theirs, _ = oracle.both(data, "text/html")
        standard = encoding_for_label(expected)
        table.append((name, standard, theirs["charset"].lower(), ours.encoding))
        assert sniff(data, "text/html")[0] == ours.encoding
    follows = [row for row in table if row[2] == row[1]]
    print(
        f"html5lib encoding: Chromium follows the standard in {len(follows)}/{len(table)}; "
        f"linkspider agrees with the standard in {sum(r[3] == r[1] for r in table)}, "
        f"with Chromium in {sum(r[3] == r[2] for r in table)}"
    )
    assert [row for row in follows if row[3] != row[1]] == []


# -- Scrapy's link-extractor sample pages -------------------------------------------------------


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (DATA / "scrapy-link-extractor").glob("*.html"))
)
def test_scrapy_link_extractor_pages_agree_with_chromium(oracle, name):
    body = (DATA / "scrapy-link-extractor" / name).read_bytes()
    ours, theirs, url = oracle.both(body, "text/html")
    assert ours.encoding == theirs["charset"].lower()
    assert ours.title == (theirs["title"] or None)
    assert ours_links(ours) == chromium_links(theirs, url)
    assert ours_links(ours)
