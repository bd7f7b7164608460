"""Calibration of ``region_score``: fit each decision path's score, report reliability.

    uv run python bench/calibrate.py [--fit DIR,DIR] [--report DIR] [--json OUT]

``region_score`` is the confidence that a link's region is right.  The labels
say whether a link is article content, so what is measured is the
content-or-not call: a link in ``main`` is right when it is content, a link in
any other region when it is not.  Each decision path of the model
(:data:`linkspider.regions.SCORES`) gets the share of right calls it made on the
``--fit`` corpora, Laplace-smoothed ((right + 1) / (links + 2)); the reliability
table then compares, on the ``--report`` corpus (never used to fit), each
path's score with its accuracy there, with the expected calibration error
(ECE: the links-weighted mean gap), for the scores in the code and the ones
fitted now.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import regions as bench_regions  # bench/regions.py: the same label alignment

from linkspider import regions

DATA = bench_regions.DATA
PATHS = tuple(regions.SCORES)
#: the hand-set scores the model had before calibration (0.9 / 0.8 / 0.6 by path)
_UNCALIBRATED = {
    "cue": 0.8,
    "cue_in_block": 0.9,
    "cue_no_block": 0.9,
    "main": 0.8,
    "main_cued": 0.9,
    "cleaned": 0.6,
    "cross_link": 0.6,
    "related_list": 0.6,
    "reviews": 0.6,
    "teaser": 0.6,  # (a path added after calibration: as the others inside the block were)
    "markup_main": 0.6,
    "body": 0.6,
    "hidden": 0.6,
}


def calls(corpus: Path) -> dict[str, list[int]]:
    """``path -> [links, right calls]`` over a labelled corpus."""
    saved = dict(regions.SCORES)
    # distinct stand-in scores, so that each edge's score names its decision path
    regions.SCORES.update({path: i / 100 for i, path in enumerate(PATHS)})
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    try:
        for body, labels in bench_regions.labelled_pages(corpus).values():
            edges = bench_regions.aligned(bench_regions.link_edges(body), labels)
            for edge, (_, _, is_content) in zip(edges, labels, strict=True):
                if edge is not None:
                    path = PATHS[round(edge.region_score * 100)]
                    counts[path][0] += 1
                    counts[path][1] += (edge.region == "main") == bool(is_content)
    finally:
        regions.SCORES.update(saved)
    return counts


def merged(corpora: list[Path]) -> dict[str, list[int]]:
    total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for corpus in corpora:
        for path, (n, right) in calls(corpus).items():
            total[path][0] += n
            total[path][1] += right
    return total


def ece(counts: dict[str, list[int]], scores: dict[str, float]) -> float:
    links = sum(n for n, _ in counts.values())
    return sum(n * abs(right / n - scores[path]) for path, (n, right) in counts.items()) / links


def _shown(path: Path) -> str:
    """``path`` relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(DATA.parent.parent))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fit",
        default=",".join(str(DATA / name) for name in bench_regions.DEV_SETS),
        help="corpora to fit on",
    )
    parser.add_argument("--report", type=Path, default=DATA / "docs-heldout")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    fit = merged([Path(p) for p in args.fit.split(",")])
    fitted = {  # a path the fit pages never took keeps the code's prior
        path: round((fit[path][1] + 1) / (fit[path][0] + 2), 3)
        if path in fit
        else regions.SCORES[path]
        for path in PATHS
    }
    print("fitted on", ", ".join(_shown(Path(p)) for p in args.fit.split(",")))
    print("SCORES = {")
    for path in PATHS:
        n, right = fit.get(path, [0, 0])
        print(f'    "{path}": {fitted[path]},  # {right}/{n}')
    print("}")
    report = merged([args.report])
    print(f"\nreliability on {_shown(args.report)} (never fitted on)")
    print(f"{'path':14} {'links':>6} {'accuracy':>9} {'code':>6} {'fitted':>7}")
    for path in PATHS:
        if path in report:
            n, right = report[path]
            print(
                f"{path:14} {n:6d} {right / n:9.3f} {regions.SCORES[path]:6.3f} {fitted[path]:7.3f}"
            )
    print(
        f"ECE: scores in the code {ece(report, regions.SCORES):.3f}, fitted {ece(report, fitted):.3f}"
    )
    print(f"ECE of the scores before calibration: {ece(report, _UNCALIBRATED):.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"fitted": fitted, "fit": fit, "report": report}, indent=1))


if __name__ == "__main__":
    main()
