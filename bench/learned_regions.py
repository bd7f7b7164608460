"""Would a small learned model beat the region rules?  Train on the dev pages, score held out.

    uv run python bench/learned_regions.py [--fit DIR,DIR] [--report DIR]

A logistic regression (numpy, L2) over each link's features from the element
table of the extraction's one parse: the rules' decision path (one-hot, see
``linkspider.regions.SCORES``), the link density of its container, the text of
its innermost block, its anchor text, image link or not, the text blocks above
it (p, li, td, headings, tables, lists), Readability's class weights on its path,
its depth below the main block and its position in the page.  It is fitted on
the ``--fit`` corpora (labels: Readability keeps the link in the article) and
compared with the rules (``region == 'main'``) on the ``--report`` corpus, which
neither the rules nor the model were tuned on: precision, recall, F1.  The
threshold is 0.5.  The model goes into linkspider only if it wins there.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import regions as bench_regions  # the label alignment and P/R/F1

import linkspider.extract as core
from linkspider import regions
from linkspider.extract import extract

DATA = bench_regions.DATA
PATHS = tuple(regions.SCORES)
_BLOCKS = ("p", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote")


def link_features(table, links) -> dict[int, list[float]]:
    """Features of each link element (by element index)."""
    classifier = regions._Classifier(table, links)
    names, parent, tags, ink, end = (
        classifier.names,
        table.parent,
        table.tag,
        table.ink,
        table.end,
    )
    n = max(len(tags), 1)
    out = {}
    for key in links:
        k = key if names.cue(key) is not None or tags[key] not in ("a", "area") else parent[key]
        _, path, density = classifier.explain(k)
        above = {tag: 0.0 for tag in _BLOCKS}
        weight = 0.0
        depth = 0
        block_ink = 0
        j = parent[key]
        while j >= 0 and j not in classifier.main:
            if tags[j] in above:
                above[tags[j]] = 1.0
                if not block_ink:
                    block_ink = ink[j]
            weight += names.weight(j) / 25
            depth += 1
            j = parent[j]
        out[key] = [
            *(1.0 if path == p else 0.0 for p in PATHS),
            density,
            math.log1p(block_ink),
            math.log1p(ink[key]),
            1.0 if table.img[key] else 0.0,
            *above.values(),
            weight,
            min(depth, 20) / 20,
            key / n,
            1.0 if j >= 0 else 0.0,  # inside the main block
            math.log1p(end[key] - key),
        ]
    return out


def examples(corpus: Path) -> tuple[list[list[float]], list[int], list[bool]]:
    """Features, label and the rules' call for each labelled link of a corpus."""
    captured = {}
    real = core.classify_page

    def capture(table, links):
        captured["features"] = link_features(table, links)
        captured["links"] = list(links)
        captured["refs"] = table.refs
        return real(table, links)

    core.classify_page = capture
    xs, ys, rules = [], [], []
    try:
        for body, labels in bench_regions.labelled_pages(corpus).values():
            page_edges = extract(body, bench_regions.BASE, bench_regions.HEADERS).edges
            dom = [e for e in page_edges if e.link_type in ("text", "image", "area")]
            # DOM edges come in link order, less the links that made none: match by text
            refs = {ref[0]: ref for ref in captured["refs"]}
            feats, order = captured["features"], captured["links"]
            per_edge, i = [], 0
            for edge in dom:
                while i < len(order) and not _same_text(refs.get(order[i]), edge):
                    i += 1
                per_edge.append(feats[order[i]] if i < len(order) else None)
                i += 1
            edges = [e for e in dom if e.link_type in ("text", "image")]
            feats_of = {id(e): f for e, f in zip(dom, per_edge, strict=True)}
            matched = bench_regions.aligned(edges, labels)
            for edge, (_, _, is_content) in zip(matched, labels, strict=True):
                f = feats_of[id(edge)] if edge is not None else None
                if f is not None:
                    xs.append(f)
                    ys.append(int(bool(is_content)))
                    rules.append(edge.region == "main")
    finally:
        core.classify_page = real
    return xs, ys, rules


def _same_text(ref, edge) -> bool:
    """Is ``edge`` the one the link ``ref`` made?  (Links that make no edge, such as
    ``javascript:`` and fragment-only ones, are skipped by their text.)"""
    if ref is None:
        return False
    text = (ref[9] or "").rstrip()
    if edge.link_type == "area":
        return ref[1] == "area"
    if edge.link_type == "image":
        return ref[1] == "a" and not text and ref[10] is not None
    return ref[1] == "a" and text == edge.anchor_text


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method (IRLS), L2 on the weights (not the bias)."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + reg * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--fit",
        default=",".join(str(DATA / name) for name in bench_regions.DEV_SETS),
    )
    parser.add_argument("--report", type=Path, default=DATA / "docs-heldout")
    args = parser.parse_args()
    xs, ys, _ = [], [], []
    for corpus in args.fit.split(","):
        x, y, _r = examples(Path(corpus))
        xs += x
        ys += y
    w = fit(np.array(xs), np.array(ys, dtype=float))
    x, y, rules = examples(args.report)
    probability = predict(w, np.array(x))
    learned = [bool(p >= 0.5) for p in probability]
    truth = [bool(v) for v in y]
    print(f"fitted on {len(xs)} links; report corpus {args.report.name}: {len(x)} links")
    for name, calls in (("rules (region == 'main')", rules), ("learned model", learned)):
        r = bench_regions.prf(list(zip(calls, truth, strict=True)))
        print(f"{name:26} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}")


if __name__ == "__main__":
    main()
