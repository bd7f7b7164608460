"""The small web ``linkspider demo`` crawls: five sites that link to each other the way
real sites do (articles citing a shop, sponsored and user-generated links, menus and
footers, an image link, a redirect).  Served on loopback only; every name is under the
reserved ``.example`` suffix, so nothing here can reach a real host."""

from __future__ import annotations

PARAGRAPH = (
    "Independent reviewers spent three weeks with the product, in the rain, on trains and at "
    "their desks, and most of them came back with the same verdict: it is sturdy, simple, and "
    "fairly priced. "
)


def page(title: str, nav: str, main: str, aside: str = "", footer: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body>
<header><a href="/">{title.split(" - ")[-1]}</a><nav>{nav}</nav></header>
<main><article><h1>{title.split(" - ")[0]}</h1>{main}</article></main>
<aside class="sidebar">{aside}</aside>
<footer>{footer}<a href="/about">About</a> <a href="/privacy">Privacy</a></footer>
</body></html>"""


NEWS_NAV = '<a href="/">Home</a> <a href="/tech">Tech</a> <a href="/world">World</a>'
BLOG_NAV = '<a href="/">Posts</a> <a href="/about">About me</a>'
SHOP_NAV = '<a href="/">Shop</a> <a href="/kettle">Kettle</a> <a href="/lamp">Lamp</a>'
WIKI_NAV = '<a href="/">Main page</a> <a href="/wiki/Kettle">Kettle</a>'
FORUM_NAV = '<a href="/">Forum</a> <a href="/t/1">Kettle thread</a>'

SITES: dict[str, dict[str, str]] = {
    "news.example": {
        "/": page(
            "Front page - Daily News",
            NEWS_NAV,
            f'<p>{PARAGRAPH}<a href="/tech/kettle-review">Our kettle review</a>, and '
            f'<a href="/world">the world desk</a>.</p>',
            '<a href="http://shop.example/" rel="sponsored">Shop the kettle</a>',
        ),
        "/tech": page(
            "Tech - Daily News", NEWS_NAV, '<p><a href="/tech/kettle-review">Kettle review</a></p>'
        ),
        "/world": page("World - Daily News", NEWS_NAV, f"<p>{PARAGRAPH}</p>"),
        "/tech/kettle-review": page(
            "The kettle that outlasted us - Daily News",
            NEWS_NAV,
            f'<p>{PARAGRAPH}We bought the <a href="http://shop.example/kettle">Shop Example kettle</a> '
            f'and read <a href="http://blog.example/posts/kettle">a long blog post about it</a>. '
            f'{PARAGRAPH}The <a href="http://wiki.example/wiki/Kettle">encyclopedia entry</a> '
            f"explains the history.</p><p>{PARAGRAPH}</p>",
            '<a href="http://shop.example/lamp" rel="sponsored">Sponsored: a lamp</a>',
        ),
        "/about": page("About - Daily News", NEWS_NAV, "<p>A newspaper.</p>"),
        "/privacy": page("Privacy - Daily News", NEWS_NAV, "<p>We keep nothing.</p>"),
    },
    "blog.example": {
        "/": page(
            "Posts - A Blog",
            BLOG_NAV,
            '<p><a href="/posts/kettle">On kettles</a></p>',
            footer='<a href="http://shop.example/">my favourite shop</a> ',
        ),
        "/posts/kettle": page(
            "On kettles - A Blog",
            BLOG_NAV,
            f'<p>{PARAGRAPH}I finally bought <a href="http://shop.example/kettle">this kettle</a> '
            f'after reading <a href="http://news.example/tech/kettle-review">the review</a>.</p>'
            f'<p><a href="http://shop.example/kettle"><img src="/k.png" alt="the kettle"></a></p>'
            f"<p>{PARAGRAPH}</p>"
            '<section id="comments" class="comments"><p>Great post! '
            '<a href="http://forum.example/t/1" rel="ugc nofollow">discussed here</a></p></section>',
        ),
        "/about": page("About - A Blog", BLOG_NAV, "<p>Me.</p>"),
        "/privacy": page("Privacy - A Blog", BLOG_NAV, "<p>Nothing.</p>"),
    },
    "shop.example": {
        "/": page(
            "Shop Example",
            SHOP_NAV,
            '<p><a href="/kettle">The kettle</a> and <a href="/lamp">the lamp</a>.</p>',
            footer='<a href="http://blog.example/">Read our friends</a> ',
        ),
        "/kettle": page("Kettle - Shop Example", SHOP_NAV, "<p>A kettle. 25 euros.</p>"),
        "/lamp": page("Lamp - Shop Example", SHOP_NAV, "<p>A lamp. 40 euros.</p>"),
        "/about": page("About - Shop Example", SHOP_NAV, "<p>A shop.</p>"),
        "/privacy": page("Privacy - Shop Example", SHOP_NAV, "<p>Cookies.</p>"),
    },
    "wiki.example": {
        "/": page("Main page - Wiki", WIKI_NAV, '<p><a href="/wiki/Kettle">Kettle</a></p>'),
        "/wiki/Kettle": page(
            "Kettle - Wiki",
            WIKI_NAV,
            f"<p>{PARAGRAPH}A kettle boils water. Reviews: "
            f'<a href="http://news.example/tech/kettle-review" rel="nofollow">Daily News</a>; '
            f'sold by <a href="http://shop.example/kettle" rel="nofollow">Shop Example</a>.</p>',
        ),
        "/about": page("About - Wiki", WIKI_NAV, "<p>A wiki.</p>"),
        "/privacy": page("Privacy - Wiki", WIKI_NAV, "<p>Nothing.</p>"),
    },
    "forum.example": {
        "/": page("Forum", FORUM_NAV, '<p><a href="/t/1">Which kettle?</a></p>'),
        "/t/1": page(
            "Which kettle? - Forum",
            FORUM_NAV,
            '<div class="comment"><p>Try <a href="http://shop.example/kettle" rel="ugc">this one</a>, '
            'or the <a href="http://old-shop.example/">old shop</a>.</p></div>',
        ),
        "/about": page("About - Forum", FORUM_NAV, "<p>A forum.</p>"),
        "/privacy": page("Privacy - Forum", FORUM_NAV, "<p>Nothing.</p>"),
    },
    "old-shop.example": {},  # every path redirects to shop.example
}

REDIRECTS = {"old-shop.example": "http://shop.example/"}
SEEDS = (
    "http://news.example/",
    "http://blog.example/",
    "http://wiki.example/",
    "http://forum.example/",
)
#: what the demo shows
FOCUS = "shop.example"
