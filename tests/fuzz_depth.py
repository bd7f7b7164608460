"""Fuzz the nesting bound against Lexbor's own tree, in a process of its own.

    uv run python -m tests.fuzz_depth [--seconds 30] [--inputs N] [--seed N] [--depth 24] [--limit N]

``bound_markup`` estimates the tree builder's stack of open elements from the bytes alone
and leaves out start tags that would open deeper than ``max_depth``.  The estimate is worth
something only if the tree Lexbor then builds is no deeper than a small multiple of the
bound, whatever the markup: the tree builder's cost for many tags grows with the depth of
its stack, so a shape whose depth the estimate misses (``<li><section>``, ``<span><div></span>``,
``<td>`` outside a table...) is parsed in quadratic time.  Inputs: a short random pattern of
tags from a vocabulary that names each rule of the tree builder that closes elements
(implied end tags, scopes, special elements, tables, selects, ruby, foreign content,
formatting elements), repeated hundreds of times after a random prefix.  Exit status 0 when
every tree stayed within ``2 * depth + 16`` (links not counted: SVG links nest, and every one
is kept), or ``--limit``; 1 when one did not (the input is saved and its path printed, with
the smallest case that still fails).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from linkspider import dom

TAGS = [
    # implied end tags, and what stops them
    "p", "li", "dd", "dt", "option", "optgroup", "rb", "rp", "rt", "rtc", "ruby",
    "h1", "h2", "button", "select", "input", "textarea", "keygen", "hr", "form",
    # special elements, and the boundaries of each scope
    "div", "section", "article", "nav", "address", "center", "ul", "ol", "dl", "menu",
    "blockquote", "details", "summary", "figure", "fieldset", "pre", "listing", "main",
    "object", "applet", "marquee", "template", "caption", "table", "tbody", "thead", "tfoot",
    "tr", "td", "th", "colgroup", "col", "frameset", "frame", "noscript", "iframe", "html",
    "head", "body", "img", "br", "image", "isindex", "search", "dialog", "hgroup",
    # ordinary and formatting elements
    "span", "x-a", "em", "b", "i", "font", "nobr", "a", "label", "abbr", "code", "s", "u",
    # foreign content
    "svg", "math", "g", "mi", "mo", "mtext", "foreignObject", "desc", "title", "annotation-xml",
    "path", "mglyph", "malignmark", "mn", "ms",
    # raw text, void and head elements
    "script", "style", "xmp", "noembed", "noframes", "area", "wbr", "param", "link", "meta",
    "base", "basefont", "big", "strike", "strong", "small", "tt", "q", "sub",
]  # fmt: skip


#: the tree builder's formatting elements (the list of active formatting elements holds them)
FORMATTING = frozenset(
    ("b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u")
)


def token(rng: random.Random) -> str:
    name = rng.choice(TAGS)
    roll = rng.random()
    if roll < 0.55:
        attrs = ""
        if name == "a":
            attrs = " href=/x"
        elif name == "font" and rng.random() < 0.5:
            attrs = " color=red"
        elif name in FORMATTING and rng.random() < 0.2:
            # formatting elements alike or not (the "Noah's Ark" clause compares attributes,
            # in any order)
            attrs = rng.choice([" class=a", " class=b", " id=x class=a", " class=a id=x"])
        elif name == "annotation-xml" and rng.random() < 0.5:
            attrs = " encoding=text/html"
        elif name == "input" and rng.random() < 0.5:
            attrs = " type=hidden"
        elif rng.random() < 0.05:  # quotes hold what looks like markup
            attrs = rng.choice([' title=">"', " title='<p>'", ' a="</div>"', " a=b/"])
        slash = "/" if rng.random() < 0.05 else ""
        return f"<{spelt(rng, name)}{attrs}{slash}>"
    if roll < 0.92:
        return f"</{spelt(rng, name)}{' ' if rng.random() < 0.03 else ''}>"
    return rng.choice(MARKUP)


#: Text and tokenizer corners: comments, bogus comments, a lone "<", NUL, references to
#: whitespace, to NUL and to U+FFFD (which Lexbor reads as a NUL in foreign content).
MARKUP = ["x", " ", "<!doctype html>", "<!--c-->", "<![CDATA[x]]>", "&amp;", "<", "</>",
          "<!x>", "<?x>", "</ x>", "\0", "&#0;", "<!--->", "<!-->", "&#32;", "&Tab;",
          "&#x20", "\ufffd", "&#xD800;", "<!--a--!>"]  # fmt: skip


def spelt(rng: random.Random, name: str) -> str:
    """The name as a page may write it: now and then in capitals."""
    return name.upper() if rng.random() < 0.05 else name


def case(rng: random.Random) -> tuple[list[str], list[str], int]:
    """A prefix, a unit and its repetitions."""
    prefix = [token(rng) for _ in range(rng.randint(0, 6))]
    unit = [token(rng) for _ in range(rng.randint(1, 7))]
    if rng.random() < 0.3:  # a unit of units: an inner pattern repeated, then another
        unit = unit * rng.randint(2, 6) + [token(rng) for _ in range(rng.randint(1, 4))]
    return prefix, unit, rng.randint(100, 400)


def markup_of(prefix: list[str], unit: list[str], times: int) -> bytes:
    return ("".join(prefix) + "".join(unit) * times).encode()


def minimize(prefix: list[str], unit: list[str], times: int, max_depth: int, limit: int) -> tuple:
    """The case with tokens of the prefix and the unit left out while it still fails."""
    changed = True
    while changed:
        changed = False
        for which in (0, 1):
            parts = [prefix, unit][which]
            for i in range(len(parts)):
                trial = parts[:i] + parts[i + 1 :]
                if which == 1 and not trial:
                    continue
                p, u = (trial, unit) if which == 0 else (prefix, trial)
                if depth_after_bound(markup_of(p, u, times), max_depth) > limit:
                    prefix, unit, changed = p, u, True
                    break
    return prefix, unit, times


def tree_depth(markup: bytes) -> int:
    tree = LexborHTMLParser(markup)
    if tree.root is None:
        return 0
    deepest, stack = 0, [(tree.root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        child = node.child
        while child is not None:
            # links are not counted: SVG links nest, and are kept past the bound
            stack.append((child, depth + (child.tag != "a")))
            child = child.next
    return deepest


def depth_after_bound(markup: bytes, max_depth: int) -> int:
    bounded = dom.bound_markup(markup, max_depth, 64, drop_raw=True)
    return tree_depth(bounded[0] if bounded else markup)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--inputs", type=int, default=None, help="stop after this many")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--depth", type=int, default=24)
    parser.add_argument("--limit", type=int, default=None, help="default: 2 * depth + 16")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    limit = args.limit if args.limit is not None else 2 * args.depth + 16
    deadline, count, deepest = time.monotonic() + args.seconds, 0, 0
    while time.monotonic() < deadline and (args.inputs is None or count < args.inputs):
        prefix, unit, times = case(rng)
        markup = markup_of(prefix, unit, times)
        count += 1
        depth = depth_after_bound(markup, args.depth)
        deepest = max(deepest, depth)
        if depth > limit:
            saved = Path(tempfile.mkstemp(prefix="fuzz_depth_", suffix=".html")[1])
            saved.write_bytes(markup)
            prefix, unit, times = minimize(prefix, unit, times, args.depth, limit)
            print(
                f"seed {seed}: a tree {depth} deep (bound {args.depth}): {saved}; "
                f"smallest: {''.join(prefix)!r} + {''.join(unit)!r} x {times}"
            )
            return 1
    print(f"seed {seed}: {count} inputs, every tree within {limit} (the deepest: {deepest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
