"""Extraction throughput on a corpus: linkspider's core against Scrapy's LinkExtractor.

    uv run python bench/extract.py [--corpus DIR] [--repeat N] [--json OUT]

Both run in this process, interleaved, on the same pages (one core).  The
ratio is what to quote: absolute figures move with the machine's load.
A bare Lexbor parse of each page is timed too, as the practical ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkspider import dom
from linkspider.extract import extract

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "readability-dev"
BASE = "http://fakehost/test/page.html"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def load(corpus: Path) -> list[bytes]:
    pages = [p.read_bytes() for p in sorted(corpus.glob("*/source.html"))]
    if not pages:
        raise SystemExit(f"no */source.html under {corpus}")
    return pages


def run_linkspider(pages: list[bytes]) -> int:
    return sum(len(extract(body, BASE, HEADERS).edges) for body in pages)


def run_linkextractor(pages: list[bytes]) -> int:
    extractor = LinkExtractor()
    return sum(
        len(extractor.extract_links(HtmlResponse(BASE, body=body, headers=HEADERS)))
        for body in pages
    )


def run_lexbor(pages: list[bytes]) -> int:
    for body in pages:
        LexborHTMLParser(body)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds; the best round of each counts"
    )
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    pages = load(args.corpus)
    megabytes = sum(map(len, pages)) / 1e6
    runners = {
        "linkspider": run_linkspider,
        "LinkExtractor": run_linkextractor,
        "lexbor parse only": run_lexbor,
    }
    best = dict.fromkeys(runners, float("inf"))
    edges = {}
    run_linkspider(pages)  # warm caches (tldextract snapshot, imports)
    for _ in range(args.repeat):
        for name, fn in runners.items():  # interleaved: load drifts hit every contender
            started = time.process_time()
            edges[name] = fn(pages)
            best[name] = min(best[name], time.process_time() - started)
    print(
        f"{len(pages)} pages, {megabytes:.1f} MB, best of {args.repeat} rounds (CPU time, one core)"
    )
    print(f"{'':20s} {'pages/s':>9s} {'MB/s':>7s} {'edges/s':>9s} {'ms/page':>8s}")
    results = {}
    for name, seconds in best.items():
        row = {
            "pages_per_s": len(pages) / seconds,
            "mb_per_s": megabytes / seconds,
            "edges_per_s": edges[name] / seconds if edges[name] else None,
            "ms_per_page": seconds * 1000 / len(pages),
            "edges": edges[name],
        }
        results[name] = row
        eps = f"{row['edges_per_s']:9.0f}" if row["edges_per_s"] else f"{'-':>9s}"
        print(
            f"{name:20s} {row['pages_per_s']:9.0f} {row['mb_per_s']:7.1f} {eps} {row['ms_per_page']:8.2f}"
        )
    ratio = best["LinkExtractor"] / best["linkspider"]
    print(
        f"linkspider / LinkExtractor speed: {ratio:.2f}x (every field incl. region, vs url+text+nofollow)"
    )
    print(
        f"element walk: {dom.BACKEND} (linkspider._dom {'built' if dom.BACKEND == 'c' else 'NOT built'})"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "results": results,
            "ratio_vs_linkextractor": ratio,
            "walk_backend": dom.BACKEND,
            "pages": len(pages),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
        }
        args.json.write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
