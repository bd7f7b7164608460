"""Authority on a link graph: PageRank and harmonic centrality (scipy.sparse).

The graph is given as distinct arcs ``sources[i] -> targets[i]`` over nodes
``0 .. n-1`` (unweighted, no self-loops: :mod:`linkspider.ranks` builds it).

>>> import numpy as np
>>> a = adjacency(np.array([0, 1, 2]), np.array([1, 2, 0]), 4)   # a 3-cycle and a lone node
>>> [round(float(x), 4) for x in pagerank(a)]
[0.3175, 0.3175, 0.3175, 0.0476]
>>> [float(x) for x in harmonic_exact(a)]   # from the other two: 1/1 + 1/2
[1.5, 1.5, 1.5, 0.0]
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

DAMPING = 0.85
#: PageRank stops when the L1 change of an iteration is below this
TOLERANCE = 1e-10


def adjacency(sources: np.ndarray, targets: np.ndarray, n: int) -> sparse.csr_array:
    """The 0/1 adjacency matrix (rows: sources) of distinct arcs."""
    data = np.ones(len(sources), dtype=np.float64)
    return sparse.csr_array((data, (sources, targets)), shape=(n, n))


def pagerank(
    adj: sparse.csr_array,
    damping: float = DAMPING,
    tolerance: float = TOLERANCE,
    max_iterations: int = 10_000,
) -> np.ndarray:
    """PageRank by power iteration: uniform teleport, the mass of nodes without arcs out
    spread uniformly, until the L1 change is below ``tolerance``.  Sums to 1."""
    n = adj.shape[0]
    if n == 0:
        return np.zeros(0)
    out_degree = np.diff(adj.indptr)  # distinct arcs: a row's entries are all 1
    dangling = out_degree == 0
    inverse = np.divide(1.0, out_degree, out=np.zeros(n), where=~dangling)
    # x_next = damping * (M^T x + dangling mass / n) + (1 - damping) / n, M = D^-1 A;
    # A's CSC arrays are the CSR arrays of A^T (its indices: each entry's source)
    by_target = adj.tocsc()
    transition = sparse.csr_array(
        (inverse[by_target.indices], by_target.indices, by_target.indptr), shape=(n, n)
    )
    del by_target
    x = np.full(n, 1.0 / n)
    for _ in range(max_iterations):
        spread = damping * x[dangling].sum() / n + (1.0 - damping) / n
        following = damping * (transition @ x) + spread
        following /= following.sum()  # rounding only: the iteration keeps the sum at 1
        change = np.abs(following - x).sum()
        x = following
        if change < tolerance:
            return x
    raise RuntimeError(f"PageRank did not converge in {max_iterations} iterations")


def _inverse_distance_sums(adj: sparse.csr_array, sources: np.ndarray) -> np.ndarray:
    """For every node v: the sum over ``sources`` u != v of 1 / distance(u, v).

    Breadth-first search from 64 sources at once, one bit per source: a node's word
    holds the sources that reached it, and each level ORs the words of a node's
    in-neighbours (one gather and one ``reduceat`` over the arcs, grouped by target).
    scipy's own searches run one source at a time (``csgraph.shortest_path`` checks
    this one in the tests)."""
    n = adj.shape[0]
    total = np.zeros(n)
    if n == 0 or len(sources) == 0:
        return total
    by_target = adj.tocsc()  # column v: the nodes with an arc to v
    indices = by_target.indices
    linked = np.diff(by_target.indptr) > 0
    starts = by_target.indptr[:-1][linked]
    del by_target
    for first in range(0, len(sources), 64):
        chunk = sources[first : first + 64]
        visited = np.zeros(n, dtype=np.uint64)
        visited[chunk] = np.left_shift(np.uint64(1), np.arange(len(chunk), dtype=np.uint64))
        frontier = visited.copy()
        reached = np.zeros(n, dtype=np.uint64)
        distance = 0
        while len(indices):
            distance += 1
            reached[linked] = np.bitwise_or.reduceat(frontier[indices], starts)
            new = reached & ~visited
            if not new.any():
                break
            total += np.bitwise_count(new) / distance
            visited |= new
            frontier = new
    return total


def harmonic_exact(adj: sparse.csr_array) -> np.ndarray:
    """Harmonic centrality (Boldi and Vigna): for each node, the sum over every other node
    of 1 / (the length of the shortest path from it *to* the node); 0 for no path."""
    return _inverse_distance_sums(adj, np.arange(adj.shape[0]))


def harmonic_sampled(adj: sparse.csr_array, samples: int, seed: int = 0) -> np.ndarray:
    """Harmonic centrality estimated from ``samples`` source nodes drawn at random (without
    replacement), scaled by n / samples: unbiased, with a relative error that shrinks as a
    node's centrality and the sample grow (see bench/rank.py for measured errors)."""
    n = adj.shape[0]
    if samples >= n:
        return harmonic_exact(adj)
    chosen = np.random.default_rng(seed).choice(n, size=samples, replace=False)
    return _inverse_distance_sums(adj, np.sort(chosen)) * (n / samples)


def ranks(values: np.ndarray) -> np.ndarray:
    """1 for the highest value, ties broken by node number (nodes are numbered by name).

    >>> ranks(np.array([0.2, 0.5, 0.2])).tolist()
    [2, 1, 3]
    """
    order = np.lexsort((np.arange(len(values)), -values))
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.arange(1, len(values) + 1)
    return out
