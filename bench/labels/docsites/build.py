"""Build the documentation-site labelled sets: documentation generators' themes around real text.

    (cd bench/labels/docsites/vitepress && npm ci)  # and blogs/starlight, blogs/docusaurus
    python bench/labels/docsites/build.py OUT

Documentation sites are made by a few generators whose themes put a navigation tree, a table
of contents, previous/next links and "edit" or "view source" links around each page.
Twenty-seven themes, each run in an environment of its own (pinned; none is a dependency of
linkspider):

- Sphinx 8.2.3 with alabaster (its default), Furo 2025.12.19, the Read the Docs theme
  3.1.0, the PyData theme 0.16.1, the Book theme 1.1.4, Piccolo 0.24.0, sphinxawesome 6.0.6,
  Shibuya 2026.7.12, Wagtail's 6.6.0, Press 0.9.1, Nefertiti 0.9.11, Material 0.0.36,
  Bootstrap 0.8.1, Insegel 1.3.1 and its own classic, agogo and haiku;
- MkDocs 1.6.1 with its two built-in themes (mkdocs, readthedocs), Material 9.8.2, Cinder
  1.2.0, Windmill 1.0.5, Terminal 4.8.0 and Ivory 0.4.6;
- VitePress 1.6.4's default theme, Astro's Starlight 0.37.7 and Docusaurus 3.10.2's
  classic preset (npm: ``npm ci`` first in ``vitepress/`` here, ``../blogs/starlight/``
  and ``../blogs/docusaurus/``).

Each theme's site has an index and eight pages of its own, ``tests/data/readability-dev``
articles (``bench/labels/articles.py``) chosen at random (seed 20261207 and the theme's
name), as raw HTML.  Every link of an article is marked (``data-ls-content``) before the
generator runs; ``node bench/labels/label.mjs --marked data-ls-content DIR`` labels the pages
and takes the marks out.  Writes OUT/THEME--NAME/source.html.  The output is the same on
every run but for Docusaurus's bundle hash.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import js_sites  # noqa: E402  (bench/labels/js_sites.py)
from articles import (  # noqa: E402  (bench/labels/articles.py)
    AUTHOR,
    BOOK_THEME,
    MATERIAL,
    MKDOCS,
    PYDATA_THEME,
    SITE,
    SOCIAL,
    SPHINX,
    articles,
    markdown_block,
    marked,
    plain,
    rst_page,
    run,
    uv_run,
)

#: theme -> (generator, the theme's name for it, what to install)
THEMES = {
    "sphinx-alabaster": ("sphinx", "alabaster", [SPHINX]),
    "sphinx-furo": ("sphinx", "furo", [SPHINX, "furo==2025.12.19"]),
    "sphinx-rtd": ("sphinx", "sphinx_rtd_theme", [SPHINX, "sphinx-rtd-theme==3.1.0"]),
    "sphinx-pydata": ("sphinx", "pydata_sphinx_theme", [SPHINX, PYDATA_THEME]),
    "sphinx-book": ("sphinx", "sphinx_book_theme", [SPHINX, BOOK_THEME]),
    "mkdocs-mkdocs": ("mkdocs", "mkdocs", [MKDOCS]),
    "mkdocs-readthedocs": ("mkdocs", "readthedocs", [MKDOCS]),
    "mkdocs-material": ("mkdocs", "material", [MKDOCS, MATERIAL]),
    # JavaScript's documentation generators (npm), held out (docsites-heldout), assigned
    # before any of their pages was scored; Starlight's errors were read after its first
    # score, so it is in docsites-dev
    "vitepress-default": ("vitepress", "default", []),
    # more Sphinx themes and an MkDocs one (PyPI), held out (docsites-heldout), assigned
    # before any of their pages was scored (Sphinx-Immaterial, a port of Material, fetches
    # Google's font list while it builds); sphinxawesome's and Press's errors were read after
    # their first score, so they are in docsites-dev
    "sphinx-piccolo": ("sphinx", "piccolo_theme", [SPHINX, "piccolo-theme==0.24.0"]),
    "sphinx-awesome": ("sphinx", "sphinxawesome_theme", [SPHINX, "sphinxawesome-theme==6.0.6"]),
    "sphinx-shibuya": ("sphinx", "shibuya", [SPHINX, "shibuya==2026.7.12"]),
    "sphinx-wagtail": ("sphinx", "sphinx_wagtail_theme", [SPHINX, "sphinx-wagtail-theme==6.6.0"]),
    "sphinx-press": ("sphinx", "press", [SPHINX, "sphinx-press-theme==0.9.1"]),
    "mkdocs-cinder": ("mkdocs", "cinder", [MKDOCS, "mkdocs-cinder==1.2.0"]),
    # Sphinx's own classic, agogo and haiku themes, Nefertiti, and MkDocs's Windmill: held
    # out (docsites-heldout), assigned before any of their pages was scored
    "sphinx-classic": ("sphinx", "classic", [SPHINX]),
    "sphinx-agogo": ("sphinx", "agogo", [SPHINX]),
    "sphinx-haiku": ("sphinx", "haiku", [SPHINX]),
    "sphinx-nefertiti": ("sphinx", "sphinx_nefertiti", [SPHINX, "sphinx-nefertiti==0.9.11"]),
    "mkdocs-windmill": ("mkdocs", "windmill", [MKDOCS, "mkdocs-windmill==1.0.5"]),
    # and five more, held out (docsites-heldout), assigned before any of their pages was
    # scored
    "sphinx-material": ("sphinx", "sphinx_material", [SPHINX, "sphinx-material==0.0.36"]),
    "sphinx-bootstrap": ("sphinx", "bootstrap", [SPHINX, "sphinx-bootstrap-theme==0.8.1"]),
    "sphinx-insegel": ("sphinx", "insegel", [SPHINX, "insegel==1.3.1"]),
    "mkdocs-terminal": ("mkdocs", "terminal", [MKDOCS, "mkdocs-terminal==4.8.0"]),
    "mkdocs-ivory": ("mkdocs", "ivory", [MKDOCS, "mkdocs-ivory==0.4.6"]),
    "starlight-default": ("starlight", "default", []),
    "docusaurus-classic": ("docusaurus", "classic", []),
}
PAGES = 8
#: Sphinx themes that are extensions too
_THEME_EXTENSIONS = frozenset(("sphinx_wagtail_theme",))


def sphinx(name: str, packages: list[str], pages: list[dict], work: Path) -> dict[str, Path]:
    src = work / "src"
    src.mkdir()
    # a theme that is an extension too is loaded as one (its directives, its search)
    extensions = [name] if name in _THEME_EXTENSIONS else []
    (src / "conf.py").write_text(
        f"project = {SITE!r}\nauthor = {AUTHOR!r}\nhtml_theme = {name!r}\n"
        f"extensions = {extensions!r}\n",
        encoding="utf-8",
    )
    toc = "".join(f"   {page['slug']}\n" for page in pages)
    heading = "=" * len(SITE)
    (src / "index.rst").write_text(
        f"{SITE}\n{heading}\n\n.. toctree::\n   :maxdepth: 1\n\n{toc}", encoding="utf-8"
    )
    for page in pages:
        (src / f"{page['slug']}.rst").write_text(
            rst_page(page["title"], page["body"]), encoding="utf-8"
        )
    run([*uv_run(packages, "3.11"), "sphinx-build", "-q", "-b", "html", "src", "out"], work)
    return {page["slug"]: work / "out" / f"{page['slug']}.html" for page in pages}


def mkdocs(name: str, packages: list[str], pages: list[dict], work: Path) -> dict[str, Path]:
    docs = work / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# {SITE}\n\nNotes, kept.\n", encoding="utf-8")
    for page in pages:
        # an HTML block in Markdown is passed through as it is (no blank line inside it)
        body = markdown_block(page["body"])
        (docs / f"{page['slug']}.md").write_text(
            f"# {plain(page['title'])}\n\n<div>{body}</div>\n", encoding="utf-8"
        )
    nav = "".join(f"  - {page['slug']}.md\n" for page in pages)
    (work / "mkdocs.yml").write_text(
        f"site_name: {SITE}\nsite_author: {AUTHOR}\nsite_url: http://fakehost/\n"
        f"theme:\n  name: {name}\nnav:\n  - index.md\n{nav}",
        encoding="utf-8",
    )
    run([*uv_run(packages, "3.11"), "mkdocs", "build", "-q", "-d", "site"], work)
    return {page["slug"]: work / "site" / page["slug"] / "index.html" for page in pages}


def vitepress(name: str, packages: list[str], pages: list[dict], work: Path) -> dict[str, Path]:
    """VitePress 1.6.4's default theme (npm; ``vitepress/package.json`` here, ``npm ci``
    there first): the top bar with its search and social links, a sidebar of every page,
    the page's outline and previous/next links.  A page is Markdown, its article an HTML
    block that Vue leaves as it is (``v-pre``)."""
    modules = HERE / "vitepress"
    site = Path(tempfile.mkdtemp(prefix="site-", dir=modules))
    try:
        docs = site / "docs"
        (docs / ".vitepress").mkdir(parents=True)
        (docs / "index.md").write_text(f"# {SITE}\n\nNotes, kept.\n", encoding="utf-8")
        for page in pages:
            (docs / f"{page['slug']}.md").write_text(
                f"# {plain(page['title'])}\n\n<div v-pre>{markdown_block(page['body'])}</div>\n",
                encoding="utf-8",
            )
        items = ", ".join(
            f"{{ text: {json.dumps(plain(page['title']))}, link: {json.dumps('/' + page['slug'])} }}"
            for page in pages
        )
        social = ", ".join(
            f"{{ icon: {json.dumps(label.lower())}, link: {json.dumps(url)} }}"
            for label, url in SOCIAL
        )
        (docs / ".vitepress" / "config.mjs").write_text(
            f"export default {{\n  title: {json.dumps(SITE)},\n  cleanUrls: false,\n"
            "  themeConfig: {\n    nav: [{ text: 'Home', link: '/' },"
            f" {{ text: 'Notes', link: {json.dumps('/' + pages[0]['slug'])} }}],\n"
            f"    sidebar: [{{ text: 'Notes', items: [{items}] }}],\n"
            f"    socialLinks: [{social}],\n    search: {{ provider: 'local' }},\n"
            f"    footer: {{ copyright: {json.dumps(AUTHOR)} }},\n  }},\n}}\n",
            encoding="utf-8",
        )
        run(["node", "../node_modules/vitepress/bin/vitepress.js", "build", "docs"], site)
        shutil.move(site / "docs" / ".vitepress" / "dist", work / "dist")
    finally:
        shutil.rmtree(site)
    return {page["slug"]: work / "dist" / f"{page['slug']}.html" for page in pages}


def starlight(name: str, packages: list[str], pages: list[dict], work: Path) -> dict[str, Path]:
    """Astro 5.18.2's Starlight 0.37.7 (npm; ``../js_sites.py``): the header with its search
    and social links, a sidebar of every page, the page's table of contents and previous/next
    links."""
    docs = {"index.md": f"---\ntitle: {json.dumps(SITE)}\n---\n\nNotes, kept.\n"}
    for page in pages:
        docs[f"{page['slug']}.md"] = (
            f"---\ntitle: {json.dumps(plain(page['title']))}\n---\n\n"
            f"<div>{markdown_block(page['body'])}</div>\n"
        )
    items = ", ".join(json.dumps(page["slug"]) for page in pages)
    site = js_sites.starlight(work, docs, f"  sidebar: [{{ label: 'Notes', items: [{items}] }}],\n")
    return {page["slug"]: site / page["slug"] / "index.html" for page in pages}


def docusaurus(name: str, packages: list[str], pages: list[dict], work: Path) -> dict[str, Path]:
    """Docusaurus 3.10.2's classic preset, its docs alone (npm; ``../js_sites.py``): the
    navbar, a sidebar of every page, the page's table of contents, previous/next links and
    the footer.  A page is Markdown (not MDX), so its HTML is passed through."""
    files = {
        "docs/index.md": f"---\nslug: /\ntitle: {json.dumps(SITE)}\n---\n\nNotes, kept.\n",
        "sidebars.js": "module.exports = { notes: [{ type: 'autogenerated', dirName: '.' }] };\n",
    }
    for i, page in enumerate(pages):
        files[f"docs/{page['slug']}.md"] = (
            f"---\nslug: {page['slug']}\ntitle: {json.dumps(page['title'])}\n"
            f"sidebar_position: {i + 2}\n---\n\n<div>{markdown_block(page['body'])}</div>\n"
        )
    site = js_sites.docusaurus(
        work,
        files,
        "{ blog: false, theme: {}, docs: { routeBasePath: '/', sidebarPath: './sidebars.js' } }",
        "[{ type: 'docSidebar', sidebarId: 'notes', label: 'Notes' }]",
    )
    return {page["slug"]: site / page["slug"] / "index.html" for page in pages}


def main() -> None:
    out = Path(sys.argv[1])
    pool = articles()
    builders = {
        "sphinx": sphinx,
        "mkdocs": mkdocs,
        "vitepress": vitepress,
        "starlight": starlight,
        "docusaurus": docusaurus,
    }
    for theme, (generator, name, packages) in THEMES.items():
        draw = random.Random(f"20261207-{theme}")
        pages = [
            {
                "slug": article["name"],
                "title": article["title"],
                "body": marked(article["body"]),
            }
            for article in draw.sample(pool, PAGES)
        ]
        with tempfile.TemporaryDirectory() as tmp:
            made = builders[generator](name, packages, pages, Path(tmp))
            for slug, page in made.items():
                (out / f"{theme}--{slug}").mkdir(parents=True, exist_ok=True)
                shutil.copy(page, out / f"{theme}--{slug}" / "source.html")
        print(theme, len(made), "pages")


if __name__ == "__main__":
    main()
