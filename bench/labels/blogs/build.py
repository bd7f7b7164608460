"""Build the blog and shop labelled sets: blog and shop programs' own themes around real
article text.

    (cd bench/labels/blogs && npm ci && (cd docusaurus && npm ci) && (cd starlight && npm ci))
    python bench/labels/blogs/build.py OUT

Blogs made by static site generators and small CMSs are a large share of the web's
articles.  A label needs no extractor here: every link of a post's text is marked
(``data-ls-content``) before the program runs, so a link of the page is content exactly
when it came from the post.
Twelve programs, pinned, each run in an environment of its own (none is a dependency of
linkspider):

- Pelican 4.12.0 (PyPI), themes ``notmyidea`` (a blogroll and social links) and ``simple``;
- Nikola 8.3.3 (PyPI), themes ``bootblog4`` and ``bootstrap4`` (Bootstrap 4 layouts);
- Hexo 8.1.2 (npm; ``package.json`` here) with hexo-theme-landscape 1.1.0 (a sidebar of
  categories, tags, a tag cloud, archives and recent posts) and seven of the most used Hexo
  themes, with their own defaults: NexT 8.29.0, Butterfly 5.7.0, Fluid 1.9.9, Keep 4.3.0,
  Redefine 2.9.0, Stellar 1.44.0 and Reimu 1.12.6 (author cards, tables of contents,
  copyright boxes, recent posts, post navigation), and twelve more added later: Icarus 6.1.1,
  AnZhiYu 1.7.0, Solitude 4.0.0, Yun 1.10.11, ParticleX 2.8.1, Kratos-Rebirth 3.0.1, Cards
  1.5.3, Kaze 1.0.5, Cupertino 2.5.0, Miracle 2.3.6, Diaspora 1.0.1 and Apollo 1.0.6;
- Jekyll 4.3.1 with minima 2.5.1 (Debian 12's ``jekyll`` and ``jekyll-theme-minima``);
- ABlog 0.11.13 (PyPI; Sphinx 8.2.3's blog extension) with its sidebars under alabaster,
  the PyData theme 0.16.1 and the Book theme 1.1.4;
- Material for MkDocs 9.8.2's blog plugin (PyPI; MkDocs 1.6.1), with categories, an author
  and tags;
- Docusaurus 3.10.2's classic preset, its blog alone (npm; ``docusaurus/package.json``);
- Astro 5.18.2's Starlight 0.37.7 with the starlight-blog 0.25.3 plugin (npm;
  ``starlight/package.json``);
- Mezzanine 6.1.1 (PyPI; a Django CMS): Bootstrap 3 columns (a page tree on the left, the
  blog's filter panel on the right), and under each post its tags, share links, related
  posts and comments;
- django-oscar 3.2.6 (PyPI; an e-commerce framework; the project in ``oscar/``): product
  pages whose description is the article (the ``shop-dev`` set);
- Cartridge 1.3.4 (PyPI; Mezzanine's shop): the same, in another shop's templates (the
  ``shop-heldout`` set);
- Shuup 3.1.0 (PyPI; an e-commerce platform; Python 3.8, ``shuup/requirements.txt``): the
  same, under its classic gray theme (``shop-heldout`` too).

The output is the same on every run but for Hexo's random post ids (``data-id``), the tags
Kaze shows and the colours ParticleX gives tags (drawn at random), a time in Solitude's
config, Docusaurus's bundle hash, the year
in footers, relative dates ("2 years, 8 months ago"), render and review times and Django's form tokens.  Every theme
gets eight posts of its own, ``tests/data/readability-dev`` articles
(``bench/labels/articles.py``) chosen at random (seed 20261207; the themes added later each
draw on their own, so the pages of the first five did not change), with categories, tags and
the same site furniture (a menu, a blogroll, social links) where the theme shows it.
Writes OUT/THEME--NAME/source.html, marked; ``node bench/labels/label.mjs --marked
data-ls-content DIR`` labels the pages and takes the marks out.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import js_sites  # noqa: E402  (bench/labels/js_sites.py)
from articles import (  # noqa: E402  (bench/labels/articles.py)
    AUTHOR,
    BLOGROLL,
    BOOK_THEME,
    CATEGORIES,
    MATERIAL,
    MKDOCS,
    PYDATA_THEME,
    READERS,
    SITE,
    SOCIAL,
    SPHINX,
    articles,
    markdown_block,
    marked,
    rst_page,
    run,
    uv_run,
)

PELICAN = "pelican==4.12.0"
NIKOLA = "nikola==8.3.3"
MEZZANINE = "mezzanine==6.1.1"
ABLOG = [SPHINX, "ablog==0.11.13"]
#: ABlog's themes: the Sphinx theme's name, and what to install for it
ABLOG_THEMES = {
    "alabaster": ("alabaster", []),
    "pydata": ("pydata_sphinx_theme", [PYDATA_THEME]),
    "book": ("sphinx_book_theme", [BOOK_THEME]),
}
CARTRIDGE = "cartridge==1.3.4"
OSCAR = ["django-oscar==3.2.6", "sorl-thumbnail==12.11.0", "pillow==11.3.0"]
THEMES = (
    "pelican-notmyidea",
    "pelican-simple",
    "nikola-bootblog4",
    "nikola-bootstrap4",
    "hexo-landscape",
)
#: themes added later draw their posts on their own (seed 20261207 and the theme's name), so
#: that adding one leaves the pages of the others as they were
MORE_THEMES = (
    "jekyll-minima",
    "mezzanine-default",
    "oscar-default",
    "cartridge-default",
    # Hexo's most used themes on npm (package.json), each with its own defaults
    "hexo-next",
    "hexo-butterfly",
    "hexo-fluid",
    "hexo-keep",
    "hexo-redefine",
    "hexo-stellar",
    "hexo-reimu",
    # five more of Hexo's most used themes on npm that render their pages here (Volantis
    # checks for a global hexo-cli and stops; Nexmoe failed on its own default config; Async
    # says MIT in package.json but the SATA licence in its README, and ships no licence
    # text): all held out (blogs-heldout), assigned before any of their pages was scored
    "hexo-icarus",
    "hexo-anzhiyu",
    "hexo-solitude",
    "hexo-yun",
    "hexo-particlex",
    # four more (of ShokaX, Kratos-Rebirth, Cards, Kaze, Vivia and Cupertino, the ones that
    # render here: ShokaX stops for plugins it wants, Vivia leaves five posts unwritten),
    # held out as well, assigned before any of their pages was scored; Cupertino, read after
    # its first score, is in blogs-dev now
    "hexo-kratos-rebirth",
    "hexo-cards",
    "hexo-kaze",
    "hexo-cupertino",
    # three more, held out, assigned before any of their pages was scored (of Inside,
    # Material Indigo, Arknights, Miracle, Diaspora and Apollo: Inside renders its posts in
    # the browser, Material Indigo writes none here, Arknights needs node-sass built)
    "hexo-miracle",
    "hexo-diaspora",
    "hexo-apollo",
    # ABlog, Sphinx's blog extension, under three Sphinx themes with its sidebars (Furo
    # renders an error page for ABlog's layout): held out (blogs-heldout), assigned before any
    # of their pages was scored
    "ablog-alabaster",
    "ablog-pydata",
    "ablog-book",
    # Material for MkDocs' blog plugin, and Docusaurus's blog: held out (blogs-heldout),
    # assigned before their pages were scored
    "material-blog",
    "docusaurus-classic",
    # Starlight's blog plugin (Astro): held out (blogs-heldout), assigned before its pages
    # were scored
    "starlight-blog",
    # Shuup's shop under its classic gray theme: held out (shop-heldout), assigned before its
    # pages were scored
    "shuup-classic-gray",
)
POSTS = 8


def post(article: dict, rng: random.Random, date: str) -> dict:
    """One post of an article: its links marked, a category drawn, tags from its title."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]{5,}", article["title"])]
    return {
        "slug": article["name"],
        "title": article["title"],
        "body": marked(article["body"]),
        "date": date,
        "category": rng.choice(CATEGORIES),
        "tags": sorted(set(words))[:4] or ["notes"],
    }


def posts_by_theme(rng: random.Random) -> dict[str, list[dict]]:
    pool = articles()
    chosen = rng.sample(pool, POSTS * len(THEMES))
    out: dict[str, list[dict]] = {}
    for i, article in enumerate(chosen):
        date = f"2024-{1 + i % 12:02d}-{1 + i % 27:02d} 09:00"
        out.setdefault(THEMES[i // POSTS], []).append(post(article, rng, date))
    for theme in MORE_THEMES:
        draw = random.Random(f"20261207-{theme}")
        out[theme] = [
            post(article, draw, f"2024-{1 + i:02d}-{10 + i:02d} 09:00")
            for i, article in enumerate(draw.sample(pool, POSTS))
        ]
    return out


def pelican(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    content = work / "content"
    content.mkdir(parents=True)
    for post in posts:
        (content / f"{post['slug']}.html").write_text(
            f"<html><head><title>{post['title']}</title>"
            f'<meta name="slug" content="{post["slug"]}">'
            f'<meta name="date" content="{post["date"]}">'
            f'<meta name="category" content="{post["category"]}">'
            f'<meta name="tags" content="{", ".join(post["tags"])}">'
            f'<meta name="authors" content="{AUTHOR}">'
            f"</head><body>{post['body']}</body></html>",
            encoding="utf-8",
        )
    (content / "pages").mkdir()
    (content / "pages" / "about.html").write_text(
        "<html><head><title>About</title></head><body><p>Who we are.</p></body></html>"
    )
    (work / "pelicanconf.py").write_text(
        f"SITENAME = {SITE!r}\nAUTHOR = {AUTHOR!r}\nSITEURL = 'http://fakehost'\n"
        "RELATIVE_URLS = False\nTIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\n"
        f"THEME = {theme.split('-', 1)[1]!r}\nLINKS = {BLOGROLL!r}\nSOCIAL = {SOCIAL!r}\n"
        "MENUITEMS = [('Archives', 'http://fakehost/archives.html')]\n"
        "DEFAULT_PAGINATION = 5\n",
        encoding="utf-8",
    )
    run(
        [*uv_run([PELICAN]), "pelican", "content", "-o", "output",
         "-s", "pelicanconf.py"],
        work,
    )  # fmt: skip
    return {post["slug"]: work / "output" / f"{post['slug']}.html" for post in posts}


def nikola(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    tool = [*uv_run([NIKOLA]), "nikola"]
    run([*tool, "init", "-q", "site"], work)
    site = work / "site"
    for post in posts:
        (site / "posts" / f"{post['slug']}.html").write_text(
            f"<!--\n.. title: {post['title']}\n.. slug: {post['slug']}\n"
            f".. date: {post['date']}:00 UTC\n.. tags: {', '.join(post['tags'])}\n"
            f".. category: {post['category']}\n.. author: {AUTHOR}\n-->\n{post['body']}\n",
            encoding="utf-8",
        )
    blogroll = "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in BLOGROLL)
    social = tuple((u, t) for t, u in SOCIAL)
    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(
            f"\nSITE_URL = 'http://fakehost/'\nBLOG_TITLE = {SITE!r}\nBLOG_AUTHOR = {AUTHOR!r}\n"
            f"THEME = {theme.split('-', 1)[1]!r}\n"
            "NAVIGATION_LINKS = {DEFAULT_LANG: (('/archive.html', 'Archives'),"
            " ('/categories/index.html', 'Tags'), ('/rss.xml', 'RSS feed'))}\n"
            f"NAVIGATION_ALT_LINKS = {{DEFAULT_LANG: {social!r}}}\n"
            "THEME_CONFIG = {DEFAULT_LANG: {'featured_large': False, 'featured_small': False,"
            " 'featured_on_mobile': True, 'featured_large_image_on_mobile': True,"
            " 'featured_strip_html': False,"
            f" 'sidebar': '<h3>Blogroll</h3><ul>{blogroll}</ul>'}}}}\n"
        )
    run([*tool, "build"], site)
    return {post["slug"]: site / "output" / "posts" / post["slug"] / "index.html" for post in posts}


def hexo(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Hexo's own template engine over ``package.json``'s modules (``npm ci`` here first)."""
    shutil.copy(HERE / "package.json", work / "package.json")
    (work / "node_modules").symlink_to(HERE / "node_modules")
    drafts = work / "source" / "_posts"
    drafts.mkdir(parents=True)
    for post in posts:
        # an HTML block in Markdown is passed through as it is (no blank line inside it)
        body = markdown_block(post["body"])
        (drafts / f"{post['slug']}.md").write_text(
            f"---\ntitle: {json.dumps(post['title'])}\ndate: {post['date']}:00\n"
            f"updated: {post['date']}:00\n"
            f"categories: [{post['category']}]\ntags: {json.dumps(post['tags'])}\n---\n"
            f"<div>{body}</div>\n",
            encoding="utf-8",
        )
    name = theme.split("-", 1)[1]
    (work / "_config.yml").write_text(
        f"title: {json.dumps(SITE)}\nauthor: {json.dumps(AUTHOR)}\nlanguage: en\n"
        "url: http://fakehost\npermalink: :title/\nsource_dir: source\npublic_dir: public\n"
        f"theme: {name}\n",
        encoding="utf-8",
    )
    if name == "landscape":  # the other themes keep their own defaults
        links = "".join(f"\n  {t.lower()}: {u}" for t, u in SOCIAL)
        (work / "_config.landscape.yml").write_text(
            f"menu:\n  Home: /\n  Archives: /archives\n  About: /about/\nlinks:{links}\n",
            encoding="utf-8",
        )
    run(["node", str(HERE / "node_modules" / "hexo" / "bin" / "hexo"), "generate"], work)
    return {post["slug"]: work / "public" / post["slug"] / "index.html" for post in posts}


def ablog(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """ABlog 0.11.13 (PyPI; Sphinx 8.2.3's blog extension): each post's card (date, author,
    category, tags), previous and next posts, recent posts, a tag cloud, categories and
    archives in the sidebar, under a Sphinx theme."""
    html_theme, packages = ABLOG_THEMES[theme.split("-", 1)[1]]
    src = work / "src"
    (src / "posts").mkdir(parents=True)
    sidebars = ["postcard", "recentposts", "tagcloud", "categories", "archives"]
    (src / "conf.py").write_text(
        f"project = {SITE!r}\nauthor = {AUTHOR!r}\nextensions = ['ablog']\n"
        f"html_theme = {html_theme!r}\nblog_title = {SITE!r}\n"
        "blog_baseurl = 'http://fakehost/'\n"
        f"blog_authors = {{'editor': ({AUTHOR!r}, None)}}\nblog_default_author = 'editor'\n"
        f"html_sidebars = {{'**': {[f'ablog/{name}.html' for name in sidebars]!r}}}\n",
        encoding="utf-8",
    )
    heading = "=" * len(SITE)
    (src / "index.rst").write_text(
        f"{SITE}\n{heading}\n\n.. postlist:: 5\n\n.. toctree::\n   :glob:\n   :hidden:\n\n"
        "   posts/*\n",
        encoding="utf-8",
    )
    for post in posts:
        card = (
            f".. post:: {post['date'].split()[0]}\n   :tags: {', '.join(post['tags'])}\n"
            f"   :category: {post['category']}\n   :author: editor\n\n"
        )
        (src / "posts" / f"{post['slug']}.rst").write_text(
            rst_page(post["title"], post["body"], card), encoding="utf-8"
        )
    run(
        [*uv_run([*ABLOG, *packages], "3.11"), "sphinx-build", "-q", "-b", "html", "src", "out"],
        work,
    )
    return {post["slug"]: work / "out" / "posts" / f"{post['slug']}.html" for post in posts}


def material(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Material for MkDocs 9.8.2's blog plugin (PyPI; MkDocs 1.6.1): the blog's navigation,
    each post's date, author, categories and reading time, and its tags (the tags plugin)."""
    posts_dir = work / "docs" / "blog" / "posts"
    posts_dir.mkdir(parents=True)
    (work / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    (work / "docs" / "blog" / ".authors.yml").write_text(
        f"authors:\n  editor:\n    name: {json.dumps(AUTHOR)}\n    description: Editor\n"
        "    avatar: http://fakehost/editor.png\n",
        encoding="utf-8",
    )
    for post in posts:
        day = post["date"].split()[0]
        (posts_dir / f"{post['slug']}.md").write_text(
            f"---\ndate: {day}\nslug: {post['slug']}\ncategories:\n  - {post['category']}\n"
            f"authors:\n  - editor\ntags: {json.dumps(post['tags'])}\n---\n\n"
            f"# {json.dumps(post['title'])[1:-1]}\n\n<div>{markdown_block(post['body'])}</div>\n",
            encoding="utf-8",
        )
    (work / "mkdocs.yml").write_text(
        f"site_name: {json.dumps(SITE)}\nsite_author: {json.dumps(AUTHOR)}\n"
        "site_url: http://fakehost/\ntheme:\n  name: material\nplugins:\n  - blog\n  - tags\n"
        "nav:\n  - blog/index.md\n",
        encoding="utf-8",
    )
    tool = uv_run([MKDOCS, MATERIAL], "3.11")
    run([*tool, "mkdocs", "build", "-q", "-d", "site"], work, {"NO_MKDOCS_2_WARNING": "1"})
    return {
        post["slug"]: work
        / "site"
        / "blog"
        / post["date"].split()[0].replace("-", "/")
        / post["slug"]
        / "index.html"
        for post in posts
    }


def docusaurus(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Docusaurus 3.10.2's classic preset, its blog alone (npm; ``docusaurus/package.json``
    here, ``npm ci`` there first; ``../js_sites.py``): the navbar, a sidebar of every post,
    each post's author, reading time, tags and previous/next posts, and the footer.  A post
    is Markdown (not MDX), so its HTML is passed through."""
    files = {"blog/authors.yml": f"editor:\n  name: {json.dumps(AUTHOR)}\n  title: Editor\n"}
    for post in posts:
        day = post["date"].split()[0]
        files[f"blog/{day}-{post['slug']}.md"] = (
            f"---\nslug: {post['slug']}\ntitle: {json.dumps(post['title'])}\n"
            f"authors: [editor]\ntags: {json.dumps([*post['tags'], post['category']])}\n---\n\n"
            f"<div>{markdown_block(post['body'])}</div>\n"
        )
    site = js_sites.docusaurus(
        work,
        files,
        "{ docs: false, theme: {}, blog: { routeBasePath: '/', showReadingTime: true,"
        " blogSidebarCount: 'ALL', blogSidebarTitle: 'All posts' } }",
        "[{ to: '/', label: 'Blog' }, { to: '/tags', label: 'Tags' },"
        " { to: '/archive', label: 'Archive' }]",
    )
    return {post["slug"]: site / post["slug"] / "index.html" for post in posts}


def starlight(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Astro 5.18.2's Starlight 0.37.7 (a documentation theme) with the starlight-blog 0.25.3
    plugin (npm; ``starlight/package.json`` here, ``npm ci`` there first;
    ``../js_sites.py``): the header with the site's search, social links and the blog's link,
    a sidebar of the blog's recent posts and tags, each post's date, author and tags, the
    page's table of contents, and previous/next posts.  Beside the blog, two documentation
    pages and the blogroll in the site's sidebar.  A post is Markdown, so its HTML is passed
    through."""
    docs = {
        "index.md": f"---\ntitle: {json.dumps(SITE)}\n---\n\nNotes.\n",
        "about.md": "---\ntitle: About\n---\n\nAbout the notebook.\n",
    }
    for post in posts:
        docs[f"blog/{post['slug']}.md"] = (
            f"---\ntitle: {json.dumps(post['title'])}\ndate: {post['date'].split()[0]}\n"
            f"authors: editor\ntags: {json.dumps([*post['tags'], post['category']])}\n---\n\n"
            f"<div>{markdown_block(post['body'])}</div>\n"
        )
    blogroll = ", ".join(
        f"{{ label: {json.dumps(t)}, link: {json.dumps(u)} }}" for t, u in BLOGROLL
    )
    options = (
        "  plugins: [starlightBlog({ authors: { editor: { name: "
        f"{json.dumps(AUTHOR)}, title: 'Editor' }} }}, metrics: {{ readingTime: true }} }})],\n"
        "  sidebar: [{ label: 'Notebook', items: [{ label: 'About', slug: 'about' }] },"
        f" {{ label: 'Blogroll', items: [{blogroll}] }}],\n"
    )
    site = js_sites.starlight(work, docs, options, blog=True)
    return {post["slug"]: site / "blog" / post["slug"] / "index.html" for post in posts}


def jekyll(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Debian 12's jekyll 4.3.1 and jekyll-theme-minima 2.5.1."""
    drafts = work / "_posts"
    drafts.mkdir()
    for post in posts:
        day = post["date"].split()[0]
        (drafts / f"{day}-{post['slug']}.html").write_text(
            f"---\nlayout: post\ntitle: {json.dumps(post['title'])}\n"
            f"date: {post['date']}:00 +0000\ncategories: [{post['category']}]\n"
            f"tags: {json.dumps(post['tags'])}\nauthor: {AUTHOR}\n---\n{post['body']}\n",
            encoding="utf-8",
        )
    (work / "about.md").write_text(
        "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nWho we are.\n"
    )
    (work / "_config.yml").write_text(
        f"title: {json.dumps(SITE)}\nauthor: {json.dumps(AUTHOR)}\nemail: editors@fakehost.invalid\n"
        "description: Reading the news so you do not have to.\nurl: http://fakehost\n"
        "permalink: /:title/\ntheme: minima\nplugins: [jekyll-feed]\n"
        "twitter_username: fieldnotebook\ngithub_username: fieldnotebook\n",
        encoding="utf-8",
    )
    run(["jekyll", "build", "--quiet"], work)
    return {post["slug"]: work / "_site" / post["slug"] / "index.html" for post in posts}


def django_site(
    tool: list[str], project: Path, populate: Path, spec: dict, work: Path
) -> dict[str, Path]:
    """Fill a Django project's site from ``spec`` by the script ``populate`` (run in
    ``manage.py shell``, ``django_pages.py`` importable) and render its pages; their paths."""
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    script = f"import sys; sys.path.insert(0, {str(HERE)!r}); exec(open({str(populate)!r}).read())"
    run(
        [*tool, "python", "manage.py", "shell", "-c", script],
        project,
        {"LS_SPEC": str(work / "spec.json"), "LS_OUT": str(work / "out")},
    )
    return {post["slug"]: work / "out" / post["slug"] / "index.html" for post in spec["posts"]}


def mezzanine(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Mezzanine 6.1.1 (PyPI; Django 4.2, SQLite): its default Bootstrap 3 templates, a page
    tree column on the left, the blog's filter panel (recent posts, archive, categories, tags,
    authors, feeds) on the right, and under each post its tags, share links, related posts
    and comments."""
    tool = uv_run([MEZZANINE], "3.11")
    run([*tool, "mezzanine-project", "notebook"], work)
    project = work / "notebook"
    with (project / "notebook" / "local_settings.py").open("a", encoding="utf-8") as local:
        local.write(
            "\nDEBUG = False\nALLOWED_HOSTS = ['fakehost']\nRICHTEXT_FILTER_LEVEL = 3\n"
            "SECRET_KEY = 'labelled-pages-only'\nTIME_ZONE = 'UTC'\n"
        )
    draw = random.Random(f"20261207-{theme}")
    talk = [p for a in articles() for p in a["paragraphs"]]
    spec = {"site": SITE, "posts": []}
    for post in posts:
        comments = [
            {
                "author": draw.choice(READERS),
                "url": f"https://reader{j}.example.net/" if draw.random() < 0.5 else "",
                "text": draw.choice(talk),
            }
            for j in range(draw.randrange(0, 4))
        ]
        spec["posts"].append({**post, "comments": comments})
    run([*tool, "python", "manage.py", "createdb", "--noinput", "--nodata"], project)
    return django_site(tool, project, HERE / "mezzanine_site.py", spec, work)


def cartridge(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Cartridge 1.3.4, Mezzanine's shop (PyPI; Mezzanine 6.1.1, Django 4.2, SQLite; needs
    the en_US.UTF-8 locale, Debian's ``locales``): its default Bootstrap 3 templates; a product page holds the shop's menus and cart, the
    description, price, stock and "Buy" form, and related products."""
    tool = uv_run([MEZZANINE, CARTRIDGE], "3.11")
    run([*tool, "mezzanine-project", "-a", "cartridge", "notebookshop"], work)
    project = work / "notebookshop"
    with (project / "notebookshop" / "local_settings.py").open("a", encoding="utf-8") as local:
        local.write(
            "\nDEBUG = False\nALLOWED_HOSTS = ['fakehost']\nRICHTEXT_FILTER_LEVEL = 3\n"
            "SECRET_KEY = 'labelled-pages-only'\nTIME_ZONE = 'UTC'\n"
            "SHOP_CURRENCY_LOCALE = 'en_US.UTF-8'\n"  # prices need a locale's currency
        )
    run([*tool, "python", "manage.py", "createdb", "--noinput", "--nodata"], project)
    spec = {"site": "The Field Notebook Shop", "posts": posts}
    return django_site(tool, project, HERE / "cartridge_site.py", spec, work)


def oscar(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """django-oscar 3.2.6 (PyPI; Django 4.2, SQLite), the project in ``oscar/``: Oscar's own
    Bootstrap 4 templates; a product page holds the category menu, search and basket, the
    product's price, stock and "Add to basket", its description, a product information table,
    reviews and recommended products."""
    tool = uv_run(OSCAR, "3.11")
    shutil.copytree(HERE / "oscar", work / "shop", ignore=shutil.ignore_patterns("populate.py"))
    draw = random.Random(f"20261207-{theme}")
    talk = [p for a in articles() for p in a["paragraphs"]]
    spec = {"site": "The Field Notebook Shop", "posts": []}
    for post in posts:
        reviews = [
            {
                "author": draw.choice(READERS),
                "title": draw.choice(["Worth it", "Not bad", "Too long", "A good read", "Meh"]),
                "score": draw.randrange(1, 6),
                "text": draw.choice(talk),
            }
            for _ in range(draw.randrange(0, 4))
        ]
        spec["posts"].append({**post, "comments": reviews})
    shop = work / "shop"
    run([*tool, "python", "manage.py", "migrate", "--noinput"], shop)
    return django_site(tool, shop, HERE / "oscar" / "populate.py", spec, work)


def shuup(theme: str, posts: list[dict], work: Path) -> dict[str, Path]:
    """Shuup 3.1.0 (PyPI; an e-commerce platform on Django 2.2, SQLite; its workbench
    project) under its classic gray theme: a product page holds the shop's menus, language
    and account menus, the category menu, breadcrumbs, the product's price and "Add to cart"
    form, its description and details tabs, and the footer.  Shuup 3.1 runs on
    Python 3.6-3.8 only: SHUUP_PYTHON names the interpreter (default ``python3.8``), in a
    virtual environment of its own with ``shuup/requirements.txt`` (every package pinned; its
    metadata is not the standard's, which only pip installs)."""
    python = os.environ.get("SHUUP_PYTHON", "python3.8")
    venv = work / "venv"
    run([python, "-m", "venv", str(venv)], work)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    run([*pip, "-r", str(HERE / "shuup" / "requirements.txt")], work)
    site = work / "site"
    (site / "var").mkdir(parents=True)
    settings = work / "local_settings.py"
    settings.write_text(
        "def configure(setup):\n"
        "    setup.DEBUG = False\n    setup.ALLOWED_HOSTS = ['fakehost']\n"
        f"    setup.DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3',"
        f" 'NAME': {str(work / 'db.sqlite3')!r}}}}}\n",
        encoding="utf-8",
    )
    env = {
        "SHUUP_WORKBENCH_BASE_DIR": str(site),
        "LOCAL_SETTINGS_FILE": str(settings),
        "DJANGO_SETTINGS_MODULE": "shuup_workbench.settings",
    }
    manage = [str(venv / "bin" / "python"), "-m", "shuup_workbench"]
    run([*manage, "migrate", "--noinput"], site, env)
    run([*manage, "shuup_init"], site, env)
    spec = {"site": "The Field Notebook Shop", "posts": posts}
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    populate = HERE / "shuup" / "populate.py"
    script = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); "
        f"exec(open({str(populate)!r}).read(), {{'__name__': 'populate'}})"
    )
    run(
        [*manage, "shell", "-c", script],
        site,
        {**env, "LS_SPEC": str(work / "spec.json"), "LS_OUT": str(work / "out")},
    )
    return {post["slug"]: work / "out" / post["slug"] / "index.html" for post in posts}


def main() -> None:
    out = Path(sys.argv[1])
    by_theme = posts_by_theme(random.Random(20261207))
    builders = {
        "pelican": pelican,
        "nikola": nikola,
        "hexo": hexo,
        "jekyll": jekyll,
        "mezzanine": mezzanine,
        "oscar": oscar,
        "cartridge": cartridge,
        "ablog": ablog,
        "material": material,
        "docusaurus": docusaurus,
        "starlight": starlight,
        "shuup": shuup,
    }
    for theme, posts in by_theme.items():
        builder = builders[theme.split("-", 1)[0]]
        with tempfile.TemporaryDirectory() as tmp:
            pages = builder(theme, posts, Path(tmp))
            for slug, page in pages.items():
                if page.stat().st_size == 0:  # a theme that failed to render a post
                    print(f"{theme}--{slug}: empty page, left out", file=sys.stderr)
                    continue
                (out / f"{theme}--{slug}").mkdir(parents=True, exist_ok=True)
                shutil.copy(page, out / f"{theme}--{slug}" / "source.html")
        print(theme, len(pages), "pages")


if __name__ == "__main__":
    main()
