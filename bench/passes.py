"""Extraction passes over a corpus, to count instructions under callgrind.

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1 .venv/bin/python bench/passes.py 1
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.3 .venv/bin/python bench/passes.py 3

(``.venv/bin/python``, not ``uv run``: callgrind follows the process it starts.)
One warm pass costs (instructions of the 3-pass run - the 1-pass run) / 2: start-up, imports and
the first (cold) pass cancel out.  A first-sight pass (pages whose class names, hosts and
texts the process has not met, as most pages of a crawl over many sites) costs the 1-pass run
- the 0-pass run; ``--corpus`` may be given several times (``tests/data/*``).  Instruction
counts do not move with the machine's load, so they tell a change of a few percent that wall
time on a shared machine cannot (bench/README.md's "instructions per warm pass" and
"first-sight pass" figures are these).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkspider.extract import extract

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "readability-dev"
URL = "http://fakehost/test/page.html"
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("passes", type=int, help="passes over the corpus (0: start-up only)")
    parser.add_argument(
        "--corpus", type=Path, action="append", help=f"default: {DEFAULT_CORPUS.name}"
    )
    args = parser.parse_args()
    pages = []
    for corpus in args.corpus or [DEFAULT_CORPUS]:
        found = [p.read_bytes() for p in sorted(corpus.glob("*/source.html"))]
        if not found:
            parser.error(f"no */source.html under {corpus}")
        pages += found
    edges = 0
    for _ in range(args.passes):
        for body in pages:
            edges += len(extract(body, URL, HEADERS).edges)
    print(f"{args.passes} passes over {len(pages)} pages: {edges} edges")


if __name__ == "__main__":
    main()
