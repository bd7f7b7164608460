"""Authority: PageRank and harmonic centrality equal networkx's on the same graph, and
``ranks/`` / ``page_ranks/`` hold them for the graph the README defines."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import networkx as nx
import numpy as np
import pytest
from linkspider.pipelines.writer import DatasetWriter

from linkspider import graph
from linkspider.extract import Edge
from linkspider.items import CrawledPage
from linkspider.ranks import rank_crawl


def random_graph(n: int, arcs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, n, arcs)
    targets = (rng.pareto(1.2, arcs) * 5).astype(int) % n  # a few nodes get most arcs
    pairs = sorted(
        {(s, t) for s, t in zip(sources.tolist(), targets.tolist(), strict=False) if s != t}
    )
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def networkx_graph(n, sources, targets) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))  # isolated and dangling nodes too
    g.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
    return g


@pytest.mark.parametrize(
    ("n", "arcs", "seed"), [(1, 0, 0), (50, 40, 1), (2000, 9000, 2), (3000, 30000, 3)]
)
def test_pagerank_and_harmonic_equal_networkx(n, arcs, seed):
    sources, targets = (
        random_graph(n, arcs, seed) if arcs else (np.array([], int), np.array([], int))
    )
    adj = graph.adjacency(sources, targets, n)
    g = networkx_graph(n, sources, targets)
    expected = nx.pagerank(g, alpha=0.85, tol=1e-14, max_iter=10_000)
    got = graph.pagerank(adj)
    assert max(abs(got[i] - expected[i]) for i in range(n)) < 1e-6
    assert got.sum() == pytest.approx(1.0, abs=1e-9)
    harmonic = nx.harmonic_centrality(g)
    got = graph.harmonic_exact(adj)
    assert max(abs(got[i] - harmonic[i]) for i in range(n)) < 1e-6


def test_sampled_harmonic_centrality_is_close_on_the_top_nodes():
    n = 5000
    sources, targets = random_graph(n, 40_000, 4)
    adj = graph.adjacency(sources, targets, n)
    exact = graph.harmonic_exact(adj)
    estimate = graph.harmonic_sampled(adj, 500, seed=1)
    top = np.argsort(-exact)[:100]
    error = np.abs(estimate[top] - exact[top]) / exact[top]
    assert np.median(error) < 0.05
    assert graph.harmonic_sampled(adj, n).tolist() == exact.tolist()  # all sources: exact


def test_the_bit_parallel_search_equals_scipys_shortest_paths():
    """graph's breadth-first search from 64 sources at once, against scipy's one source at a
    time, on a graph with long paths (a chain) and shortcuts, with 64 + 36 sources."""
    from scipy.sparse import csgraph

    n = 3000
    sources, targets = random_graph(n, 6000, 7)
    chain = np.arange(n - 1)
    sources, targets = np.concatenate([sources, chain]), np.concatenate([targets, chain + 1])
    pairs = np.unique(np.stack([sources, targets]), axis=1)
    adj = graph.adjacency(pairs[0], pairs[1], n)
    picked = np.sort(np.random.default_rng(3).choice(n, size=100, replace=False))
    distance = csgraph.shortest_path(adj, directed=True, unweighted=True, indices=picked)
    with np.errstate(divide="ignore"):
        inverse = 1.0 / distance
    inverse[~np.isfinite(inverse)] = 0.0
    expected = inverse.sum(axis=0)
    got = graph._inverse_distance_sums(adj, picked)
    assert np.max(np.abs(got - expected)) < 1e-9
    assert distance[np.isfinite(distance)].max() > 50  # deep searches were needed


# -- the graph of a crawl ----------------------------------------------------------

HOSTS = [f"www.s{i}.com" for i in range(12)] + [f"blog.s{i}.com" for i in range(4)]
CREDITLESS = [
    ((), "canonical"),
    (("nofollow",), "text"),
    (("sponsored",), "text"),
    (("ugc",), "image"),
]


def crawl_edges(seed: int = 5) -> list[tuple[str, str, tuple, str]]:
    """(source_url, target_url, rel, link_type) of a small random web."""
    rng = random.Random(seed)
    out = []
    for host in HOSTS:
        for page in range(3):
            source = f"http://{host}/p{page}"
            for _ in range(rng.randint(0, 6)):
                target = f"http://{rng.choice([*HOSTS, 'www.outside.org'])}/p{rng.randint(0, 3)}"
                rel, link_type = rng.choice([((), "text")] * 4 + CREDITLESS + [((), "redirect")])
                out.append((source, target, rel, link_type))
            out.append((source, f"http://{host}/p{(page + 1) % 3}", (), "text"))  # internal
    return out


def write(root: Path, crawl_id: str, edges) -> None:
    writer = DatasetWriter(str(root), crawl_id)
    by_source: dict[str, list] = {}
    for source, target, rel, link_type in edges:
        by_source.setdefault(source, []).append((target, rel, link_type))
    for source, targets in by_source.items():
        host = source.split("/")[2]
        domain = host.split(".", 1)[1]
        rows = []
        for i, (target, rel, link_type) in enumerate(targets):
            t_host = target.split("/")[2]
            t_domain = t_host.split(".", 1)[1]
            nofollow = "nofollow" in rel
            rows.append(
                Edge(
                    target, "", t_host, t_domain, "", None, None, rel, nofollow, "main", link_type,
                    i, t_domain != domain, sponsored="sponsored" in rel, ugc="ugc" in rel,
                    dofollow=not rel,
                )
            )  # fmt: skip
        writer.add(CrawledPage(source, host, domain, 200, datetime.now(UTC), 0, edges=rows))
    writer.close()


def expected_level(edges, key) -> tuple[list[str], nx.DiGraph]:
    nodes = sorted({key(e[0]) for e in edges} | {key(e[1]) for e in edges})
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for source, target, rel, link_type in edges:
        credit = not rel and link_type in ("text", "image", "area", "redirect", "refresh")
        if credit and key(source) != key(target):
            g.add_edge(key(source), key(target))
    return nodes, g


LEVEL_KEYS = {
    "host": lambda url: url.split("/")[2],
    "domain": lambda url: url.split("/")[2].split(".", 1)[1],
}


def test_ranks_of_a_crawl_are_those_of_the_documented_graph(tmp_path):
    edges = crawl_edges()
    write(tmp_path, "c1", edges)
    counts = rank_crawl(str(tmp_path), "c1", exact_nodes=1000)
    assert not list(tmp_path.glob(".rank-*"))  # DuckDB's spill directory is removed
    rel = duckdb.execute(f"SELECT * FROM '{tmp_path}/ranks/ranks-c1.parquet'")
    names = [d[0] for d in rel.description]
    rows = [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    for level, key in LEVEL_KEYS.items():
        nodes, g = expected_level(edges, key)
        got = {r["node"]: r for r in rows if r["level"] == level}
        assert sorted(got) == nodes and counts[level] == len(nodes)
        pagerank = nx.pagerank(g, tol=1e-14, max_iter=10_000)
        harmonic = nx.harmonic_centrality(g)
        for node in nodes:
            row = got[node]
            assert row["pagerank"] == pytest.approx(pagerank[node], abs=1e-6)
            assert row["harmonic_centrality"] == pytest.approx(harmonic[node], abs=1e-6)
            assert row["harmonic_exact"] and row["crawl_id"] == "c1"
            assert row["in_nodes"] == g.in_degree(node) and row["out_nodes"] == g.out_degree(node)
        in_links = {n: 0 for n in nodes}
        for source, target, rel_, link_type in edges:
            if not rel_ and link_type != "canonical" and key(source) != key(target):
                in_links[key(target)] += 1
        assert {n: got[n]["in_links"] for n in nodes} == in_links
        by_rank = sorted(nodes, key=lambda n: got[n]["pagerank_rank"])
        assert [got[n]["pagerank_rank"] for n in by_rank] == list(range(1, len(nodes) + 1))
        assert all(got[a]["pagerank"] >= got[b]["pagerank"] for a, b in itertools.pairwise(by_rank))
    pages = dict(
        duckdb.execute(f"SELECT url, pagerank FROM '{tmp_path}/page_ranks/*.parquet'").fetchall()
    )
    nodes, g = expected_level(edges, lambda url: url)
    assert sorted(pages) == nodes
    expected = nx.pagerank(g, tol=1e-14, max_iter=10_000)
    assert max(abs(pages[u] - expected[u]) for u in nodes) < 1e-6

    # again: the same files, replaced whole
    rank_crawl(str(tmp_path), "c1", exact_nodes=1000)
    assert sorted(p.name for p in (tmp_path / "ranks").iterdir()) == ["ranks-c1.parquet"]


def test_the_rank_command_and_its_views(tmp_path):
    write(tmp_path, "c1", crawl_edges(6))
    linkspider = str(Path(sys.executable).with_name("linkspider"))
    proc = subprocess.run(
        [linkspider, "rank", "--data", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "ranked" in proc.stderr
    domains = json.loads(proc.stdout)
    assert [d["harmonic_rank"] for d in domains] == list(range(1, len(domains) + 1))
    sql = subprocess.run(
        [linkspider, "sql", "SELECT level, count(*) AS n FROM ranks GROUP BY ALL ORDER BY 1",
         "--data", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert json.loads(sql.stdout) == [
        {"level": "domain", "n": len(domains)},
        {
            "level": "host",
            "n": len(
                {e[0].split("/")[2] for e in crawl_edges(6)}
                | {e[1].split("/")[2] for e in crawl_edges(6)}
            ),
        },
    ]
