"""Fuzz the C walk against the Python walk (and the region model's C loops against their
Python twins), in a process of its own.

    uv run python -m tests.fuzz_dom [--seconds 30] [--seed N]

Inputs: random bytes, real pages of tests/data mutated (bytes flipped, chunks
cut, repeated or spliced from another page, tags inserted from a vocabulary
that exercises the tree builder: foreign content, tables, templates, anchors),
and deep nesting of each shape.  For every input the two walks must give the
same columns (with the usual text caps and with tiny ones), and so must the
markup bounded with tight bounds (which must never crash either); on the C walk's table the
main block's text blocks and attempts and the link density's sums must equal their Python
twins.  Exit status 0 when they always did; 1 when they did not (the input is saved and its
path printed).  A crash of the C walk kills the process:
tests/test_dom.py runs this in a subprocess and sees the signal.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from linkspider import dom, regions
from linkspider.regions import density, main_block
from linkspider.regions.names import Names

PAGES = sorted((Path(__file__).parent / "data" / "readability-dev").glob("*/source.html"))
TAGS = [
    "<svg>", "</svg>", "<math>", "</math>", "<foreignObject>", "</foreignObject>", "<mi>",
    "<mtext>", "<annotation-xml encoding='text/html'>", "<desc>", "<title>", "</title>",
    "<table>", "</table>", "<tr>", "<td>", "<caption>", "<colgroup>", "<template>",
    "</template>", "<noscript>", "</noscript>", "<script>", "</script>", "<style>", "</style>",
    "<a href='/x'>", "</a>", "<a xlink:href='/y'>", "<area href=/z>", "<base href='/b/'>",
    "<meta http-equiv=refresh content='0;url=/r'>", "<link rel=canonical href=/c>", "<p>",
    "</p>", "<div class=content>", "</div>", "<ul><li>", "<select><option>", "<object>",
    "<frameset>", "<noframes>", "<script><!--", "<SCRIPT >", "<plaintext>", "<xmp>", "<textarea>", "<!--", "-->", "<![CDATA[", "]]>",
    "<img alt=a>", "<html a=b>", "<body c=d>", "<b><i><u>", "</b></i>", "\x00", "&amp;",
    "&#0;", "&#x110000;", "\ud800", "\ufeff", "<p/>", "<a href>", "<a href=''>",
    "<div role=main id=x class>", "<title>t</title>", "<head>", "</head>", "<!-->", "--!>",
    "</t a='>'>", "</ x>", "</>", "<svg/>", "<desc>",
    "<option>", "<optgroup>", "<option selected>", "<b id=1>", "<b id=2>", "<font size=3>",
    "</object>", "<caption>", "</td>", "</tr>", "<x-a k1=1>", "<x-b k2=2>", "</x-a>", "<mo>",
    "<math><title>", "<svg><base>", "<link>",
]  # fmt: skip
DEEP = [
    ("<div>", "</div>"),
    ("<svg><a href='/x'>", ""),
    ("<math><mi>", ""),
    ("<table><tr><td>", "</td></tr></table>"),
    ("<a href=/n>", "</a>"),
    ("<b>", ""),
    ("<template>", "</template>"),
    ("<object>", ""),
]


def tables_equal(markup: bytes) -> bool:
    tree = LexborHTMLParser(markup)
    if tree.root is None:
        return True
    for caps in ((512, 1024), (3, 5)):
        if dom._columns(dom._c_walk(tree.root, *caps)) != dom._columns(
            dom.python_walk(tree.root, *caps)
        ):
            return False
    return True


def regions_equal(markup: bytes) -> bool:
    """The region model's C loops over the C walk's table, and its names read in C, answer as
    their Python twins."""
    tree = LexborHTMLParser(markup)
    if tree.root is None:
        return True
    table = dom._c_walk(tree.root)
    if dom.BACKEND != "c" or type(table.parent) is not memoryview:
        return True
    blocks = main_block.text_blocks(table)
    if blocks != main_block.python_text_blocks(table):
        return False
    if density.LinkDensity(table).prefix != density.python_link_prefix(table):
        return False
    for strip_unlikely, weights, _ in main_block._ATTEMPTS:
        answers = []
        for c_path in (True, False):
            chooser = main_block._Chooser(table, Names(table), density.LinkDensity(table))
            if c_path:
                answers.append(chooser.attempt(blocks, strip_unlikely, weights))
            else:
                kept = [b for b in blocks if not (strip_unlikely and chooser._in_unlikely(b[0]))]
                answers.append(chooser.python_attempt(kept, weights))
        if answers[0] != answers[1]:
            return False
    links = [ref[0] for ref in table.refs if ref[1] in ("a", "area") and ref[2] is not None]
    decided = regions._Classifier(table, links)
    if decided.decide(links) != regions._Classifier(table, links).python_decide(links):
        return False
    fast, slow = Names(table), Names(table)  # names read in C (their common cases) or not
    slow.__dict__.pop("describe", None)
    for key in range(len(table.tag)):
        if slow.describe(key) != fast.describe(key):
            return False
    columns = ("cues", "weights", "unlikelies", "columns", "main_named")
    return all(getattr(fast, c) == getattr(slow, c) for c in columns)


def bounded_equal(markup: bytes) -> bool:
    """The markup bounding (tight bounds, so that it rewrites): it never crashes, and
    what it gives is walked alike too; and leaving script and style text out before the
    parse (no bounds) changes no column of the table."""
    bounded = dom.bound_markup(
        markup, 8, 4, drop_raw=True, max_formatting=2, max_options=3, max_names=6
    )
    if bounded is not None and not tables_equal(bounded[0]):
        return False
    light = dom.bound_markup(markup, 1 << 30, 1 << 30, drop_raw=True)
    if light is None:
        return True
    before, after = LexborHTMLParser(markup).root, LexborHTMLParser(light[0]).root
    if before is None or after is None:
        return before is None and after is None
    return not light[1] and dom._columns(dom._c_walk(after)) == dom._columns(dom._c_walk(before))


def mutate(rng: random.Random, page: bytes) -> bytes:
    data = bytearray(page)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:  # flip bytes
            for _ in range(rng.randint(1, 16)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:  # cut a chunk
            del data[at : at + rng.randint(1, 4096)]
        elif kind == 2:  # repeat a chunk
            chunk = data[at : at + rng.randint(1, 512)]
            data[at:at] = chunk * rng.randint(1, 20)
        elif kind == 3:  # splice from another page
            other = rng.choice(PAGES).read_bytes()
            start = rng.randrange(len(other))
            data[at:at] = other[start : start + rng.randint(1, 8192)]
        elif kind == 4:  # insert tags
            insert = "".join(rng.choice(TAGS) for _ in range(rng.randint(1, 30)))
            data[at:at] = insert.encode("utf-8", "surrogatepass")
        else:  # truncate
            del data[at:]
    return bytes(data)


def cases(rng: random.Random):
    while True:
        kind = rng.randrange(4)
        if kind == 0:
            yield bytes(rng.randrange(256) for _ in range(rng.randint(0, 4096)))
        elif kind == 1:
            open_tag, close_tag = rng.choice(DEEP)
            depth = rng.choice([100, 1000, 5000])
            yield ((open_tag * depth) + "text" + (close_tag * depth)).encode()
        else:
            yield mutate(rng, rng.choice(PAGES).read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if dom.BACKEND != "c":
        print(f"the C walk is not in use: {dom.BACKEND_PROBLEM}")
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    deadline = time.monotonic() + args.seconds
    count = 0
    for markup in cases(rng):
        if time.monotonic() > deadline:
            break
        count += 1
        if not (tables_equal(markup) and bounded_equal(markup) and regions_equal(markup)):
            with tempfile.NamedTemporaryFile("wb", suffix=".html", delete=False) as handle:
                handle.write(markup)
            print(f"seed {seed}, case {count}: the walks differ; input saved as {handle.name}")
            return 1
    print(
        f"seed {seed}: {count} inputs, the C and Python walks (and region loops) equal on every one"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
