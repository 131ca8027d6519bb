"""Procedural, labelled, seeded signing data in the MediaPipe Holistic layout (543 points).

Built for the demo and the tests, with no download: several signers (body size, position,
speed, noise, dropped detections differ) sign classes that differ by hand movement and
handshape, and pairs of classes that differ ONLY in non-manual markers:

* question vs statement (``circleq`` vs ``circle``): eyebrows raised and head tilted forward
  for the question, as in the K-RSL question-statement design;
* mouth minimal pair (``wave-aa`` vs ``wave-oo``): open versus rounded lips.

A hands-only recogniser must confuse the members of each pair; adding non-manual groups
separates them. Coordinates are pixels of a ``FRAME x FRAME`` frame, like MediaPipe output
stored by pose-format.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import numpy as np

from signkit.pose.articulators import facemesh_regions, topology
from signkit.pose.layout import Layout
from signkit.pose.layouts import holistic_layout
from signkit.pose.pose import Pose

FRAME = 512
FPS = 30.0


@dataclass(frozen=True)
class SignSpec:
    """A class: the dominant hand's path and handshape, plus its non-manual marker."""

    movement: str
    handshape: str
    marker: str = "none"  # "none" | "question" | "mouth_aa" | "mouth_oo"


CLASSES: dict[str, SignSpec] = {
    "circle": SignSpec("circle", "index"),
    "circleq": SignSpec("circle", "index", "question"),
    "up": SignSpec("up", "flat"),
    "upq": SignSpec("up", "flat", "question"),
    "side": SignSpec("side", "fist"),
    "sideq": SignSpec("side", "fist", "question"),
    "wave-aa": SignSpec("wave", "open", "mouth_aa"),
    "wave-oo": SignSpec("wave", "open", "mouth_oo"),
    "tap": SignSpec("tap", "v"),
}
"""Gloss -> sign. Pairs differing only by a non-manual marker: (circle, circleq), (up, upq),
(side, sideq), (wave-aa, wave-oo)."""

NON_MANUAL_PAIRS = (("circle", "circleq"), ("up", "upq"), ("side", "sideq"),
                    ("wave-aa", "wave-oo"))
QUESTION_PAIRS = NON_MANUAL_PAIRS[:3]


@dataclass(frozen=True)
class Signer:
    name: str
    scale: float  # body size
    offset_x: float  # position in the frame (fraction of the frame)
    speed: float  # >1 signs faster (fewer frames)
    noise: float  # keypoint jitter, in shoulder widths
    hand_dropout: float  # per-frame chance a hand detection is lost
    amplitude: float  # size of movements
    marker_strength: float  # how strongly non-manual markers are produced


def make_signers(n: int, rng: np.random.Generator) -> list[Signer]:
    return [
        Signer(f"S{i + 1}", scale=rng.uniform(0.8, 1.2), offset_x=rng.uniform(-0.08, 0.08),
               speed=rng.uniform(0.75, 1.3), noise=rng.uniform(0.01, 0.025),
               hand_dropout=rng.uniform(0.02, 0.12), amplitude=rng.uniform(0.85, 1.15),
               marker_strength=rng.uniform(0.7, 1.2))
        for i in range(n)
    ]


# ---- geometry templates (units: shoulder widths, origin at the shoulder midpoint, y down) ------
def _components(edges: list[list[int]]) -> list[list[int]]:
    """Connected components of an edge list, each as a walk (cycle or path order)."""
    adj: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    seen: set[int] = set()
    walks = []
    for start in sorted(adj, key=lambda v: (len(adj[v]), v)):
        if start in seen:
            continue
        walk, node = [], start
        while node is not None:
            walk.append(node)
            seen.add(node)
            node = next((n for n in sorted(adj[node]) if n not in seen), None)
        walks.append(walk)
    return walks


@cache
def face_template() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(468, 3)`` neutral face-mesh positions and the index arrays of animated regions.

    Region outlines follow MediaPipe's own connection loops, laid on ellipses; the remaining
    mesh points are scattered inside the face oval (seeded), which is all a classifier needs.
    """
    fm = topology()["facemesh"]
    pts = np.zeros((468, 3), dtype=np.float32)
    placed = np.zeros(468, dtype=bool)

    def lay(edges: list[list[int]], cx: float, cy: float, rx: float, ry: float) -> None:
        for j, walk in enumerate(_components(edges)):
            shrink = 1.0 - 0.45 * j  # second loop (inner lips, lower brow) sits inside
            n = len(walk)
            for i, p in enumerate(walk):
                a = 2 * math.pi * i / n
                pts[p] = (cx + rx * shrink * math.cos(a), cy + ry * shrink * math.sin(a), 0.0)
                placed[p] = True

    lay(fm["FACE_OVAL"], 0.0, 0.0, 0.34, 0.46)
    for side, sx in (("LEFT", 1), ("RIGHT", -1)):
        lay(fm[f"{side}_EYE"], 0.13 * sx, -0.08, 0.07, 0.03)
        lay(fm[f"{side}_EYEBROW"], 0.13 * sx, -0.17, 0.09, 0.025)
    lay(fm["LIPS"], 0.0, 0.22, 0.13, 0.05)
    nose = sorted({p for e in fm["NOSE"] for p in e})
    for i, p in enumerate(nose):
        pts[p] = (0.03 * math.sin(i), -0.06 + 0.16 * i / len(nose), 0.05)
        placed[p] = True
    rng = np.random.default_rng(1234)
    rest = np.where(~placed)[0]
    r, a = np.sqrt(rng.uniform(0, 0.8, len(rest))), rng.uniform(0, 2 * math.pi, len(rest))
    pts[rest, 0], pts[rest, 1] = 0.3 * r * np.cos(a), 0.42 * r * np.sin(a)
    regions = {k: np.asarray(sorted(i for i in v if i < 468))
               for k, v in facemesh_regions().items() if k != "nose"}
    lips = _components(fm["LIPS"])
    regions["inner_lips"] = np.asarray(sorted(lips[1])) if len(lips) > 1 else regions["mouth"]
    return pts, regions


_FINGER_BASES = {  # finger -> (base x, base y) in hand lengths, hand pointing up (-y)
    "thumb": (-0.22, -0.12), "index": (-0.12, -0.45), "middle": (0.0, -0.47),
    "ring": (0.11, -0.44), "pinky": (0.2, -0.38),
}
_SEGMENTS = {"thumb": (0.2, 0.17, 0.14), "index": (0.25, 0.15, 0.12),
             "middle": (0.27, 0.17, 0.13), "ring": (0.25, 0.16, 0.12),
             "pinky": (0.2, 0.12, 0.1)}
HANDSHAPES = {  # curl of thumb, index, middle, ring, pinky (0 straight, 1 closed) and spread
    "flat": ((0.1, 0, 0, 0, 0), 0.0), "open": ((0, 0, 0, 0, 0), 1.0),
    "fist": ((0.6, 1, 1, 1, 1), 0.0), "index": ((0.7, 0, 1, 1, 1), 0.2),
    "v": ((0.7, 0, 0, 1, 1), 0.9),
}


@cache
def hand_template(shape: str) -> np.ndarray:
    """``(21, 3)`` MediaPipe hand landmarks for a handshape, wrist at the origin, hand length 1."""
    curls, spread = HANDSHAPES[shape]
    out = [np.zeros(3)]
    for f, (name, (bx, by)) in enumerate(_FINGER_BASES.items()):
        base = np.array([bx, by, 0.0])
        direction = math.atan2(bx, -by) * (1 + 0.8 * spread) if name != "thumb" else -0.9
        pitch = 0.0
        pos = base
        out.append(pos.copy())
        for seg in _SEGMENTS[name]:
            pitch += curls[f] * math.radians(75)
            step = np.array([math.sin(direction) * math.cos(pitch),
                             -math.cos(direction) * math.cos(pitch), -math.sin(pitch)])
            pos = pos + seg * step
            out.append(pos.copy())
    return np.asarray(out, dtype=np.float32)


def _path(movement: str, t: np.ndarray, amp: float) -> tuple[np.ndarray, np.ndarray]:
    """Dominant wrist position ``(T, 2)`` and hand roll ``(T,)`` for a movement, ``t`` in [0, 1]."""
    zero = np.zeros_like(t)
    if movement == "circle":
        a = 2 * math.pi * t
        xy = np.stack([-0.4 + 0.35 * amp * np.cos(a), 0.55 + 0.35 * amp * np.sin(a)], 1)
        return xy, zero
    if movement == "up":
        return np.stack([-0.35 + zero, 0.9 - 1.5 * amp * t], 1), zero + 0.2
    if movement == "side":
        return np.stack([-0.1 - 0.9 * amp * t, 0.6 + 0.1 * np.sin(math.pi * t)], 1), zero - 0.6
    if movement == "wave":
        return (np.stack([-0.55 + 0.25 * amp * np.sin(6 * math.pi * t), -0.2 + zero], 1),
                0.4 * np.sin(6 * math.pi * t))
    if movement == "tap":
        return np.stack([-0.05 + zero, -0.35 + 0.25 * np.abs(np.sin(2 * math.pi * t))], 1), zero
    raise ValueError(f"unknown movement {movement!r}")


@cache
def _body_template() -> np.ndarray:
    """``(33, 2)`` neutral MediaPipe Pose positions (shoulder widths from the shoulder centre)."""
    names = topology()["pose_landmarks"]
    pos = {
        "NOSE": (0, -1.1), "LEFT_EYE_INNER": (0.07, -1.2), "LEFT_EYE": (0.13, -1.2),
        "LEFT_EYE_OUTER": (0.19, -1.2), "RIGHT_EYE_INNER": (-0.07, -1.2),
        "RIGHT_EYE": (-0.13, -1.2), "RIGHT_EYE_OUTER": (-0.19, -1.2), "LEFT_EAR": (0.3, -1.15),
        "RIGHT_EAR": (-0.3, -1.15), "MOUTH_LEFT": (0.1, -0.9), "MOUTH_RIGHT": (-0.1, -0.9),
        "LEFT_SHOULDER": (0.5, 0), "RIGHT_SHOULDER": (-0.5, 0), "LEFT_HIP": (0.33, 1.3),
        "RIGHT_HIP": (-0.33, 1.3), "LEFT_KNEE": (0.35, 2.2), "RIGHT_KNEE": (-0.35, 2.2),
        "LEFT_ANKLE": (0.35, 3.0), "RIGHT_ANKLE": (-0.35, 3.0), "LEFT_HEEL": (0.35, 3.1),
        "RIGHT_HEEL": (-0.35, 3.1), "LEFT_FOOT_INDEX": (0.4, 3.15),
        "RIGHT_FOOT_INDEX": (-0.4, 3.15),
    }
    return np.asarray([pos.get(n, (0.0, 0.0)) for n in names], dtype=np.float32)


def _rotate(xy: np.ndarray, angle: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Rotate ``(T, N, 2)`` points by ``(T,)`` angles about ``(T, 2)`` centres."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    d = xy - centre[:, None]
    return np.stack([c * d[..., 0] - s * d[..., 1], s * d[..., 0] + c * d[..., 1]], -1) + centre[:, None]


def _place_hand(shape: str, wrist: np.ndarray, roll: np.ndarray, size: float) -> np.ndarray:
    """``(T, 21, 3)`` hand points at wrist positions ``(T, 2)`` with roll angles ``(T,)``."""
    tmpl = hand_template(shape) * size
    xy = _rotate(np.broadcast_to(tmpl[None, :, :2], (len(wrist), 21, 2)), roll, np.zeros_like(wrist))
    return np.concatenate([xy + wrist[:, None], np.broadcast_to(tmpl[None, :, 2:], (len(wrist), 21, 1))], -1)


def _elbow(shoulder: np.ndarray, wrist: np.ndarray, side: float) -> np.ndarray:
    mid = (shoulder + wrist) / 2
    return mid + np.array([0.25 * side, 0.35])


def render_sign(spec: SignSpec, signer: Signer, rng: np.random.Generator) -> Pose:
    """One sample: ``Pose`` of shape ``(T, 543, 3)`` in pixels of a ``FRAME`` square frame."""
    n_sign = max(12, round(rng.uniform(30, 42) / signer.speed))
    n_rest = (int(rng.integers(3, 7)), int(rng.integers(3, 7)))
    t_len = n_sign + sum(n_rest)
    # sign time in [0, 1] with rest holds at both ends; envelope for non-manual markers
    t = np.clip((np.arange(t_len) - n_rest[0]) / (n_sign - 1), 0, 1)
    env = np.sin(math.pi * np.clip((np.arange(t_len) - n_rest[0] + 3) / (n_sign + 6), 0, 1))

    amp = signer.amplitude * rng.uniform(0.9, 1.1)
    path, roll = _path(spec.movement, t, amp)
    rest = np.array([-0.45, 1.25])
    frame = np.arange(t_len)
    blend = np.clip(np.minimum(frame - n_rest[0] + 3, t_len - n_rest[1] + 2 - frame) / 4, 0, 1)
    right_wrist = blend[:, None] * path + (1 - blend[:, None]) * rest
    left_wrist = np.array([0.45, 1.25]) + rng.normal(0, 0.02, (t_len, 2))
    right = _place_hand(spec.handshape, right_wrist, roll + math.pi * 0.05, 0.55)
    left = _place_hand("flat", left_wrist, np.full(t_len, math.pi), 0.55)

    body = np.broadcast_to(_body_template(), (t_len, 33, 2)).copy()
    names = topology()["pose_landmarks"]
    idx = {n: i for i, n in enumerate(names)}
    for side, wrist, hand, sgn in (("RIGHT", right_wrist, right, -1), ("LEFT", left_wrist, left, 1)):
        body[:, idx[f"{side}_WRIST"]] = wrist
        body[:, idx[f"{side}_ELBOW"]] = _elbow(body[:, idx[f"{side}_SHOULDER"]], wrist, sgn)
        body[:, idx[f"{side}_THUMB"]] = hand[:, 4, :2]
        body[:, idx[f"{side}_INDEX"]] = hand[:, 5, :2]
        body[:, idx[f"{side}_PINKY"]] = hand[:, 17, :2]

    face_pts, regions = face_template()
    face = np.broadcast_to(face_pts * 0.85, (t_len, 468, 3)).copy()
    face[..., :2] += np.array([0.0, -1.05])
    strength = signer.marker_strength * env
    # Distractors every class shares: blinks and small mouth movement while signing.
    face[:, regions["eyes"], 1] += 0.004 * rng.normal(size=(t_len, 1))
    mouth_c = face[:, regions["mouth"], :2].mean(axis=1, keepdims=True)
    jitter = 0.15 * rng.uniform(-1, 1, (t_len, 1))
    face[:, regions["mouth"], 1] += (face[:, regions["mouth"], 1] - mouth_c[..., 1]) * jitter
    if spec.marker.startswith("mouth"):
        mouth = regions["mouth"]
        c = face[:, mouth, :2].mean(axis=1, keepdims=True)
        sx, sy = (1.0 + 0.15 * strength, 1.0 + 2.2 * strength) if spec.marker == "mouth_aa" \
            else (1.0 - 0.4 * strength, 1.0 + 0.9 * strength)
        face[:, mouth, :2] = c + (face[:, mouth, :2] - c) * np.stack([sx, sy], -1)[:, None]
    head = [idx[n] for n in names[:11]]
    if spec.marker == "question":
        face[:, regions["eyebrows"], 1] -= 0.09 * strength[:, None]
        tilt = 0.22 * strength
        neck = np.zeros((t_len, 2))
        face[..., :2] = _rotate(face[..., :2], tilt, neck)
        body[:, head] = _rotate(body[:, head], tilt, neck)
    # signer-specific head pose (not class information)
    sway = 0.05 * np.sin(2 * math.pi * (np.arange(t_len) / 40 + rng.uniform()))
    face[..., :2] = _rotate(face[..., :2], sway, np.zeros((t_len, 2)))
    body[:, head] = _rotate(body[:, head], sway, np.zeros((t_len, 2)))

    xyz = np.concatenate([
        np.concatenate([body, np.zeros((t_len, 33, 1))], -1), face, left, right,
    ], axis=1).astype(np.float32)
    xyz[..., :2] += rng.normal(0, signer.noise, xyz[..., :2].shape)
    # to pixels: shoulder width is 0.22 of the frame at scale 1, shoulders at 45 % height
    unit = 0.22 * FRAME * signer.scale * rng.uniform(0.95, 1.05)
    centre = np.array([FRAME * (0.5 + signer.offset_x), FRAME * 0.45])
    xyz[..., :2] = xyz[..., :2] * unit + centre
    xyz[..., 2] *= unit

    conf = np.ones(xyz.shape[:2], dtype=np.float32)
    conf[:, :33] = rng.uniform(0.85, 1.0, (t_len, 33))
    layout = _layout()
    off = layout.offsets
    for comp_i in (2, 3):  # hands: bursts of lost detections
        lost = rng.random(t_len) < signer.hand_dropout
        lost |= np.roll(lost, 1) & (rng.random(t_len) < 0.5)
        conf[lost, off[comp_i]:off[comp_i + 1]] = 0
    face_lost = rng.random(t_len) < 0.01
    conf[face_lost, off[1]:off[2]] = 0
    xyz[conf == 0] = 0.0  # MediaPipe reports undetected parts as zeros
    return Pose(xyz, conf, FPS, layout, width=FRAME, height=FRAME,
                metadata={"signer": signer.name})


@cache
def _layout() -> Layout:
    return holistic_layout(468)


def generate(num_signers: int = 5, samples_per_class: int = 10, seed: int = 0,
             classes: tuple[str, ...] | None = None) -> list[Pose]:
    """A seeded synthetic corpus: every signer signs every class ``samples_per_class`` times.

    Each pose has ``metadata`` ``gloss``, ``signer`` and ``index``.
    """
    rng = np.random.default_rng(seed)
    signers = make_signers(num_signers, rng)
    poses = []
    for signer in signers:
        for gloss in classes or tuple(CLASSES):
            for _ in range(samples_per_class):
                pose = render_sign(CLASSES[gloss], signer, rng)
                pose.metadata.update(gloss=gloss, index=len(poses), source="synthetic")
                poses.append(pose)
    return poses


# ---- continuous sentences ---------------------------------------------------------------------
SENTENCE_SIGNS = ("circle", "up", "side", "tap", "wave-aa", "wave-oo")
"""Signs a sentence is made of; its last sign is one with a question form (``circle``, ``circleq``)."""
QUESTION_SCOPES = ("sentence", "last")


def _mark_question(pose: Pose, start: int, end: int, strength: float) -> None:
    """Raise the eyebrows and tilt the head forward over frames ``[start, end)`` (in place, in
    pixels; the same marker as :func:`render_sign`'s ``question``), easing in and out."""
    names = topology()["pose_landmarks"]
    idx = {n: i for i, n in enumerate(names)}
    off = pose.layout.offsets
    face = np.arange(off[1], off[2])
    head = np.array([idx[n] for n in names[:11]])
    brows = off[1] + face_template()[1]["eyebrows"]
    frames = np.arange(start, end)
    env = strength * np.sin(np.pi * np.clip((frames - start + 3) / (end - start + 6), 0, 1))
    shoulders = pose.data[frames][:, [idx["LEFT_SHOULDER"], idx["RIGHT_SHOULDER"]], :2]
    unit = np.linalg.norm(shoulders[:, 0] - shoulders[:, 1], axis=-1)  # pixels per shoulder width
    neck = shoulders.mean(axis=1)
    data = pose.data[frames]
    data[:, brows, 1] -= (0.09 * env * unit)[:, None]
    moved = np.concatenate([face, head])
    data[:, moved, :2] = _rotate(data[:, moved, :2], 0.22 * env, neck)
    det = pose.confidence[frames] > 0
    pose.data[frames] = np.where(det[..., None], data, 0.0)


def render_sentence(glosses: list[str], signer: Signer, rng: np.random.Generator, question: bool,
                    scope: str = "sentence") -> Pose:
    """Signs rendered one after the other (each from and back to rest), as one pose; a question is
    marked non-manually over the whole sentence or over its last sign (``scope``). The last gloss
    of a question gets its question form, as in the isolated classes (``side`` -> ``sideq``)."""
    signs = [render_sign(CLASSES[g], signer, rng) for g in glosses]
    spans, t = [], 0
    for s in signs:
        spans.append((t, t + len(s)))
        t += len(s)
    pose = Pose.concat(signs)
    if question:
        start = 0 if scope == "sentence" else spans[-1][0]
        _mark_question(pose, start, len(pose), signer.marker_strength)
        glosses = [*glosses[:-1], f"{glosses[-1]}q"]
    pose.metadata = {"signer": signer.name, "gloss": " ".join(glosses),
                     "sentence_type": "question" if question else "statement",
                     "spans": " ".join(f"{a}-{b}" for a, b in spans), "source": "synthetic"}
    return pose


def generate_sentences(num_signers: int = 5, per_signer: int = 60, seed: int = 0, min_signs: int = 2,
                       max_signs: int = 4, scope: str = "sentence") -> list[Pose]:
    """A seeded corpus of continuous sentences, half of them questions, for every signer."""
    if scope not in QUESTION_SCOPES:
        raise ValueError(f"scope is one of {QUESTION_SCOPES}, not {scope!r}")
    rng = np.random.default_rng(seed)
    out = []
    for signer in make_signers(num_signers, rng):
        for i in range(per_signer):
            question = i % 2 == 1
            glosses = list(rng.choice(SENTENCE_SIGNS, int(rng.integers(min_signs, max_signs + 1))))
            # Every sentence ends with a sign that has a question form, so that its hands never
            # tell a question from a statement: only the eyebrows and the head do.
            glosses[-1] = str(rng.choice([g for g in SENTENCE_SIGNS if f"{g}q" in CLASSES]))
            out.append(render_sentence([str(g) for g in glosses], signer, rng, question, scope))
    return out
