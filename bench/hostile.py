"""Hostile page shapes against real pages: extraction time per MB, same process.

    uv run python bench/hostile.py [--rounds N] [--no-baseline] [--timeout S] [--json OUT]

Each shape is a page built to make a parser or an extractor superlinear (deep
nesting, nested links, thousands of attributes).  The figure that matters is
its extraction time per MB divided by the real pages' (the 65 pages of
tests/data/readability-dev), measured in the same process: the bounds in
linkspider (markup bounded before parsing, link text read once per page) keep
every shape within a small factor; edge-dense shapes also produce far more
rows per MB than real pages, which is reported beside the time, with the time
per recorded edge (µs/edge; real pages' includes all their text).  Element-dense
shapes make far more elements per MB: ``x real/el`` is the time per element of the
tree the extraction parses (after the bounds) over the real pages' time per element.

The baseline beside it: Scrapy's ``LinkExtractor`` (lxml; URL, text and nofollow of
each distinct URL) on the same shapes and the same real pages, its own time per MB
over its own real pages' (``LE x real``), and linkspider's time over its time on each
shape (``vs LE``).  Each of its runs is a child process with a time limit, as a shape
may take it minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from selectolax.lexbor import LexborHTMLParser

from linkspider.dom import element_table
from linkspider.extract import bound_page, extract

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "readability-dev"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}
URL = "http://fakehost/test/page.html"

SHAPES = {
    "svg + <a href> x 32,000 (nested links)": b"<svg>" + b'<a href="/x">t' * 32_000,
    "math + <a href> x 32,000": b"<math>" + b'<a href="/x">t' * 32_000,
    "<div><a href> x 100,000 (nested)": b'<div><a href="/x">t' * 100_000,
    "<div> x 100,000 (nested)": b"<div>" * 100_000,
    "one element, 100,000 attributes": b"<a "
    + b" ".join(b"a%d=1" % i for i in range(100_000))
    + b' href="/x">x</a>',
    "<table><tr><td> x 20,000 (nested tables)": b"<table><tr><td>" * 20_000,
    "<b><i><u> x 30,000 (nested inline)": b"<b><i><u>" * 30_000,
    "<a href><object> x 20,000 (nested links)": b'<a href="/x">t<object>' * 20_000,
    # foreign elements nest where HTML would close them or keep them void
    "math + <title> x 100,000": b"<math>" + b"<title>t" * 100_000,
    "math + <link> x 100,000": b"<math>" + b"<link>t" * 100_000,
    "svg + <base> x 100,000": b"<svg>" + b"<base>t" * 100_000,
    # Lexbor's work for each option grows with the options before it in its select
    "<select> + <option>x x 60,000": b"<select>" + b"<option>x" * 60_000,
    "(<select> + <option>x x 256) x 200": (b"<select>" + b"<option>x" * 256 + b"</select>") * 200,
    # the parser keeps each new tag or attribute name in a table that slows as it grows
    "80,000 distinct tag names": b"".join(b"<t%d>x</t%d>" % (i, i) for i in range(80_000)),
    "80,000 distinct attribute names": b"".join(b"<p a%d=1>x</p>" % i for i in range(80_000)),
    # the tree builder keeps these open where a simpler estimate of its stack would close them
    # (seconds each before the bound followed its rules, 2026-12-07)
    "<li><section> x 40,000": b"<li><section>" * 40_000,
    "<span><section></span> x 25,000": b"<span><section></span>" * 25_000,
    "<option><i> x 40,000": b"<option><i>" * 40_000,
    "<optgroup> x 50,000": b"<optgroup>" * 50_000,
    "<b><div></b> x 40,000": b"<b><div></b>" * 40_000,
    "<button><em> x 40,000": b"<button><em>" * 40_000,
    # every <html> tag's new attributes go to the one html element, checked against its others
    "<html aN=1> x 40,000 (5,000 names)": b"".join(
        b"<html a%d=1>" % (i % 5000) for i in range(40_000)
    ),
    # an element every few bytes, at the nesting bound: each start tag that closes a <p> (and
    # each </p>) looks down the tree builder's stack for one
    "<div> x 127, <li> x 100,000": b"<div>" * 127 + b"<li>" * 100_000,
    "<div> x 127, </p> x 100,000": b"<div>" * 127 + b"</p>" * 100_000,
    "<div>, <p> x 100,000": b"<div>" + b"<p>" * 100_000,
    # each new paragraph opens the unclosed formatting elements again
    "200 unclosed <b id>, <p>x</p> x 50,000": b"<p>"
    + b"".join(b"<b id=%d>" % i for i in range(200))
    + b"</p>"
    + b"<p>x</p>" * 50_000,
}
#: An article's opening, before each unit below is repeated.
ARTICLE = (
    b"<article>" + b"<p>" + b"Words of an article, with commas, and more words. " * 5 + b"</p>"
)
#: What the region model looks for, repeated inside an article (each question about one of
#: them must cost a lookup, not a scan of the others; tests/test_extract.py checks 30,000 of
#: each within a CPU bound).
ARTICLE_UNITS = {
    "data tables": b'<div><table><tr><th>x</th><td><a href="/x">y</a></td></tr></table></div>',
    "embedded posts": (
        b'<div><blockquote class="twitter-tweet"><a href="/x">y</a></blockquote></div>'
    ),
    "code": b'<div><code><a href="/x">y</a></code></div>',
    "grid columns": b'<div class="col-md-3"><a href="/x">y</a></div>',
    "text-less containers": b"<div><b>x</b></div><ul><li><a href=/x>y</a></li></ul>",
    "hidden links": b'<div hidden><a href="/x">y</a></div>',
    "related lists": b'<h3>Related</h3><ul><li><a href="/x">y</a></li></ul>',
    "teasers": b'<div><h3><a href="/x">A headline</a></h3><p>An excerpt of the story.</p></div>',
    "lists inside divs": b'<div><ul><li><img src="i"><a href="/x">y</a></li></ul></div>',
    "side columns": b'<div id="main"></div><div class="right-column"><a href="/x">y</a></div>',
    "credit lines": (b'<figure><figcaption>Photo by <a href="/x">A Name</a></figcaption></figure>'),
    "product boxes": b'<div class="shopping"><img src="i"><a href="/x">$9 at Shop</a></div>',
    "nested product boxes": b'<div><a href="/x">Buy now</a>',
    "content-named boxes": (
        b'<div class="entry-content"><p>Words, words: <a href="/x">y</a></p></div>'
    ),
    "nested content-named boxes": (
        b'<div class="sidebar"><div class="entry-content">Words, <a href="/x">y</a> words'
    ),
}
SHAPES.update(
    {
        f"article + {name} x 30,000": ARTICLE * 3 + unit * 30_000
        for name, unit in ARTICLE_UNITS.items()
    }
)


def seconds(body: bytes, rounds: int) -> tuple[float, int]:
    best, edges = float("inf"), 0
    for _ in range(rounds):
        started = time.process_time()
        page = extract(body, URL, HEADERS)
        best = min(best, time.process_time() - started)
        edges = len(page.edges)
    return best, edges


def elements(body: bytes) -> int:
    """Elements of the tree the extraction parses: the markup after the bounds."""
    return len(element_table(LexborHTMLParser(bound_page(body)[0])).tag)


def linkextractor_seconds(name: str, rounds: int) -> float:
    """Scrapy's LinkExtractor on the real pages (``name`` "real") or a shape: CPU seconds,
    best of ``rounds`` (one round when the first takes over a second)."""
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor

    extractor = LinkExtractor()
    bodies = (
        [p.read_bytes() for p in sorted(CORPUS.glob("*/source.html"))]
        if name == "real"
        else [SHAPES[name]]
    )
    for body in bodies:  # warm, as the pages are for linkspider
        extractor.extract_links(HtmlResponse(URL, body=body, headers=HEADERS))
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for body in bodies:
            extractor.extract_links(HtmlResponse(URL, body=body, headers=HEADERS))
        best = min(best, time.process_time() - started)
        if best > 1.0:
            break
    return best


def baseline(name: str, rounds: int, timeout: float) -> float | None:
    """:func:`linkextractor_seconds` in a child process; None past ``timeout`` seconds."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--linkextractor", name, "--rounds", str(rounds)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-baseline", action="store_true", help="leave Scrapy's LinkExtractor out"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds LinkExtractor may take on one shape, warm-up included (default 30)",
    )
    parser.add_argument("--linkextractor", metavar="SHAPE", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.linkextractor is not None:  # a child process of baseline()
        print(linkextractor_seconds(args.linkextractor, args.rounds))
        return
    pages = [p.read_bytes() for p in sorted(CORPUS.glob("*/source.html"))]
    for body in pages:  # warm the caches as a crawl has them
        extract(body, URL, HEADERS)
    real_time = 0.0
    real_edges = real_elements = 0
    for body in pages:
        t, e = seconds(body, args.rounds)
        real_time += t
        real_edges += e
        real_elements += elements(body)
    real_mb = sum(map(len, pages)) / 1e6
    real = real_time / real_mb
    use_baseline = not args.no_baseline
    le_real = baseline("real", args.rounds, args.timeout) if use_baseline else None
    rows = [("real pages (65)", real_mb, real_time, real_edges, real_elements, 1.0, le_real)]
    for name, body in SHAPES.items():
        t, e = seconds(body, args.rounds)
        mb = len(body) / 1e6
        le = baseline(name, args.rounds, args.timeout) if use_baseline else None
        rows.append((name, mb, t, e, elements(body), (t / mb) / real, le))
    print(
        f"{'page':46} {'MB':>6} {'s':>7} {'ms/MB':>8} {'edges/MB':>9} {'x real':>7} {'µs/edge':>8}"
        f" {'el/MB':>8} {'x real/el':>9}"
        + (f" {'LE x real':>10} {'vs LE':>7}" if use_baseline else "")
    )
    real_per_element = real_time / real_elements
    for name, mb, t, e, n, ratio, le in rows:
        per_edge = f"{t / e * 1e6:8.1f}" if e >= 100 else f"{'-':>8}"
        line = (
            f"{name:46} {mb:6.2f} {t:7.3f} {t / mb * 1000:8.1f} {e / mb:9.0f} {ratio:7.1f}"
            f" {per_edge} {n / mb:8.0f} {(t / max(n, 1)) / real_per_element:9.1f}"
        )
        if use_baseline:
            if le is None or le_real is None:
                limit = f"> {args.timeout:g} s"
                line += f" {limit:>10} {'-':>7}"
            else:
                line += f" {(le / mb) / (le_real / real_mb):10.1f} {t / le:7.2f}"
        print(line)
    if use_baseline:
        print(
            "LE x real: Scrapy's LinkExtractor's time per MB over its real pages'; "
            "vs LE: linkspider's time over LinkExtractor's on the same page"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        keys = ("page", "mb", "seconds", "edges", "elements", "ratio", "linkextractor_seconds")
        args.json.write_text(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], indent=1))


if __name__ == "__main__":
    main()
