"""Build the wiki labelled sets: MediaWiki's own skins (and ikiwiki's template) around real
article text.

    python bench/labels/wiki/build.py OUT            # MediaWiki's five skins
    python bench/labels/wiki/build.py OUT ikiwiki    # ikiwiki (see ikiwiki())
    python bench/labels/wiki/build.py OUT dokuwiki   # DokuWiki (see dokuwiki())

Needs Debian 12's ``mediawiki`` (1.39, with its skins Vector, MonoBook, Timeless and
MinervaNeue), ``php-cli`` and ``php-sqlite3``.  The script installs a wiki on SQLite in a
temporary directory (``maintenance/install.php``), writes its settings to
/etc/mediawiki/LocalSettings.php (where Debian's MediaWiki reads them) with raw HTML allowed
in pages, creates each page (``maintenance/edit.php``) and fetches it from PHP's built-in
server on 127.0.0.1 with ``Host: fakehost`` in one of five skins (``useskin``).

Each skin shows eight pages of its own, ``tests/data/readability-dev`` articles
(``bench/labels/articles.py``) chosen at random (seed 20261207 and the skin's name), each in a
category; around them the skin's header, search, personal tools, page tabs, sidebar
(navigation, tools), category box and footer.  Every link of an article is marked
(``data-ls-content``) before it goes into the wiki; ``node bench/labels/label.mjs --marked
data-ls-content DIR`` labels the pages and takes the marks out.  The pages differ between
builds only in times, revision and request ids (and DokuWiki's in its assets' seed).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from articles import (  # noqa: E402  (bench/labels/articles.py)
    BLOGROLL,
    CATEGORIES,
    articles,
    markdown_block,
    marked,
    plain,
)
from php_site import php_site  # noqa: E402  (bench/labels/php_site.py)

MEDIAWIKI = Path("/usr/share/mediawiki")
WEB_ROOT = Path("/var/lib/mediawiki")
SKINS = ("vector-2022", "vector", "monobook", "timeless", "minerva")
PAGES = 8
PORT = 8090
DOKUWIKI = Path("/usr/share/dokuwiki")
DOKUWIKI_DATA = Path("/var/lib/dokuwiki/data")
DOKUWIKI_PORT = 8091


def title(text: str) -> str:
    """A page title MediaWiki takes: no ``#<>[]|{}``, at most 200 characters."""
    return re.sub(r"[#<>\[\]|{}_]+", " ", text).strip()[:200] or "Untitled"


def ikiwiki(out: Path, pool: list[dict]) -> None:
    """ikiwiki 3.20200202 (Debian 12's ``ikiwiki``), a wiki compiler, with its default page
    template: the parent links, a sidebar (the wiki's pages and a blogroll, the ``sidebar``
    plugin), the page's actions (Edit, RecentChanges, Preferences, Discussion: a CGI URL is
    set), its tags (``tag``, pages made for them) and the footer.  Eight pages, ``readability-dev``
    articles (seed 20261207 and the template's name), as raw HTML in Markdown (its HTML
    scrubber off, as a wiki of trusted editors has it)."""
    draw = random.Random("20261207-ikiwiki")
    with tempfile.TemporaryDirectory() as tmp:
        src, dest = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        (src / "index.mdwn").write_text('Notes, kept.\n\n[[!map pages="* and !sidebar"]]\n')
        blogroll = "".join(f"* [{t}]({u})\n" for t, u in BLOGROLL)
        (src / "sidebar.mdwn").write_text(
            f"* [[Home|index]]\n* [[RecentChanges]]\n\n**Blogroll**\n\n{blogroll}"
        )
        slugs = []
        for article in draw.sample(pool, PAGES):
            tags = " ".join(sorted({draw.choice(CATEGORIES).lower(), "notes"}))
            (src / f"{article['name']}.mdwn").write_text(
                f"[[!meta title={json.dumps(title(article['title']))}]]\n[[!tag {tags}]]\n\n"
                f"<div>{markdown_block(marked(article['body']))}</div>\n",
                encoding="utf-8",
            )
            slugs.append(article["name"])
        subprocess.run(
            ["ikiwiki", "--plugin", "goodstuff", "--plugin", "sidebar", "--plugin", "meta",
             "--disable-plugin", "htmlscrubber", "--set", "wikiname=The Field Notebook Wiki",
             "--set", "tagbase=tags", "--set", "tag_autocreate=1", "--set", "timeformat=%F",
             "--url=http://fakehost/", "--cgiurl=http://fakehost/ikiwiki.cgi",
             str(src), str(dest)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for slug in slugs:
            (out / f"ikiwiki-default--{slug}").mkdir(parents=True, exist_ok=True)
            shutil.copy(
                dest / slug / "index.html", out / f"ikiwiki-default--{slug}" / "source.html"
            )
        print(len(slugs), "ikiwiki pages")


def dokuwiki(out: Path, pool: list[dict]) -> None:
    """DokuWiki 2022-07-31a (Debian 12's ``dokuwiki``) with its default template: site tools
    (Recent Changes, Media Manager, Sitemap), the user's tools (Log in), the trace, a sidebar
    (the wiki's pages and a blogroll), page tools (Edit, Old revisions, Backlinks) and the
    footer (licence and buttons).  Eight pages, ``readability-dev`` articles (seed 20261207
    and the template's name), each in a namespace of its category, as raw HTML (``htmlok``, as
    a wiki of trusted editors has it).  Its settings go to /etc/dokuwiki/local.protected.php
    and its pages to /var/lib/dokuwiki/data/pages while it runs; both are taken out after."""
    draw = random.Random("20261207-dokuwiki")
    pages_dir = DOKUWIKI_DATA / "pages"
    settings = Path("/etc/dokuwiki/local.protected.php")
    settings.write_text(
        "<?php\n$conf['title'] = 'The Field Notebook Wiki';\n$conf['htmlok'] = 1;\n"
        "$conf['baseurl'] = 'http://fakehost';\n",
        encoding="utf-8",
    )
    written: list[Path] = []
    derived = ("cache", "index", "meta", "attic")  # what DokuWiki derives from its pages
    before = {path for folder in derived for path in (DOKUWIKI_DATA / folder).iterdir()}

    def write(page: Path, text: str) -> None:
        if not page.parent.is_dir():
            page.parent.mkdir(parents=True)
            written.append(page.parent)  # (a namespace's folder: taken out after its pages)
        page.write_text(text, encoding="utf-8")
        written.append(page)

    try:
        blogroll = "".join(f"  * [[{u}|{t}]]\n" for t, u in BLOGROLL)
        write(pages_dir / "start.txt", "====== The Field Notebook Wiki ======\n\nNotes, kept.\n")
        write(pages_dir / "sidebar.txt", f"  * [[start|Home]]\n\n**Blogroll**\n\n{blogroll}")
        ids = {}
        for article in draw.sample(pool, PAGES):
            namespace = draw.choice(CATEGORIES).lower()
            write(
                pages_dir / namespace / f"{article['name']}.txt",
                f"====== {plain(article['title'])} ======\n\n"
                f"<html>{marked(article['body'])}</html>\n",
            )
            ids[article["name"]] = f"{namespace}:{article['name']}"
        with php_site(DOKUWIKI, DOKUWIKI_PORT, "/doku.php?id=start") as fetch:
            for slug, page_id in ids.items():
                (out / f"dokuwiki-default--{slug}").mkdir(parents=True, exist_ok=True)
                (out / f"dokuwiki-default--{slug}" / "source.html").write_bytes(
                    fetch(f"/doku.php?id={page_id}")
                )
        print(len(ids), "DokuWiki pages")
    finally:
        settings.unlink(missing_ok=True)
        for path in reversed(written):
            path.rmdir() if path.is_dir() else path.unlink(missing_ok=True)
        for folder in derived:  # what it derived from this build's pages
            for path in set((DOKUWIKI_DATA / folder).iterdir()) - before:
                shutil.rmtree(path) if path.is_dir() else path.unlink()


def main() -> None:
    out = Path(sys.argv[1])
    pool = articles()
    if sys.argv[2:] == ["ikiwiki"]:
        ikiwiki(out, pool)
        return
    if sys.argv[2:] == ["dokuwiki"]:
        dokuwiki(out, pool)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # the installer refuses to run where a wiki's settings already are
        Path("/etc/mediawiki/LocalSettings.php").unlink(missing_ok=True)
        subprocess.run(
            ["php", str(MEDIAWIKI / "maintenance" / "install.php"), "--dbtype=sqlite",
             f"--dbpath={work / 'db'}", "--dbname=wiki", "--server=http://fakehost",
             "--scriptpath=", "--lang=en", "--pass=Field-notebook-2026", f"--confpath={work}",
             "--skins=Vector,MonoBook,Timeless,MinervaNeue", "The Field Notebook Wiki", "Editor"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with (work / "LocalSettings.php").open("a", encoding="utf-8") as settings:
            settings.write("\n$wgRawHtml = true;\n$wgEnableUploads = false;\n")
        shutil.copy(work / "LocalSettings.php", "/etc/mediawiki/LocalSettings.php")
        pages: dict[str, str] = {}  # OUT name -> page title
        made: set[str] = set()
        for skin in SKINS:
            draw = random.Random(f"20261207-{skin}")
            for article in draw.sample(pool, PAGES):
                name = title(article["title"])
                category = draw.choice(CATEGORIES)
                if name not in made:
                    body = marked(article["body"])
                    subprocess.run(
                        ["php", str(MEDIAWIKI / "maintenance" / "edit.php"), "--user", "Editor",
                         name],
                        input=f"<html>{body}</html>\n\n[[Category:{category}]]\n",
                        text=True, check=True, stdout=subprocess.DEVNULL,
                    )  # fmt: skip
                    made.add(name)
                pages[f"mediawiki-{skin}--{article['name']}"] = f"{name}\0{skin}"
        with php_site(WEB_ROOT, PORT, "/index.php?title=Main_Page") as fetch:
            for key, spec in pages.items():
                name, skin = spec.split("\0")
                query = urllib.parse.urlencode({"title": name.replace(" ", "_"), "useskin": skin})
                (out / key).mkdir(parents=True, exist_ok=True)
                (out / key / "source.html").write_bytes(fetch(f"/index.php?{query}"))
            print(len(pages), "pages")


if __name__ == "__main__":
    main()
