"""Authority at scale: ``linkspider rank`` against networkx and a DuckDB SQL loop, and the
error of sampled harmonic centrality.

    uv run python bench/rank.py [--edges 10000000] [--small-edges 1000000] [--dir DIR]
                                [--harmonic-nodes 50000] [--json OUT]

Builds (or reuses, ``--dir``) a generated crawl of N edges in linkspider's layout: a
web-like graph, not a bipartite one, where every domain both links and is linked
(out-links and in-links drawn from two different power laws), two hosts per domain,
20% nofollow, 5% sponsored.  Then, each job in its own process (peak RSS is the
process's own ``ru_maxrss``):

* ``linkspider rank --no-pages``: host and domain PageRank (to an L1 change < 1e-10)
  and harmonic centrality (sampled, the default 64 sources), ``ranks/`` written;
* ``linkspider rank``: the same and ``page_ranks/`` (PageRank over every URL);
* a DuckDB SQL loop: the domain graph's PageRank as an analyst writes it (arcs table,
  one ``CREATE TABLE`` per iteration, dangling mass spread), 30 iterations;
* networkx: ``nx.pagerank`` of the same domain graph, on the small dataset (networkx
  holds a graph of 8M arcs in several GB), and the largest difference from linkspider's.

Last, on a generated graph of ``--harmonic-nodes`` domains (20 arcs per node), exact
harmonic centrality against sampled estimates for 64, 256 and 1,024 sources: median
and 90th-percentile relative error over the top 1,000 nodes (by exact value).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import lookup  # noqa: E402

CRAWL = "bench"


def web_chunk(domains: int):
    """A generator for :func:`lookup.build`: edges between ``domains`` domains ``dK.com``
    whose hosts are ``www.dK.com`` and ``blog.dK.com``."""

    def generate(n: int, seed: int, crawl_id: str) -> pa.Table:
        table = lookup.generate_chunk(n, seed, crawl_id)
        source = lookup.skewed_index(n, domains, 1.5, seed + 11)
        # in-links follow another power law over a fixed permutation of the domains
        scattered = pc.multiply(lookup.skewed_index(n, domains, 3.0, seed + 12), 7919)
        target = pc.subtract(scattered, pc.multiply(pc.divide(scattered, domains), domains))
        page = pc.cast(table.column("position"), pa.string())
        prefix = pc.if_else(
            pc.equal(pc.bit_wise_and(table.column("position"), 1), 0), "www.", "blog."
        )
        columns = {}
        for side, index in (("source", source), ("target", target)):
            domain = lookup.names("d", index, ".com")
            host = pc.binary_join_element_wise(prefix, domain, "")
            columns[f"{side}_domain"] = domain
            columns[f"{side}_host"] = host
            kind = "/post/" if side == "source" else "/page/"
            columns[f"{side}_url"] = pc.binary_join_element_wise("https://", host, kind, page, "")
        for name, column in columns.items():
            table = table.set_column(table.schema.get_field_index(name), name, column)
        return table.cast(lookup.schema.LINKS.arrow)

    return generate


# -- jobs, each run in its own process -------------------------------------------------


def job_rank(root: str, pages: bool) -> dict:
    from linkspider.ranks import rank_crawl

    counts = rank_crawl(root, CRAWL, pages=pages)
    return {"counts": counts}


DOMAIN_ARCS = """
    SELECT DISTINCT source_domain AS s, target_domain AS t FROM read_parquet('{root}/links/**/*.parquet')
    WHERE {credit} AND source_domain <> target_domain"""


def job_duckdb_loop(root: str, iterations: int = 30) -> dict:
    """PageRank of the domain graph in SQL, one table per iteration."""
    import duckdb

    from linkspider.ranks import CREDIT

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TABLE arcs AS {DOMAIN_ARCS.format(root=root, credit=CREDIT)}")
    con.execute(
        f"""CREATE TABLE nodes AS SELECT node, coalesce(o.d, 0) AS out_degree
        FROM (SELECT DISTINCT source_domain AS node FROM read_parquet('{root}/links/**/*.parquet')
              UNION SELECT DISTINCT target_domain FROM read_parquet('{root}/links/**/*.parquet')) n
        LEFT JOIN (SELECT s, count(*) AS d FROM arcs GROUP BY s) o ON o.s = n.node"""
    )
    (n,) = con.execute("SELECT count(*) FROM nodes").fetchone()
    con.execute(f"CREATE TABLE pr AS SELECT node, 1.0 / {n} AS rank FROM nodes")
    started = time.perf_counter()
    for _ in range(iterations):
        con.execute(
            f"""CREATE OR REPLACE TABLE pr AS
            WITH dangling AS (SELECT coalesce(sum(rank), 0) AS mass FROM pr JOIN nodes USING (node)
                              WHERE out_degree = 0),
                 incoming AS (SELECT a.t AS node, sum(p.rank / nd.out_degree) AS flow
                              FROM arcs a JOIN pr p ON p.node = a.s JOIN nodes nd ON nd.node = a.s
                              GROUP BY a.t)
            SELECT nodes.node, 0.85 * (coalesce(flow, 0) + (SELECT mass FROM dangling) / {n})
                               + 0.15 / {n} AS rank
            FROM nodes LEFT JOIN incoming USING (node)"""
        )
    return {"iterations": iterations, "loop_seconds": time.perf_counter() - started, "nodes": n}


def job_networkx(root: str) -> dict:
    """networkx's PageRank of the domain graph, and its largest difference from ranks/."""
    import duckdb
    import networkx as nx

    from linkspider.ranks import CREDIT

    con = duckdb.connect()
    nodes = con.sql(
        f"""SELECT source_domain FROM read_parquet('{root}/links/**/*.parquet')
        UNION SELECT target_domain FROM read_parquet('{root}/links/**/*.parquet')"""
    ).fetchall()
    arcs = con.sql(DOMAIN_ARCS.format(root=root, credit=CREDIT)).fetchall()
    started = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(node for (node,) in nodes)
    g.add_edges_from(arcs)
    built = time.perf_counter() - started
    pagerank = nx.pagerank(g, alpha=0.85, tol=1e-12, max_iter=10_000)
    ranked = dict(
        con.sql(
            f"SELECT node, pagerank FROM read_parquet('{root}/ranks/*.parquet') WHERE level = 'domain'"
        ).fetchall()
    )
    difference = max(abs(pagerank[node] - ranked[node]) for node in pagerank)
    return {"build_seconds": built, "max_abs_difference": difference, "nodes": len(pagerank)}


JOBS = {
    "rank-levels": lambda root: job_rank(root, pages=False),
    "rank-all": lambda root: job_rank(root, pages=True),
    "duckdb-loop": job_duckdb_loop,
    "networkx": job_networkx,
}


def run_job(name: str, root: Path) -> dict:
    """Run a job in a new process: its wall time, peak RSS and its own figures."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--job", name, "--dir", str(root)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"job {name} failed (exit status {out.returncode}):\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    return result


def child(name: str, root: str) -> None:
    import resource

    result = JOBS[name](root)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# -- harmonic centrality: sampled against exact ---------------------------------------


def harmonic_error(nodes: int, arcs_per_node: int = 20, top: int = 1000) -> list[dict]:
    from linkspider import graph

    n_arcs = nodes * arcs_per_node
    rng = np.random.default_rng(5)
    sources = np.floor(rng.random(n_arcs) ** 1.5 * nodes).astype(np.int64)
    targets = (np.floor(rng.random(n_arcs) ** 3.0 * nodes).astype(np.int64) * 7919) % nodes
    keep = sources != targets
    pairs = np.unique(np.stack([sources[keep], targets[keep]]), axis=1)
    adj = graph.adjacency(pairs[0], pairs[1], nodes)
    started = time.perf_counter()
    exact = graph.harmonic_exact(adj)
    exact_seconds = time.perf_counter() - started
    best = np.argsort(-exact, kind="stable")[:top]
    rows = [{"samples": "exact", "seconds": exact_seconds, "arcs": int(adj.nnz)}]
    for samples in (64, 256, 1024):
        started = time.perf_counter()
        estimate = graph.harmonic_sampled(adj, samples)
        seconds = time.perf_counter() - started
        error = np.abs(estimate[best] - exact[best]) / exact[best]
        rows.append(
            {
                "samples": samples,
                "seconds": seconds,
                "median_error": float(np.median(error)),
                "p90_error": float(np.quantile(error, 0.9)),
                "max_error": float(error.max()),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--small-edges", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=400_000)
    parser.add_argument("--dir", type=Path, help="build the large dataset here (kept), or reuse it")
    parser.add_argument("--harmonic-nodes", type=int, default=50_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--job", choices=tuple(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        return child(args.job, str(args.dir))

    scratch = Path(tempfile.mkdtemp(prefix="linkspider-rank-"))
    figures: dict = {"python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        datasets = {
            "large": (args.dir or scratch / "large", args.edges, args.domains),
            "small": (scratch / "small", args.small_edges, max(1_000, args.domains // 10)),
        }
        for label, (root, edges, domains) in datasets.items():
            if not (root / "links").exists():
                started = time.perf_counter()
                root.mkdir(parents=True, exist_ok=True)
                lookup.build(root, edges, compact=True, generate=web_chunk(domains))
                (root / "unsorted.parquet").unlink()
                print(f"built {label}: {edges:,} edges in {time.perf_counter() - started:.0f} s")
            jobs = ["rank-levels", "rank-all", "duckdb-loop"] + (
                ["networkx"] if label == "small" else []
            )
            figures[label] = {"edges": edges}
            for name in jobs:
                result = run_job(name, root)
                figures[label][name] = result
                print(
                    f"{label:6} {name:12} {result['seconds']:7.1f} s  peak {result['peak_mb']:6.0f} MB  {json.dumps({k: v for k, v in result.items() if k not in ('seconds', 'peak_mb')})}"
                )
        print(f"harmonic centrality, {args.harmonic_nodes:,} nodes:")
        figures["harmonic"] = harmonic_error(args.harmonic_nodes)
        for row in figures["harmonic"]:
            print("  " + json.dumps(row))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
