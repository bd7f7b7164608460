"""Build the WordPress labelled sets: real WordPress templates around real article text.

    python bench/labels/wordpress/build.py OUT

Needs Debian 12's wordpress (6.1) and its three wordpress-theme-* packages, php-cli, php-mysql
and a running mariadb-server on which root may connect by socket; the script makes the
database and user "wp" anew, installs /etc/wordpress/config-default.php from this directory,
runs WordPress's install and fills the site (populate.php).  The pages in tests/data were
built before php-xml was installed (MediaWiki's build brings it): with it, WordPress adds one
``<link rel="alternate" type="text/xml+oembed">`` to each page's head, and nothing else differs.

Every page of the web on which WordPress's default themes are run carries the same furniture
around its article: a menu named "Main Menu", entry meta, tags, post navigation, comments with
their authors' links, an author bio, a blogroll and the install's default widgets.  Posts are
the article bodies of ``tests/data/readability-dev`` (Readability's extraction of each page,
links and images included), so the one fact a label needs is exact: a link is content when it is
inside the post's content element, which WordPress writes itself (``.entry-content`` in the
classic theme, ``.wp-block-post-content`` in the block themes).  Comments are sentences of other
articles.  Each theme gets ten posts of its own (chosen at random, seed 20261207) and the About
page; pages are fetched from PHP's built-in server on 127.0.0.1 with ``Host: fakehost``.

Writes OUT/THEME--NAME/source.html; ``node bench/labels/label.mjs --content SELECTOR OUT`` then
labels them.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from articles import (  # noqa: E402  (bench/labels/articles.py)
    AUTHOR,
    BLOGROLL,
    CATEGORIES,
    READERS,
    SITE,
    SOCIAL,
    articles,
)
from php_site import php_site  # noqa: E402  (bench/labels/php_site.py)

THEMES = ("twentytwentyone", "twentytwentytwo", "twentytwentythree")
PORT = 8089


def gallery(images: list[str]) -> str:
    """A gallery block of the article's own images, each linked to its file, as WordPress saves it."""
    figures = "".join(
        f'<!-- wp:image --><figure class="wp-block-image size-large"><a href="{src}">'
        f'<img src="{src}" alt=""/></a></figure><!-- /wp:image -->'
        for src in images[:4]
    )
    return (
        '<!-- wp:gallery {"linkTo":"media"} --><figure class="wp-block-gallery has-nested-images'
        f' columns-default is-cropped">{figures}</figure><!-- /wp:gallery -->'
    )


def spec(rng: random.Random, pool: list[dict]) -> tuple[dict, dict[str, list[str]]]:
    chosen = rng.sample(pool, 10 * len(THEMES))
    talk = [p for a in pool for p in a["paragraphs"]]
    posts, by_theme = [], {t: [] for t in THEMES}
    for i, article in enumerate(chosen):
        body = article["body"]
        if i % 3 == 0 and len(article["images"]) >= 2:
            body = body + gallery(article["images"])
        words = [w.lower() for w in re.findall(r"[A-Za-z]{5,}", article["title"])]
        comments = []
        for j in range(rng.randrange(0, 5)):
            text = rng.choice(talk)
            other = rng.choice(pool)
            if rng.random() < 0.3:  # commenters post links too
                text += f' See <a href="{other["link"]}">this piece</a>.'
            comments.append(
                {
                    "author": rng.choice(READERS),
                    "url": f"https://reader{j}.example.net/" if rng.random() < 0.5 else "",
                    "text": text,
                }
            )
        key = f"{THEMES[i // 10]}--{article['name']}"
        by_theme[THEMES[i // 10]].append(key)
        posts.append(
            {
                "key": key,
                "title": article["title"],
                "content": body,
                "categories": rng.sample(CATEGORIES, rng.randrange(1, 3)),
                "tags": sorted(set(words))[:4],
                "comments": comments,
            }
        )
    about = rng.choice(talk)
    site = {
        "tagline": "Reading the news so you do not have to",
        "author": {
            "name": AUTHOR,
            "bio": f"{AUTHOR} edits {SITE}. Elsewhere: "
            '<a href="https://morganreyes.example.net/">morganreyes.example.net</a>.',
            "url": "https://morganreyes.example.net/",
        },
        "pages": [
            {
                "key": "about",
                "title": "About",
                "content": f"<p>{about}</p><p>Write to us through the "
                '<a href="http://fakehost/contact/">contact page</a>, or read the '
                '<a href="https://www.w3.org/Provider/Style/URI">note on cool URIs</a> '
                "that our archive follows.</p>",
            },
            {"key": "contact", "title": "Contact", "content": "<p>Write to the editors.</p>"},
        ],
        "posts": posts,
        "menus": [
            {
                "name": "Main Menu",
                "location": "primary",
                "items": [
                    {"title": "Home", "url": "http://fakehost/"},
                    {"title": "About", "page": "about"},
                ]
                + [{"title": c, "category": c} for c in CATEGORIES[:3]],
            },
            {
                "name": "Social",
                "location": "footer",
                "items": [{"title": t, "url": u} for t, u in SOCIAL],
            },
        ],
        "blogroll": "<!-- wp:heading --><h2>Blogroll</h2><!-- /wp:heading --><!-- wp:list --><ul>"
        + "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in BLOGROLL)
        + "</ul><!-- /wp:list -->",
        "themes": list(THEMES),
    }
    return site, by_theme


def main() -> None:
    out = Path(sys.argv[1])
    site, by_theme = spec(random.Random(20261207), articles())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(site, f)
    subprocess.run(
        [
            "mariadb",
            "-e",
            "DROP DATABASE IF EXISTS wp; CREATE DATABASE wp;"
            " CREATE USER IF NOT EXISTS 'wp'@'localhost' IDENTIFIED BY 'wp';"
            " GRANT ALL ON wp.* TO 'wp'@'localhost';",
        ],
        check=True,
    )
    shutil.copy(HERE / "config-default.php", "/etc/wordpress/config-default.php")
    subprocess.run(["php", str(HERE / "install.php")], check=True)
    ids = json.loads(
        subprocess.run(
            ["php", str(HERE / "populate.php"), f.name], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with php_site(Path("/usr/share/wordpress"), PORT, "/wp-includes/images/blank.gif") as fetch:
        for theme in THEMES:
            subprocess.run(["php", str(HERE / "switch.php"), theme], check=True)
            pages = {key: f"/?p={ids['posts'][key]}" for key in by_theme[theme]}
            pages[f"{theme}--about"] = f"/?page_id={ids['pages']['about']}"
            for key, path in pages.items():
                (out / key).mkdir(parents=True, exist_ok=True)
                (out / key / "source.html").write_bytes(fetch(path))
                print(key, path)


if __name__ == "__main__":
    main()
