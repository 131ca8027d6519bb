"""Whole-pose preprocessing before the groups are selected, shared by the baselines and the deep
models so both read poses the same way."""

from __future__ import annotations

from collections.abc import Sequence

from signkit.pose.layout import Layout
from signkit.pose.pose import Pose
from signkit.transforms.base import build_transforms
from signkit.transforms.normalize import shoulders


def default_preprocess(layout: Layout) -> list[str | dict]:
    steps: list[str | dict] = [{"name": "interpolate", "max_gap": 5}]
    if shoulders(layout) is not None:
        steps.append("center_scale")
    return steps


def preprocess_and_select(poses: Sequence[Pose], steps: Sequence[str | dict] | None, groups: str,
                          seed: int = 0) -> list[Pose]:
    """Run ``steps`` (``None``: :func:`default_preprocess`) on whole poses, then keep ``groups``.

    Shared by the baselines and the deep models so both read poses the same way. Steps run
    one after another over all the poses, so a collection-wide step sees every pose.
    """
    if not poses:
        return []
    pre = build_transforms(steps if steps is not None else default_preprocess(poses[0].layout), seed=seed)
    out = list(poses)
    for step in pre.transforms:  # a step with apply_all needs the whole collection (signer_standardize)
        out = step.apply_all(out) if hasattr(step, "apply_all") else [step(p, pre.rng) for p in out]
    return [p.select(groups) for p in out]
