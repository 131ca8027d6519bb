"""Continuous sequences built from real isolated signs, where no continuous corpus is at hand.

Each sequence joins random isolated samples of ONE signer: their real frames, in order, with a
short transition between two signs, interpolated from the last frame of one to the first of the
next (a keypoint missing at either end stays undetected), and optionally a few rest frames in
which nothing is detected. The signer is kept, so signer-independent splits still hold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from signkit.data.dataset import Dataset
from signkit.errors import ConfigError
from signkit.pose.pose import Pose
from signkit.transforms.temporal import InterpolateMissing


def _transition(a: Pose, b: Pose, frames: int) -> Pose:
    """``frames`` frames from ``a``'s last to ``b``'s first, interpolated per keypoint."""
    blank = a.frames(slice(-1, None)).replace(
        data=np.repeat(a.data[-1:], frames, 0), confidence=np.zeros((frames, a.num_keypoints), np.float32))
    bridge = Pose.concat([a.frames(slice(-1, None)), blank, b.frames(slice(0, 1))])
    return InterpolateMissing(max_gap=frames)(bridge, np.random.default_rng(0)).frames(slice(1, -1))


def _rest(like: Pose, frames: int) -> Pose:
    """``frames`` frames with nothing detected (the hands down, out of view)."""
    return like.replace(data=np.zeros((frames, *like.data.shape[1:]), np.float32),
                        confidence=np.zeros((frames, like.num_keypoints), np.float32))


def chain_signs(signs: list[Pose], transitions: list[int], rests: list[int]) -> Pose:
    """One sequence of ``signs``: gloss ``"A B C"``; ``spans`` lists each sign's frames
    ``start-end`` (end exclusive). Between signs i and i + 1: ``rests[i]`` rest frames, then
    ``transitions[i]`` interpolated ones."""
    parts, spans, t = [], [], 0
    for i, sign in enumerate(signs):
        if i:
            if rests[i - 1]:
                parts.append(_rest(sign, rests[i - 1]))
            parts.append(_transition(signs[i - 1], sign, transitions[i - 1]))
            t += rests[i - 1] + transitions[i - 1]
        parts.append(sign)
        spans.append(f"{t}-{t + len(sign)}")
        t += len(sign)
    pose = Pose.concat(parts)
    pose.metadata = {"gloss": " ".join(str(s.metadata["gloss"]) for s in signs),
                     "signer": signs[0].metadata.get("signer", ""), "spans": " ".join(spans)}
    return pose


def chain_dataset(ds: Dataset, min_signs: int = 2, max_signs: int = 6, per_signer: int = 100,
                  seed: int = 0, transition: tuple[int, int] = (2, 6), rest: tuple[int, int] = (0, 0),
                  progress: Callable[[int], None] = lambda i: None) -> list[Pose]:
    """``per_signer`` sequences of ``min_signs``..``max_signs`` random samples of each signer
    (no sample twice in one sequence); transitions and rests of random lengths in the given
    ranges (inclusive). ``sources`` lists the isolated samples' indices in ``ds``."""
    if not 1 <= min_signs <= max_signs:
        raise ConfigError(f"--min {min_signs} --max {max_signs}: need 1 <= min <= max")
    if transition[0] < 1 or transition[0] > transition[1] or rest[0] < 0 or rest[0] > rest[1]:
        raise ConfigError(f"transition {transition} / rest {rest}: ranges need 1 <= low <= high "
                          "(rest may start at 0)")
    rng = np.random.default_rng(seed)
    signers = ds.signers
    out = []
    for signer in sorted(set(signers.tolist())):
        mine = np.flatnonzero(signers == signer)
        if len(mine) < max_signs:
            raise ConfigError(f"{ds.name}: signer {signer!r} has {len(mine)} samples, fewer than --max "
                              f"{max_signs}")
        for _ in range(per_signer):
            picked = rng.choice(mine, int(rng.integers(min_signs, max_signs + 1)), replace=False)
            gaps = len(picked) - 1
            pose = chain_signs([ds.samples[i] for i in picked],
                               rng.integers(transition[0], transition[1] + 1, gaps).tolist(),
                               rng.integers(rest[0], rest[1] + 1, gaps).tolist())
            pose.metadata["sources"] = " ".join(map(str, picked))
            out.append(pose)
            progress(len(out))
    return out
