"""What the generated labelled sites post, ``tests/data/readability-dev``'s articles, and the
furniture every one of them puts around the posts (one site, "The Field Notebook").

Each article is Readability's extraction of a real page (links and images included), its
wrapper divs removed, as an editor's post holds its blocks.  Used by the builders of
``wordpress/``, ``blogs/``, ``wiki/`` and ``docsites/``, with what they share: the mark on
an article's links, an article as one Markdown HTML block or reStructuredText page, a
tool's own environment and the pins of the generators two builders run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "data" / "readability-dev"

SITE = "The Field Notebook"
AUTHOR = "Morgan Reyes"
CATEGORIES = ["News", "Science", "Technology", "Culture", "Opinion"]
BLOGROLL = [
    ("Ars Technica", "https://arstechnica.com/"),
    ("BBC News", "https://www.bbc.co.uk/news"),
    ("The Verge", "https://www.theverge.com/"),
    ("Hacker News", "https://news.ycombinator.com/"),
    ("Wikipedia", "https://en.wikipedia.org/"),
]
SOCIAL = [
    ("Twitter", "https://twitter.com/fieldnotebook"),
    ("GitHub", "https://github.com/fieldnotebook"),
    ("Facebook", "https://www.facebook.com/fieldnotebook"),
]
#: who writes the comments and reviews (their text: sentences of the articles)
READERS = ["Ana", "Jon P.", "Mireille", "K. Osei", "Tom", "Wei"]
#: put on every link of an article before a site's software runs; ``label.mjs --marked``
#: labels the page's links by it and takes it out
MARKER = "data-ls-content"


def marked(html: str) -> str:
    """``html`` with every ``<a>`` carrying :data:`MARKER`.

    >>> marked('<p><a href="/x">x</a> <abbr>y</abbr></p>')
    '<p><a data-ls-content href="/x">x</a> <abbr>y</abbr></p>'
    """
    return re.sub(r"<a(?=[\s>])", f"<a {MARKER}", html)


def markdown_block(html: str) -> str:
    """``html`` without blank lines, so that Markdown passes it through as one HTML block."""
    return re.sub(r"\n\s*\n", "\n", html)


def plain(title: str) -> str:
    """A title without the characters reStructuredText and Markdown read as markup.

    >>> plain("The *best* code"), plain("***")
    ('The  best  code', 'Untitled')
    """
    return re.sub(r"[*`|_#\[\]<>\\]+", " ", title).strip() or "Untitled"


def rst_page(title: str, html: str, directives: str = "") -> str:
    """A reStructuredText page: the title, ``directives`` (lines of their own), then the
    article as raw HTML (Sphinx passes it through)."""
    title = plain(title)
    body = "\n".join("   " + line if line.strip() else "" for line in html.split("\n"))
    return f"{title}\n{'=' * len(title)}\n\n{directives}.. raw:: html\n\n{body}\n"


#: the generators more than one builder runs (docsites' themes, the blogs' ABlog and
#: Material blog), pinned once
SPHINX = "sphinx==8.2.3"
PYDATA_THEME = "pydata-sphinx-theme==0.16.1"
BOOK_THEME = "sphinx-book-theme==1.1.4"
MKDOCS = "mkdocs==1.6.1"
MATERIAL = "mkdocs-material==9.8.2"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run a generator's ``command`` in ``cwd`` (its output hidden, ``env`` added to this
    process's environment); a failure raises."""
    environment = {**os.environ, **(env or {})}
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=environment)


def uv_run(packages: list[str], python: str | None = None) -> list[str]:
    """The command prefix that runs a tool with ``packages`` in an environment of its own
    (none of them is a dependency of linkspider)."""
    pin = ["--python", python] if python else []
    return ["uv", "run", "--no-project", *pin, *(a for p in packages for a in ("--with", p))]


def articles() -> list[dict]:
    """The readability-dev pages whose extraction is an article: title, body, text."""
    out = []
    for page in sorted(p for p in ARTICLES.iterdir() if (p / "expected.html").is_file()):
        meta = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        tree = LexborHTMLParser((page / "expected.html").read_text(encoding="utf-8"))
        root = tree.css_first("#readability-page-1") or tree.body
        while True:  # the article's blocks, as an editor's post holds them: no wrapper divs
            kids = [
                n
                for n in root.iter(include_text=True)
                if n.tag != "_comment" and (n.tag != "-text" or n.text(strip=True))
            ]
            if len(kids) != 1 or kids[0].tag not in ("div", "section", "article"):
                break
            root = kids[0]
        text = root.text(separator=" ", strip=True)
        links = [a for a in root.css("a[href]") if not a.attributes["href"].startswith("#")]
        if not meta.get("title") or len(text) < 1500:
            continue
        paragraphs = [
            p.text(strip=True) for p in root.css("p") if 80 <= len(p.text(strip=True)) <= 400
        ]
        images = [
            i.attributes["src"]
            for i in root.css("img[src]")
            if (i.attributes["src"] or "").startswith("http")
        ]
        out.append(
            {
                "name": page.name,
                "title": meta["title"],
                "body": root.inner_html,
                "paragraphs": paragraphs,
                "images": images,
                "link": links[0].attributes["href"] if links else "https://en.wikipedia.org/",
            }
        )
    return out
