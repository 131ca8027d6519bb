"""NumPy array formats: flat MediaPipe Holistic arrays and the KRSL hand-keypoint collection.

Flat MediaPipe arrays (one row per frame), as produced by the common "extract_keypoints" recipe:

* 1662 values: pose 33 x (x, y, z, visibility) | face 468 x 3 | left hand 21 x 3 | right hand 21 x 3
* 258 values: the same without the face.

A part that was not detected is all zeros there; here it gets confidence 0.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError
from signkit.pose.articulators import MP_BODY
from signkit.pose.io.base import PoseFormat, atomic_write_bytes, register_format
from signkit.pose.layouts import hands_layout, holistic_layout
from signkit.pose.pose import Pose

ASSUMED_FPS = 30.0
"""These arrays carry no frame rate; poses read from them get this one (and ``fps_assumed``)."""

_BODY, _FACE, _HAND = 33, 468, 21
FLAT_WIDTHS = {_BODY * 4 + _FACE * 3 + 2 * _HAND * 3: True, _BODY * 4 + 2 * _HAND * 3: False}
"""Flat row width -> whether it includes the face (1662 -> True, 258 -> False)."""


def _block_detected(block: np.ndarray) -> np.ndarray:
    """``(T, N, C)`` -> ``(T,)``: a block of keypoints counts as detected when not all zero."""
    return np.any(block.reshape(block.shape[0], -1) != 0, axis=1)


def from_mediapipe_array(x: np.ndarray, source: str | Path = "<array>") -> Pose:
    """``(T, 1662)`` or ``(T, 258)`` flat MediaPipe array -> :class:`Pose` with D = 3."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] not in FLAT_WIDTHS:
        raise PoseFileError(source, f"expected (frames, 1662) or (frames, 258) MediaPipe values, "
                                    f"got shape {x.shape}")
    with_face = FLAT_WIDTHS[x.shape[1]]
    t = x.shape[0]
    body = x[:, : _BODY * 4].reshape(t, _BODY, 4)
    rest = x[:, _BODY * 4:].reshape(t, -1, 3)
    parts = [(body[..., :3], np.where(_block_detected(body)[:, None], body[..., 3], 0.0))]
    sizes = ([_FACE] if with_face else []) + [_HAND, _HAND]
    start = 0
    for n in sizes:
        block = rest[:, start:start + n]
        parts.append((block, np.repeat(_block_detected(block)[:, None], n, axis=1)))
        start += n
    data = np.concatenate([p[0] for p in parts], axis=1)
    conf = np.concatenate([p[1] for p in parts], axis=1).astype(np.float32)
    # A detected body point may report visibility 0; keep it detected.
    n_body_detected = _block_detected(body)
    conf[:, :_BODY] = np.where(n_body_detected[:, None], np.maximum(conf[:, :_BODY], 1e-3), 0.0)
    return Pose(data, conf, ASSUMED_FPS, holistic_layout(with_face=with_face),
                metadata={"fps_assumed": True})


def to_mediapipe_array(pose: Pose) -> np.ndarray:
    """:class:`Pose` in a MediaPipe Holistic layout -> ``(T, 1662)`` (or 258 without a face)."""
    name = pose.layout.name
    if name not in ("mediapipe_holistic", "mediapipe_holistic_noface"):
        raise PoseFileError(pose.metadata.get("source", "<pose>"),
                            f"layout {name!r} cannot be written as a flat MediaPipe array")
    xyz = pose.masked()[..., :3]
    if xyz.shape[-1] < 3:
        xyz = np.pad(xyz, ((0, 0), (0, 0), (0, 3 - xyz.shape[-1])))
    off = pose.layout.offsets
    comp_names = [c.name for c in pose.layout.components]
    b = comp_names.index(MP_BODY)
    body = np.concatenate([xyz[:, off[b]:off[b + 1]],
                           pose.confidence[:, off[b]:off[b + 1], None]], axis=-1)
    others = [xyz[:, off[i]:off[i + 1]] for i in range(len(comp_names)) if i != b
              and comp_names[i] in ("FACE_LANDMARKS", "LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS")]
    # A refined 478-point face is written as its first 468 points: the flat format has no irises.
    flat = [body.reshape(len(pose), -1)] + [o[:, :_FACE].reshape(len(pose), -1) for o in others]
    return np.concatenate(flat, axis=1).astype(np.float32)


def _open_npz(path: Path, required: tuple[str, ...]) -> dict[str, np.ndarray]:
    # Never allow_pickle: an object array in a file from elsewhere would run its code on reading.
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in required if k not in z.files]
            if missing:
                raise PoseFileError(path, f"missing arrays {missing} (has {sorted(z.files)})")
            return {k: z[k] for k in z.files}
    except PoseFileError:
        raise
    except ValueError as exc:
        if "allow_pickle" not in str(exc) or not zipfile.is_zipfile(path):
            raise PoseFileError(path, f"not a readable .npz file ({exc})") from None
        raise PoseFileError(path, "holds a pickled object array; signkit does not open pickles "
                                  "(they can run code). Save the arrays as plain numbers/strings") from None
    except Exception as exc:  # numpy raises OSError, BadZipFile, ...
        raise PoseFileError(path, f"not a readable .npz file ({exc})") from exc


def _npz_keys(path: Path) -> set[str]:
    try:
        with np.load(path, allow_pickle=False) as z:
            return set(z.files)
    except Exception:
        return set()


# ---- MediaPipe array collections (X (N, T, D), y, classes) ----------------------------------
def read_mediapipe_npz(path: Path) -> list[Pose]:
    """Every sequence of an ``.npz`` with ``X (N, T, 1662|258)``, ``y`` and ``classes``."""
    z = _open_npz(path, ("X", "y"))
    x = z["X"]
    if x.ndim != 3:
        raise PoseFileError(path, f"X must be (samples, frames, values), got shape {x.shape}")
    classes = [str(c) for c in z["classes"]] if "classes" in z else None
    seq_ids = z.get("seq_id")
    poses = []
    for i in range(x.shape[0]):
        pose = from_mediapipe_array(x[i], path)
        label = int(z["y"][i])
        pose.metadata.update(gloss=classes[label] if classes else str(label), index=i)
        if seq_ids is not None:
            pose.metadata["seq_id"] = seq_ids[i].item()
        poses.append(pose)
    return poses


def read_mediapipe_npy(path: Path) -> list[Pose]:
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise PoseFileError(path, f"not a readable .npy file ({exc})") from exc
    return [from_mediapipe_array(x, path)]


def write_mediapipe_npy(pose: Pose, path: Path) -> None:
    import io

    buf = io.BytesIO()
    np.save(buf, to_mediapipe_array(pose))
    atomic_write_bytes(path, buf.getvalue())


# ---- KRSL hand keypoints ---------------------------------------------------------------------
def read_krsl_npz(path: Path) -> list[Pose]:
    """The KRSL hand-keypoint collection: ``frames (F, 2, 21, 2)`` split by ``frame_offsets``.

    Each sample becomes a two-hand pose (``hands_2x21``, D = 2) with ``gloss``, ``signer``,
    ``rep`` and ``filename`` in its metadata. A hand slot that is all zeros was not detected.
    Which slot is the left hand is not guaranteed by the source.
    """
    z = _open_npz(path, ("frames", "frame_offsets", "label", "classes"))
    frames = z["frames"]
    if frames.ndim != 4 or frames.shape[1:] != (2, 21, 2):
        raise PoseFileError(path, f"frames must be (F, 2, 21, 2), got {frames.shape}")
    offsets = z["frame_offsets"].astype(np.int64)
    if offsets[0] != 0 or offsets[-1] != len(frames) or np.any(np.diff(offsets) < 0):
        raise PoseFileError(path, "frame_offsets do not partition frames")
    classes = [str(c) for c in z["classes"]]
    layout = hands_layout("XYC")
    flat = frames.reshape(len(frames), 42, 2).astype(np.float32)
    slot_detected = np.any(frames.reshape(len(frames), 2, -1) != 0, axis=2)  # (F, 2)
    conf = np.repeat(slot_detected, 21, axis=1).astype(np.float32)
    poses = []
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        meta = {"gloss": classes[int(z["label"][i])], "index": i, "fps_assumed": True}
        for key in ("signer", "rep", "filename"):
            if key in z:
                meta[key] = z[key][i].item()
        poses.append(Pose(flat[a:b], conf[a:b], ASSUMED_FPS, layout, metadata=meta))
    return poses


def read_npz(path: Path) -> list[Pose]:
    """Dispatch an ``.npz`` on its arrays: KRSL hand keypoints or MediaPipe flat arrays."""
    keys = _npz_keys(path)
    if {"frames", "frame_offsets"} <= keys:
        return read_krsl_npz(path)
    if "X" in keys:
        return read_mediapipe_npz(path)
    if not keys:
        _open_npz(path, ())  # raises the precise reason the file cannot be read
        raise PoseFileError(path, "the .npz holds no arrays")
    raise PoseFileError(path, f"unknown .npz layout: arrays {sorted(keys)}; expected KRSL "
                              "(frames, frame_offsets, label, classes) or MediaPipe (X, y, classes)")


register_format(PoseFormat(
    name="npz",
    sniff=lambda p: p.is_file() and p.suffix == ".npz",
    read=read_npz,
    description="KRSL hand keypoints (frames, frame_offsets, ...) or MediaPipe arrays (X, y, ...)",
))
register_format(PoseFormat(
    name="mediapipe_npy",
    sniff=lambda p: p.suffix == ".npy",
    read=read_mediapipe_npy,
    write=write_mediapipe_npy,
    writes_to=lambda p: p.suffix == ".npy",
    description="one MediaPipe flat array (.npy, (T, 1662|258))",
))
