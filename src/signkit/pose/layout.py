"""Keypoint layouts: named points, skeleton edges and articulator groups.

A :class:`Layout` is a sequence of :class:`Component` blocks (as in a pose-format header: body,
face, left hand, ...). Keypoint ``k`` of a pose tensor ``(T, K, D)`` is the ``k``-th point when
the components are laid end to end. Articulator groups (``hands``, ``mouth``, ``eyebrows``, ...)
are derived from the component names and point names by :mod:`signkit.pose.articulators`, so a
layout read from any file gets them without an index list being copied around.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from signkit.errors import ConfigError


@dataclass(frozen=True)
class Component:
    """One block of keypoints with its own point names and limbs (indices local to the block)."""

    name: str
    points: tuple[str, ...]
    limbs: tuple[tuple[int, int], ...] = ()
    colors: tuple[tuple[int, int, int], ...] = ()
    format: str = "XYZC"

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))
        object.__setattr__(self, "limbs", tuple((int(a), int(b)) for a, b in self.limbs))
        object.__setattr__(self, "colors", tuple(tuple(int(v) for v in c) for c in self.colors))


@dataclass(frozen=True)
class Layout:
    """Names, edges and articulator groups of the K keypoints of a pose.

    ``groups`` maps a group name to sorted global keypoint indices; when omitted it is derived
    from the components (see :func:`signkit.pose.articulators.derive_groups`).
    """

    components: tuple[Component, ...]
    groups: Mapping[str, tuple[int, ...]] = field(default=None)  # type: ignore[assignment]
    name: str = ""

    def __post_init__(self) -> None:
        from signkit.pose import articulators

        object.__setattr__(self, "components", tuple(self.components))
        if self.groups is None:
            object.__setattr__(self, "groups", articulators.derive_groups(self))
        groups = {g: tuple(sorted(int(i) for i in idx)) for g, idx in self.groups.items() if idx}
        object.__setattr__(self, "groups", groups)
        if not self.name:
            object.__setattr__(self, "name", articulators.recognise(self))

    # ---- names and indices -------------------------------------------------------------
    @cached_property
    def offsets(self) -> tuple[int, ...]:
        """Global index of the first point of each component."""
        starts = np.cumsum([0] + [len(c.points) for c in self.components])
        return tuple(int(s) for s in starts)

    @property
    def num_keypoints(self) -> int:
        return self.offsets[-1]

    def __len__(self) -> int:
        return self.num_keypoints

    @cached_property
    def keypoints(self) -> tuple[tuple[str, str], ...]:
        """``(component, point)`` for every keypoint, in tensor order."""
        return tuple((c.name, p) for c in self.components for p in c.points)

    @cached_property
    def _index(self) -> dict[tuple[str, str], int]:
        return {kp: i for i, kp in enumerate(self.keypoints)}

    def index(self, component: str, point: str) -> int:
        """Global index of one named point."""
        try:
            return self._index[(component, point)]
        except KeyError:
            raise ConfigError(f"layout {self.name!r} has no point {component}/{point}") from None

    def find(self, component: str, point: str) -> int | None:
        return self._index.get((component, point))

    def component_of(self, k: int) -> Component:
        pos = int(np.searchsorted(self.offsets, k, side="right")) - 1
        return self.components[pos]

    @cached_property
    def edges(self) -> np.ndarray:
        """Skeleton edges as global index pairs, shape ``(E, 2)``."""
        pairs = [
            (a + off, b + off)
            for c, off in zip(self.components, self.offsets, strict=False)
            for a, b in c.limbs
        ]
        return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)

    @cached_property
    def parents(self) -> np.ndarray:
        """``(K,)`` each keypoint's parent in breadth-first trees of the limbs, one tree per
        connected piece, rooted at its lowest-numbered point (a hand's wrist, the face mesh's
        lips, an eyebrow's first point); -1 for roots and for points with no limb."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import breadth_first_order

        k, e = self.num_keypoints, self.edges
        graph = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(k, k)).tocsr()
        parent = np.full(k, -1, dtype=np.int64)
        reached = np.zeros(k, dtype=bool)
        for root in range(k):
            if not reached[root]:
                order, pred = breadth_first_order(graph, root, directed=False, return_predecessors=True)
                reached[order] = True
                parent[order] = np.maximum(pred[order], -1)
        return parent

    # ---- selection ---------------------------------------------------------------------
    def indices(self, *names: str) -> np.ndarray:
        """Sorted global indices of the union of named groups or named selections.

        ``"hands+mouth"`` style strings are split on ``+``.
        """
        from signkit.pose.articulators import NAMED_SELECTIONS

        wanted: set[int] = set()
        for spec in names:
            for name in filter(None, (n.strip() for n in spec.split("+"))):
                if name in self.groups:
                    wanted.update(self.groups[name])
                elif name in NAMED_SELECTIONS:
                    wanted.update(NAMED_SELECTIONS[name](self))
                elif name == "all":
                    wanted.update(range(self.num_keypoints))
                else:
                    known = ", ".join(sorted(self.groups) + sorted(NAMED_SELECTIONS))
                    raise ConfigError(
                        f"layout {self.name!r} has no group {name!r}; available: {known}"
                    )
        if not wanted:
            raise ConfigError(f"selection {names!r} is empty in layout {self.name!r}")
        return np.asarray(sorted(wanted), dtype=np.int64)

    def subset(self, indices: Sequence[int] | np.ndarray) -> Layout:
        """The layout of the kept keypoints (in the given order, which must be increasing).

        Names, the edges among kept points and the groups (intersected) carry over.
        """
        keep = [int(i) for i in indices]
        # Memoised per layout: every sample of a dataset (and every window of a live stream) selects
        # the same groups, and rebuilding the names, limbs and groups is most of a selection's time.
        cache = self.__dict__.setdefault("_subsets", {})
        if (key := tuple(keep)) not in cache:
            cache[key] = self._subset(keep)
        return cache[key]

    def _subset(self, keep: list[int]) -> Layout:
        if any(b <= a for a, b in itertools.pairwise(keep)):
            raise ValueError("subset indices must be strictly increasing")
        new_index = {old: new for new, old in enumerate(keep)}
        components: list[Component] = []
        for comp, off in zip(self.components, self.offsets, strict=False):
            local = [k - off for k in keep if off <= k < off + len(comp.points)]
            if not local:
                continue
            remap = {old: new for new, old in enumerate(local)}
            limbs, colors = [], []
            for j, (a, b) in enumerate(comp.limbs):
                if a in remap and b in remap:
                    limbs.append((remap[a], remap[b]))
                    if comp.colors:
                        colors.append(comp.colors[j % len(comp.colors)])
            components.append(
                Component(comp.name, tuple(comp.points[i] for i in local), tuple(limbs),
                          tuple(colors), comp.format)
            )
        groups = {
            g: tuple(new_index[i] for i in idx if i in new_index) for g, idx in self.groups.items()
        }
        name = self.name if len(keep) == len(self) else f"{self.name}/selection"
        return Layout(tuple(components), groups, name)

    def group_of_keypoints(self, order: Iterable[str]) -> np.ndarray:
        """For each keypoint, the first group in ``order`` that contains it (or ``""``)."""
        labels = np.full(self.num_keypoints, "", dtype=object)
        for g in reversed(list(order)):
            if g in self.groups:
                labels[list(self.groups[g])] = g
        return labels

    # ---- symmetry ----------------------------------------------------------------------
    @cached_property
    def mirror(self) -> np.ndarray:
        """Permutation ``perm`` such that ``data[:, perm]`` swaps left and right keypoints.

        A point whose partner is not in the layout maps to itself.
        """
        from signkit.pose.articulators import mirror_partner

        perm = np.arange(self.num_keypoints)
        for k, (comp, point) in enumerate(self.keypoints):
            partner = mirror_partner(comp, point)
            j = self.find(*partner)
            if j is not None:
                perm[k] = j
        return perm

    # ---- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "components": [
                {"name": c.name, "points": list(c.points), "limbs": [list(e) for e in c.limbs],
                 "colors": [list(x) for x in c.colors], "format": c.format}
                for c in self.components
            ],
            "groups": {g: list(v) for g, v in self.groups.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Layout:
        comps = tuple(
            Component(c["name"], tuple(c["points"]), tuple(tuple(e) for e in c["limbs"]),
                      tuple(tuple(x) for x in c.get("colors", [])), c.get("format", "XYZC"))
            for c in d["components"]
        )
        return cls(comps, d.get("groups"), d.get("name", ""))

    def describe(self) -> str:
        parts = ", ".join(f"{c.name}:{len(c.points)}" for c in self.components)
        return f"{self.name} ({self.num_keypoints} keypoints: {parts})"
