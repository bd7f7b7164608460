"""Region of every link on synthetic pages of each markup style: must be 100% right."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from linkspider.dom import element_table
from linkspider.extract import extract
from linkspider.regions import classify_links

PARA = (
    "This is a paragraph of real article text, long enough to count, with commas, clauses and words. "
    * 3
)


def regions(body: str) -> dict[str, str]:
    page = extract(
        body.encode(), "http://site.test/article", {"Content-Type": "text/html; charset=utf-8"}
    )
    return {e.anchor_text: e.region for e in page.edges if e.link_type in ("text", "image")}


HTML5 = f"""<html><body>
<header><a href="/">Logo</a><nav><a href="/news">News</a><a href="/sport">Sport</a></nav></header>
<main><article><h1>Title</h1>
<p>{PARA}<a href="http://source.org/study">the study</a> {PARA}</p>
<p>{PARA}<a href="http://other.org/report">a report</a>.</p>
<aside><a href="/related-1">Related one</a></aside>
<footer><a href="/tag/x">tag x</a></footer>
</article></main>
<aside><a href="/popular">Popular</a></aside>
<footer><a href="/privacy">Privacy</a></footer></body></html>"""

WORDPRESS = f"""<html><body><div id="page">
<div id="masthead" class="site-header"><a href="/">Blog</a>
<div class="main-navigation menu"><a href="/about">About</a></div></div>
<div id="content" class="site-content"><div id="primary" class="content-area">
<div class="entry-content"><p>{PARA}<a href="http://cited.org/">cited work</a> {PARA}</p><p>{PARA}</p>
<div class="sharedaddy sd-sharing"><a href="http://twitter.com/share">Tweet</a></div></div>
<div id="comments" class="comments-area"><ol class="commentlist"><li class="comment">
<p>Great post, thanks, really, I mean it, this is a long enough comment.</p>
<a href="http://commenter.org/" rel="external nofollow ugc">commenter</a></li></ol></div>
</div><div id="secondary" class="widget-area sidebar"><div class="widget"><a href="/cat">Category</a></div></div>
</div><div id="colophon" class="site-footer"><a href="http://wordpress.org/">Powered</a></div>
</div></body></html>"""

ARIA = f"""<html><body>
<div role="banner"><a href="/">Home</a></div>
<div role="navigation"><a href="/a">Section A</a></div>
<div role="main"><p>{PARA}<a href="http://ref.org/">reference</a> {PARA}</p><p>{PARA}</p></div>
<div role="complementary"><a href="/more">More</a></div>
<div role="contentinfo"><a href="/terms">Terms</a></div></body></html>"""

TABLES = f"""<html><body><table width="100%"><tr>
<td class="navbar" width="150"><a href="/">Home</a><br><a href="/links">Links</a></td>
<td><p>{PARA}<a href="http://elsewhere.org/">elsewhere</a> {PARA}</p><p>{PARA}</p></td></tr>
<tr><td colspan="2" class="footer"><a href="mailto:x@y.z">mail</a><a href="/copyright">Copyright</a></td></tr>
</table></body></html>"""

COMMENTS = f"""<html><body><article><div class="post-body"><p>{PARA}<a href="http://a.org/">article link</a> {PARA}</p></div>
<section id="disqus_thread"><div class="post"><a href="http://spam.org/">spammy comment link</a><p>nice</p></div></section>
</article></body></html>"""

CASES = {
    "html5": (
        HTML5,
        {
            "Logo": "header",
            "News": "nav",
            "Sport": "nav",
            "the study": "main",
            "a report": "main",
            "Related one": "aside",
            "tag x": "footer",
            "Popular": "aside",
            "Privacy": "footer",
        },
    ),
    "wordpress": (
        WORDPRESS,
        {
            "Blog": "header",
            "About": "nav",
            "cited work": "main",
            "Tweet": "aside",
            "commenter": "comment",
            "Category": "aside",
            "Powered": "footer",
        },
    ),
    "aria": (
        ARIA,
        {
            "Home": "header",
            "Section A": "nav",
            "reference": "main",
            "More": "aside",
            "Terms": "footer",
        },
    ),
    "tables": (TABLES, {"Home": "nav", "Links": "nav", "elsewhere": "main", "Copyright": "footer"}),
    "comments": (COMMENTS, {"article link": "main", "spammy comment link": "comment"}),
}


@pytest.mark.parametrize("style", list(CASES))
def test_markup_style(style):
    body, expected = CASES[style]
    assert regions(body) == expected


def test_region_columns_are_in_range():
    page = extract(WORDPRESS.encode(), "http://site.test/", {"Content-Type": "text/html"})
    for edge in page.edges:
        assert edge.region in ("header", "nav", "main", "aside", "footer", "comment", "body")
        assert 0.0 <= edge.region_score <= 1.0
        assert edge.link_density is None or 0.0 <= edge.link_density <= 1.0
    redirect = extract(b"", "http://site.test/a", {"Location": "/b"}, status=301).edges[0]
    assert (redirect.link_type, redirect.region, redirect.region_score) == ("redirect", "meta", 1.0)


def test_related_list_inside_the_article_is_not_main():
    body = f"""<html><body><article><p>{PARA}<a href="http://in.org/">inline</a> {PARA}</p><p>{PARA}</p>
    <div class="related-posts"><ul><li><a href="/r1">Read more one</a></li><li><a href="/r2">Read more two</a></li>
    <li><a href="/r3">Read more three</a></li></ul></div></article></body></html>"""
    got = regions(body)
    assert got["inline"] == "main"
    assert {got["Read more one"], got["Read more two"], got["Read more three"]} == {"aside"}


def test_plain_reference_list_inside_the_article_stays_main():
    body = f"""<html><body><article><p>{PARA}</p><p>{PARA}</p><h2>Sources</h2>
    <ul><li><a href="http://s1.org/">First source</a>, a paper on the subject, and why it matters.</li>
    <li><a href="http://s2.org/">Second source</a>, the data set, with a long description.</li></ul>
    </article></body></html>"""
    got = regions(body)
    assert got == {"First source": "main", "Second source": "main"}


def test_div_paragraphs_whose_text_is_mostly_inline_elements():
    """Readability wraps a div's runs of phrasing content (text, <b>, <a>, <span>...) into
    paragraphs: text inside inline elements counts, so such an article beats a wordy sidebar."""
    words = "<b>Bold words, more words,</b> <em>emphasis, and meaning,</em> <span>a span, of text,</span> "
    story = "".join(
        f'<div class="c">{words * 3}<a href="/cite{i}">citation {i}</a> {words * 2}</div>'
        for i in range(4)
    )
    body = f"""<html><body><div id="a">{story}</div>
    <div id="b"><p>{PARA}</p><a href="/side">side link</a></div></body></html>"""
    got = regions(body)
    assert {got[f"citation {i}"] for i in range(4)} == {"main"}
    assert got["side link"] != "main"


def classify(body: str) -> list[tuple[str, str]]:
    """``(anchor text, region)`` of every link element, from the region model alone."""
    table = element_table(LexborHTMLParser(body))
    refs = [ref for ref in table.refs if ref[1] in ("a", "area") and ref[2] is not None]
    answers = classify_links(table, [ref[0] for ref in refs])
    return [(ref[9], region) for ref, (region, _, _) in zip(refs, answers, strict=True)]


def test_classify_links_answers_each_link_as_extract_records_it():
    for body, expected in CASES.values():
        got = classify(body)
        assert len(got) >= len(expected)
        assert {anchor: region for anchor, region in got if anchor in expected} == expected


def test_no_text_block_lets_the_markup_decide():
    body = '<body><nav><a href="/a">a</a></nav><main><a href="/b">b</a></main><a href="/c">c</a></body>'
    assert [region for _, region in classify(body)] == ["nav", "main", "body"]


def test_deeply_nested_containers_inside_the_article_do_not_exhaust_the_stack():
    """3,000 nested divs (past Python's recursion limit; no markup bound outside extract())."""
    nest = f"<article><p>{PARA}</p><p>{PARA}</p>" + "<div>" * 3000
    # a bare link in a text-less container is cleaned out; one with prose around it stays
    assert classify(nest + '<a href="/deep">deep</a>') == [("deep", "aside")]
    prose = '<a href="/deep">deep</a> and some words of text, with commas, in it'
    assert classify(nest + prose) == [("deep", "main")]
