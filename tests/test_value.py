"""Link value (linkspider.value) on a web with known link kinds, through the extraction, the
writer, compaction, ``ranks/`` and ``linkspider backlinks``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from linkspider.pipelines import crawls
from linkspider.pipelines.compact import compact_crawl
from linkspider.pipelines.writer import DatasetWriter

from linkspider.cli import main
from linkspider.extract import extract
from linkspider.items import CrawledPage
from linkspider.ranks import rank_crawl
from linkspider.value import WeightError, Weights

CRAWL = "value1"
KETTLES = (
    "An electric kettle boils water faster than a stove. We tested kettles for boiling speed, "
    "limescale, thermostat accuracy and the noise a kettle makes while it boils water. "
)
GARDEN = (
    "Tomatoes and roses need compost, sunlight and careful pruning in the garden. Our garden "
    "diary covers seedlings, mulch, watering and the roses along the fence. "
)
CARS = (
    "The diesel engine of this car, its gearbox and tyres: owners discuss mileage, brakes and "
    "the cost of servicing a car engine after a hundred thousand miles. "
)


def page(body: str, *, nav: str = "", footer: str = "", aside: str = "") -> str:
    return (
        "<!doctype html><html><head><title>t</title></head><body>"
        f"<header><nav>{nav}</nav></header><main><article>{body}</article></main>"
        f"<aside>{aside}</aside><footer>{footer}</footer></body></html>"
    )


def paragraphs(text: str, n: int = 6) -> str:
    return "".join(f"<p>{text}</p>" for _ in range(n))


def web() -> dict[str, str]:
    """URL -> HTML of a web whose backlinks to shop.test are of known kinds."""
    pages = {
        "http://shop.test/kettle": page(paragraphs(KETTLES)),
        "http://shop.test/": page(paragraphs(KETTLES, 2)),
    }
    # editorial, in content, on topic, from domains many others link to
    pages["http://news.test/reviews/kettle-review"] = page(
        "<p>"
        + KETTLES
        + ' The best was <a href="http://shop.test/kettle">this electric kettle</a>, '
        "quiet and quick.</p>" + paragraphs(KETTLES, 4)
    )
    pages["http://magazine.test/kitchen/kettles"] = page(
        paragraphs(KETTLES, 3) + '<p>Buy the <a href="http://shop.test/kettle">kettle</a> '
        "we liked most.</p>" + paragraphs(KETTLES, 2)
    )
    for i in range(12):  # the fans make news.test and magazine.test central
        pages[f"http://fan{i}.test/"] = page(
            paragraphs(f"fan site {i} reading list ")
            + '<p><a href="http://news.test/reviews/kettle-review">news</a> '
            '<a href="http://magazine.test/kitchen/kettles">magazine</a></p>'
        )
    # a sitewide footer link on every page of a gardening blog
    for i in range(10):
        pages[f"http://garden.test/post/{i}"] = page(
            paragraphs(GARDEN), footer='Friends: <a href="http://shop.test/">Shop</a>'
        )
    # a directory page: a long list of links, the shop's among them
    links = "".join(f'<li><a href="http://site{i}.test/">site{i}.test</a></li>' for i in range(150))
    entry = '<li><a href="http://shop.test/">shop.test</a></li>'
    pages["http://directory.test/links"] = page(f"<h1>Links</h1><ul>{links}{entry}</ul>")
    # an off-topic comment
    pages["http://forum.test/t/cars"] = (
        "<!doctype html><html><body><main><article>"
        + paragraphs(CARS)
        + '</article><section class="comments" id="comments"><div class="comment">'
        '<p>great thread, see <a href="http://shop.test/kettle">here</a></p></div></section>'
        "</main></body></html>"
    )
    return pages


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("value")
    record = crawls.started(
        str(root), CRAWL, seeds=[], scope="web", spider_arguments={}, settings={}, outlinks=True
    )
    writer = DatasetWriter(str(root), CRAWL)
    for url, html in web().items():
        result = extract(html.encode(), url, {"content-type": "text/html"})
        writer.add(
            CrawledPage(
                url, result.host, result.domain, 200, datetime.now(UTC), 1,
                title=result.title, topic_terms=result.topic_terms,
                topic_weights=result.topic_weights, edges=result.edges,
            )
        )  # fmt: skip
    writer.close()
    compact_crawl(str(root), CRAWL, writer.next_sequence)
    crawls.ended(str(root), record, "finished", False)
    rank_crawl(str(root), CRAWL)
    return root


def backlinks(root, *argv: str) -> list[dict]:
    out = root / "out.json"
    assert main(["backlinks", "shop.test", "--data", str(root), "-o", str(out), *argv]) == 0
    return json.loads(out.read_text())


def test_editorial_links_outrank_sitewide_directory_and_comment_links(dataset):
    rows = backlinks(dataset, "--sort", "value")
    kinds = {
        "editorial": [r for r in rows if r["source_domain"] in ("news.test", "magazine.test")],
        "sitewide": [r for r in rows if r["source_domain"] == "garden.test"],
        "directory": [r for r in rows if r["source_domain"] == "directory.test"],
        "comment": [r for r in rows if r["source_domain"] == "forum.test"],
    }
    assert [len(v) for v in kinds.values()] == [2, 10, 1, 1]
    editorial = min(r["link_value"] for r in kinds["editorial"])
    for kind in ("sitewide", "directory", "comment"):
        assert editorial > max(r["link_value"] for r in kinds[kind]), kind
    assert [r["source_domain"] for r in rows[:2]] in (
        ["news.test", "magazine.test"],
        ["magazine.test", "news.test"],
    )  # --sort value: highest first
    assert [r["link_value"] for r in rows] == sorted((r["link_value"] for r in rows), reverse=True)

    # the factors behind it
    for r in kinds["editorial"]:
        assert r["region"] == "main" and r["anchor_class"] in ("exact", "partial")
        assert r["relevance"] > 0.5 and r["authority"] > 0.8 and not r["sitewide"]
    for r in kinds["sitewide"]:
        assert r["sitewide"] and r["sitewide_pages"] == 10 and r["region"] == "footer"
        assert r["anchor_class"] == "brand"
    (directory,) = kinds["directory"]
    assert directory["anchor_class"] == "url" and directory["sitewide_pages"] == 1
    (comment,) = kinds["comment"]
    assert comment["region"] == "comment" and comment["anchor_class"] == "generic"
    assert comment["relevance"] < 0.2  # cars against kettles
    for r in rows:
        assert 0 <= r["link_value"] <= 1


def test_weights_are_settings(dataset, capsys):
    rows = backlinks(dataset, "--weight", "authority=0", "--weight", "relevance=0")
    comment = next(r for r in rows if r["source_domain"] == "forum.test")
    default = next(r for r in backlinks(dataset) if r["source_domain"] == "forum.test")
    assert comment["authority"] == default["authority"]  # factors stay, the value changes
    assert comment["link_value"] != default["link_value"]
    assert main(["backlinks", "shop.test", "--data", str(dataset), "--weight", "bogus=1"]) == 2
    assert "unknown weight 'bogus'" in capsys.readouterr().err
    with pytest.raises(WeightError, match="must be a number"):
        Weights.parse([], env="authority=high")


def test_refdomains_carry_authority(dataset):
    out = dataset / "ref.json"
    assert main(["refdomains", "shop.test", "--data", str(dataset), "-o", str(out)]) == 0
    rows = {r["source_domain"]: r for r in json.loads(out.read_text())}
    assert rows["news.test"]["authority"] > rows["directory.test"]["authority"]
    assert rows["news.test"]["harmonic_rank"] < rows["garden.test"]["harmonic_rank"]


def test_the_sql_shell_has_the_values(dataset, capsys):
    query = (
        "SELECT source_domain, anchor_class, link_value FROM link_values('shop.test') "
        "WHERE is_external ORDER BY link_value DESC LIMIT 1"
    )
    assert main(["sql", "--data", str(dataset), "--format", "csv", query]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "source_domain,anchor_class,link_value"
    assert out[1].startswith("magazine.test,exact,") or out[1].startswith("news.test,")


def test_signatures_in_pages_separate_the_topics_of_the_test_web(dataset, capsys):
    """The signatures as written to pages/ (Parquet, read back by DuckDB): pages of one topic
    (kettles, gardening, cars) against pages of different topics."""
    topic = (
        "CASE WHEN host IN ('shop.test', 'news.test', 'magazine.test') THEN 'kettles' "
        "WHEN host = 'garden.test' THEN 'garden' WHEN host = 'forum.test' THEN 'cars' END"
    )
    query = f"""WITH p AS (SELECT url, {topic} AS topic, topic_terms, topic_weights FROM pages
                           WHERE {topic} IS NOT NULL)
        SELECT a.topic = b.topic AS same,
               topic_similarity(a.topic_terms, a.topic_weights, b.topic_terms, b.topic_weights) AS r
        FROM p a JOIN p b ON a.url < b.url"""
    assert main(["sql", "--data", str(dataset), "--format", "csv", query]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()[1:]]
    same = [float(r) for s, r in rows if s == "true"]
    different = [float(r) for s, r in rows if s == "false"]
    assert len(same) > 40 and len(different) > 40
    wins = sum((a > b) + 0.5 * (a == b) for a in same for b in different)
    assert wins / (len(same) * len(different)) > 0.99
