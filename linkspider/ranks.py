"""A crawl's authority: ``ranks/`` (hosts and domains) and ``page_ranks/`` (URLs).

The graph of a level (host, domain, URL): its nodes are every host (domain,
URL) at either end of any edge the crawl recorded; its arcs are the distinct
(source, target) pairs at that level with source != target, from edges that
pass credit (not nofollow, sponsored or ugc; ``link_type`` text, image, area,
redirect or refresh), unweighted.  DuckDB reads the crawl's ``links/`` files
and numbers the nodes; :mod:`linkspider.graph` computes PageRank and harmonic
centrality.  Each table gets one file per crawl (``ranks/ranks-<crawl_id>.parquet``),
replaced whole and atomically, so running it again gives the same files.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from linkspider import defaults, graph, schema
from linkspider.pipelines.layout import Inventory, crawl_file_path
from linkspider.pipelines.writer import write_atomically
from linkspider.sql import DOFOLLOW, sql_list, sql_string

logger = logging.getLogger(__name__)

#: Edges that pass credit (the README's "Authority").
CREDIT = f"{DOFOLLOW} AND link_type IN ('text', 'image', 'area', 'redirect', 'refresh')"
#: level -> (source column, target column)
LEVELS = {
    "host": ("source_host", "target_host"),
    "domain": ("source_domain", "target_domain"),
    "url": ("source_url", "target_url"),
}


@dataclass
class Graph:
    #: node names (a node's id is its index): in sorted order for hosts and domains
    names: pa.ChunkedArray
    adjacency: object  # scipy.sparse.csr_array
    #: per node: edges from other nodes that pass credit
    in_links: np.ndarray
    #: per node: distinct other nodes linking to it with credit
    in_nodes: np.ndarray


def build_graph(con, edges: str, level: str) -> Graph:
    """The graph of ``level`` (host or domain) over ``edges`` (a DuckDB relation: a view
    or table name); nodes are numbered in the order of their names."""
    source, target = LEVELS[level]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nodes AS
        SELECT node, (row_number() OVER (ORDER BY node) - 1)::INTEGER AS id
        FROM (SELECT {source} AS node FROM {edges} UNION SELECT {target} FROM {edges})"""
    )
    names = con.sql("SELECT node FROM nodes ORDER BY id").to_arrow_table().column(0)
    credited = f"""SELECT s.id AS s, t.id AS t, count(*) AS n
        FROM {edges} e JOIN nodes s ON s.node = e.{source} JOIN nodes t ON t.node = e.{target}
        WHERE {CREDIT} AND e.{source} <> e.{target}
        GROUP BY ALL"""
    arcs = con.sql(credited).to_arrow_table()
    con.execute("DROP TABLE nodes")
    n = len(names)
    sources = arcs.column("s").to_numpy()
    targets = arcs.column("t").to_numpy()
    in_links = np.bincount(targets, weights=arcs.column("n").to_numpy(), minlength=n).astype(
        np.int64
    )
    in_nodes = np.bincount(targets, minlength=n).astype(np.int64)
    return Graph(names, graph.adjacency(sources, targets, n), in_links, in_nodes)


def page_ranks(con, edges: str, crawl_id: str):
    """The ``page_ranks/`` rows of the graph of URLs over ``edges``, sorted by URL, as a
    stream of record batches, and the number of URLs.

    A crawl has far more URLs than hosts: they are numbered by a hash aggregate (no
    sort) and sorted once, by DuckDB, when the rows are written."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE url_nodes AS
        SELECT node, (row_number() OVER () - 1)::INTEGER AS id
        FROM (SELECT source_url AS node FROM {edges} UNION SELECT target_url FROM {edges})"""
    )
    n = con.sql("SELECT count(*) FROM url_nodes").fetchall()[0][0]
    arcs = con.sql(
        f"""SELECT DISTINCT s.id AS s, t.id AS t
        FROM {edges} e JOIN url_nodes s ON s.node = e.source_url JOIN url_nodes t ON t.node = e.target_url
        WHERE {CREDIT} AND e.source_url <> e.target_url"""
    ).to_arrow_table()
    adj = graph.adjacency(arcs.column("s").to_numpy(), arcs.column("t").to_numpy(), n)
    del arcs
    pagerank = pa.table(
        {"id": pa.array(np.arange(n, dtype=np.int32)), "pagerank": graph.pagerank(adj)}
    )
    del adj
    con.register("url_pagerank", pagerank)
    rows = con.sql(
        f"""SELECT {sql_string(crawl_id)} AS crawl_id, node AS url, pagerank
        FROM url_nodes JOIN url_pagerank USING (id) ORDER BY url"""
    ).to_arrow_reader(65_536)
    return rows, n


def level_ranks(g: Graph, exact_nodes: int, samples: int) -> dict[str, object]:
    """The ``ranks/`` columns of one level (but crawl_id and level)."""
    adj = g.adjacency
    n = len(g.names)
    pagerank = graph.pagerank(adj)
    exact = n <= exact_nodes
    harmonic = graph.harmonic_exact(adj) if exact else graph.harmonic_sampled(adj, samples)
    return {
        "node": g.names,
        "pagerank": pagerank,
        "harmonic_centrality": harmonic,
        "harmonic_exact": np.full(n, exact),
        "in_nodes": g.in_nodes,
        "in_links": g.in_links,
        "out_nodes": np.diff(adj.indptr).astype(np.int64),
        "pagerank_rank": graph.ranks(pagerank),
        "harmonic_rank": graph.ranks(harmonic),
    }


def rank_crawl(
    root: str,
    crawl_id: str,
    exact_nodes: int = defaults.RANK_EXACT_NODES,
    samples: int = defaults.RANK_SAMPLES,
    memory: str = "512MB",
    pages: bool = True,
) -> dict[str, int]:
    """Compute and write the crawl's ``ranks/`` and (with ``pages``) ``page_ranks/``
    files; returns the nodes of each level (0 URLs without ``pages``)."""
    import duckdb

    started = time.perf_counter()
    files = Inventory.scan(root).files(schema.LINKS.name, {crawl_id})
    spill = tempfile.mkdtemp(prefix=f".rank-{crawl_id}-", dir=root)  # not the working directory
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{memory}'")  # memory: checked by config.size
        con.execute(f"SET temp_directory = {sql_string(spill)}")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = false")
        counts = _rank(con, root, crawl_id, files, exact_nodes, samples, pages)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    logger.info(
        "ranked crawl %s: %d hosts, %d domains, %d URLs in %.1f s",
        crawl_id, counts["host"], counts["domain"], counts["url"], time.perf_counter() - started,
    )  # fmt: skip
    return counts


def _rank(con, root, crawl_id, files, exact_nodes, samples, pages) -> dict[str, int]:
    columns = (
        "source_url", "source_host", "source_domain", "target_url", "target_host",
        "target_domain", "nofollow", "rel", "link_type",
    )  # fmt: skip
    if files:
        con.execute(
            f"CREATE TEMP VIEW edges AS SELECT {', '.join(columns)} "
            f"FROM read_parquet({sql_list(f.path for f in files)}, hive_partitioning = true)"
        )
    else:
        con.execute(f"CREATE TEMP VIEW edges AS {schema.LINKS.empty_select(columns)}")
    levels: dict[str, dict[str, object]] = {}
    counts = {}
    for level in ("host", "domain"):
        levels[level] = level_ranks(build_graph(con, "edges", level), exact_nodes, samples)
        counts[level] = len(levels[level]["node"])
    table = pa.concat_tables(
        pa.table(
            {"crawl_id": [crawl_id] * counts[level], "level": [level] * counts[level], **columns_},
            schema=schema.RANKS.arrow,
        )
        for level, columns_ in levels.items()
    ).sort_by([("level", "ascending"), ("node", "ascending")])
    write_atomically(table, _path(root, "ranks", crawl_id), schema.RANKS, crawl_id, 65_536)
    if pages:
        rows, counts["url"] = page_ranks(con, "edges", crawl_id)
        write_atomically(
            rows, _path(root, "page_ranks", crawl_id), schema.PAGE_RANKS, crawl_id, 65_536
        )
    else:
        counts["url"] = 0
    return counts


def _path(root: str, table: str, crawl_id: str) -> str:
    return os.path.join(root, crawl_file_path(table, crawl_id))
