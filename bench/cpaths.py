"""What each of the extraction's C paths buys, measured so that a noisy machine cannot fake it.

    uv run python bench/cpaths.py [--pairs 20] [--corpus DIR]

Every C path of the extraction has a Python twin that gives the same results (the tests hold
them equal, and machines without a compiler run the twins).  For each path below, passes over
the corpus alternate between the path on and the path off, in one process and in ABBA order,
so that both sides see the same machine: a shared machine whose speed swings by tens of
percent within seconds (as bench/README.md's 2026-12-07 figures show) moves both alike.
Prints, per path, the median and the best pass (CPU time per page) each way, and the median
of the pairs' ratios (on / off, each pair's two passes run back to back: below 1, the C path is
faster).  The C walk cannot be switched off
without switching off what reads its columns: its line turns those off too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkspider import dom, regions, topics, urls
from linkspider.extract import extract
from linkspider.regions import density, main_block, names

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "readability-dev"
URL = "http://fakehost/test/page.html"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}

#: path -> the (module, attribute) pairs that switch it, with the value that turns each off
PATHS = {
    "region loops (text blocks, attempts, density sums)": [
        (main_block, "_c_text_blocks", None),
        (main_block, "_c_attempt", None),
        (density, "_c_link_prefix", None),
    ],
    "names read (describe)": [(names, "_c_describer", None)],
    "each link's decision": [(regions, "_c_decide", None)],
    "topic terms": [(topics, "_c_term_counts", None), (topics, "_c_top_terms", None)],
    "URL resolution (ada)": [(urls, "_RESOLVE_MANY", None)],
    "element walk (and what reads its columns)": [(dom, "BACKEND", "python")],
}


def switch(switches: list, on: bool, saved: dict) -> None:
    for module, name, off in switches:
        setattr(module, name, saved[module, name] if on else off)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=20, help="on/off pairs of passes per path")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    pages = [p.read_bytes() for p in sorted(args.corpus.glob("*/source.html"))]
    if not pages:
        parser.error(f"no */source.html under {args.corpus}")
    if dom.BACKEND != "c":
        parser.error(f"the C module is not in use here: {dom.BACKEND_PROBLEM}")

    def one_pass() -> float:
        started = time.process_time()
        for body in pages:
            extract(body, URL, HEADERS)
        return (time.process_time() - started) * 1000 / len(pages)

    saved = {
        (module, name): getattr(module, name)
        for switches in PATHS.values()
        for module, name, _ in switches
    }
    for switches in PATHS.values():
        for module, name, _ in switches:
            if saved[module, name] is None:
                parser.error(f"{module.__name__}.{name} is not built here")
    one_pass()  # warm: caches, imports
    print(f"{len(pages)} pages of {args.corpus.name}, {args.pairs} pairs of passes per path")
    print(
        f"{'C path':52s} {'on: median':>10s} {'best':>6s} {'off: median':>11s} {'best':>6s} {'on/off':>7s}"
    )
    for label, switches in PATHS.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(max(1, args.pairs)):
            for on in (True, False) if i % 2 else (False, True):
                switch(switches, on, saved)
                times[on].append(one_pass())
        switch(switches, True, saved)
        ratio = statistics.median(a / b for a, b in zip(times[True], times[False], strict=True))
        print(
            f"{label:52s} {statistics.median(times[True]):10.3f} {min(times[True]):6.3f} "
            f"{statistics.median(times[False]):11.3f} {min(times[False]):6.3f} {ratio:7.3f}"
        )
    print("(ms of CPU time per page; on/off: the median of the pairs' ratios)")


if __name__ == "__main__":
    main()
