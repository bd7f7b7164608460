"""Extraction passes over a corpus, to count instructions under callgrind.

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1 .venv/bin/python bench/passes.py 1
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.3 .venv/bin/python bench/passes.py 3

(``.venv/bin/python``, not ``uv run``: callgrind follows the process it starts.)
One warm pass costs (instructions of the 3-pass run - the 1-pass run) / 2: start-up, imports and
the first (cold) pass cancel out.  Instruction counts do not move with the machine's load, so
they tell a change of a few percent that wall time on a shared machine cannot
(bench/README.md's "instructions per warm pass" figures are these).
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
    parser.add_argument("passes", type=int, help="passes over the corpus")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    pages = [p.read_bytes() for p in sorted(args.corpus.glob("*/source.html"))]
    if not pages:
        parser.error(f"no */source.html under {args.corpus}")
    edges = 0
    for _ in range(args.passes):
        for body in pages:
            edges += len(extract(body, URL, HEADERS).edges)
    print(f"{args.passes} passes over {len(pages)} pages: {edges} edges")


if __name__ == "__main__":
    main()
