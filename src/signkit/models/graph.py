"""Skeleton graphs for the graph models, built from a layout's edges (no layout is hard-coded).

ST-GCN's "spatial" partitioning: for each node, its neighbours are split into the node itself
(and neighbours as far from the centre as it), neighbours closer to the centre (centripetal) and
neighbours further away (centrifugal). A selection of articulator groups is often several
disconnected pieces (two hands, a face contour); each piece gets its own centre, the node with
the smallest eccentricity within it.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from signkit.pose.layout import Layout


def adjacency(num_nodes: int, edges: np.ndarray) -> np.ndarray:
    """Symmetric ``(V, V)`` 0/1 adjacency without self-loops."""
    a = np.zeros((num_nodes, num_nodes), np.float32)
    if len(edges):
        a[edges[:, 0], edges[:, 1]] = 1
        a[edges[:, 1], edges[:, 0]] = 1
    np.fill_diagonal(a, 0)
    return a


def hop_distances(a: np.ndarray) -> np.ndarray:
    """``(V, V)`` shortest-path hops (``inf`` between disconnected pieces)."""
    return shortest_path(coo_matrix(a), unweighted=True, directed=False)


def centre_distances(a: np.ndarray) -> np.ndarray:
    """Hops from each node to the centre of its connected piece, ``(V,)``."""
    hops = hop_distances(a)
    _, piece = connected_components(coo_matrix(a), directed=False)
    dist = np.zeros(len(a), np.float32)
    for p in np.unique(piece):
        nodes = np.where(piece == p)[0]
        sub = hops[np.ix_(nodes, nodes)]
        centre = nodes[int(np.argmin(sub.max(axis=1)))]
        dist[nodes] = hops[centre, nodes]
    return dist


def _normalise(a: np.ndarray) -> np.ndarray:
    """Column-normalised ``A D^-1`` as in ST-GCN."""
    deg = a.sum(axis=0)
    return (a / np.where(deg > 0, deg, 1)[None, :]).astype(np.float32)


def selection_edges(layout: Layout, keep: np.ndarray) -> np.ndarray:
    """Edges among the kept keypoints, renumbered ``0..len(keep)-1``, ``(E, 2)``.

    Two kept points joined in the full skeleton only through dropped points (a wrist and a
    fingertip when the knuckles are not selected) are joined directly, so a sparse selection
    such as OpenHands' 27 points stays one connected hand.
    """
    keep = np.asarray(keep)
    full = adjacency(layout.num_keypoints, np.asarray(layout.edges).reshape(-1, 2))
    kept = np.zeros(layout.num_keypoints, bool)
    kept[keep] = True
    new_index = {int(k): i for i, k in enumerate(keep)}
    edges = set()
    for k in keep:
        seen, frontier = {int(k)}, [int(k)]
        while frontier:  # walk through dropped points only
            nxt = []
            for node in frontier:
                for m in np.nonzero(full[node])[0]:
                    m = int(m)
                    if m in seen:
                        continue
                    seen.add(m)
                    if kept[m]:
                        edges.add(tuple(sorted((new_index[int(k)], new_index[m]))))
                    else:
                        nxt.append(m)
            frontier = nxt
    return np.array(sorted(edges), dtype=np.int64).reshape(-1, 2)


def spatial_partitions(num_nodes: int, edges: np.ndarray) -> np.ndarray:
    """``(3, V, V)``: root (self and equal distance), centripetal, centrifugal, normalised."""
    v = num_nodes
    a = adjacency(v, np.asarray(edges).reshape(-1, 2))
    dist = centre_distances(a)
    neighbours = a + np.eye(v, dtype=np.float32)
    norm = _normalise(neighbours)
    parts = np.zeros((3, v, v), np.float32)
    i, j = np.nonzero(neighbours)
    # Messages go from neighbour i to node j; compare the neighbour's distance with the node's.
    kind = np.where(dist[i] == dist[j], 0, np.where(dist[i] < dist[j], 1, 2))
    parts[kind, i, j] = norm[i, j]
    return parts
