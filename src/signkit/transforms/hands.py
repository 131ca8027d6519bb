"""Which hand is which: ``(T, K, D) -> (T, K, D)`` with the two hands' points re-assigned.

Hand detectors often get the handedness wrong, and some corpora (K-RSL's keypoints) store two
hand slots in no particular order. A model then sees one hand in one slot in some frames and in
the other slot in others; ordering the hands by where they are makes the slots mean the same
thing in every frame and every sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.pose import Pose
from signkit.transforms.base import fill_frames, register_transform


def _hand_slots(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Keypoint indices of the left and right hand groups, wrist first."""
    groups = pose.layout.groups
    if "left_hand" not in groups or "right_hand" not in groups:
        hands = sorted(g for g in ("left_hand", "right_hand") if g in groups)
        raise ConfigError(f"order_hands needs a left and a right hand; layout {pose.layout.name!r} "
                          f"has {hands or 'none'}")
    return np.asarray(groups["left_hand"]), np.asarray(groups["right_hand"])


@register_transform("order_hands")
@dataclass
class OrderHands:
    """Assign the hands to the left/right slots by position rather than by the detector.

    In frames where both wrists are detected the hand further to the image's right goes to the
    ``left_hand`` slot (a camera facing the signer sees their left hand there; ``mirrored=True``
    for selfie video swaps this). A hand seen alone goes to the slot whose wrist, in the nearest
    frame with both hands, was closer. In a sequence that never shows both hands, a lone hand
    goes to the ``lone`` slot (``"right_hand"``: one-handed signs are mostly made with the
    dominant hand, and right-handed signers are the majority).
    """

    mirrored: bool = False
    lone: str = "right_hand"

    def __post_init__(self) -> None:
        if self.lone not in ("left_hand", "right_hand"):
            raise ConfigError(f"order_hands: lone must be left_hand or right_hand, not {self.lone!r}")

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        left, right = _hand_slots(pose)
        det = pose.detected
        seen = np.stack([det[:, left[0]], det[:, right[0]]], axis=1)  # (T, 2): wrist detected
        wrists = pose.data[:, [left[0], right[0]], :2]  # (T, 2, 2)
        both = seen.all(axis=1)
        # swap[t]: slot contents of frame t must be exchanged
        left_x_smaller = wrists[:, 0, 0] < wrists[:, 1, 0]
        swap = both & (left_x_smaller != self.mirrored)
        alone = seen.sum(axis=1) == 1
        if alone.any():
            present = np.where(seen[:, 0], 0, 1)  # slot the lone hand is in now
            if both.any():
                ordered = np.where(swap[:, None, None], wrists[:, ::-1], wrists).reshape(-1, 4)
                ref = fill_frames(np.where(both[:, None], ordered, np.nan)).reshape(-1, 2, 2)
                hand = wrists[np.arange(len(pose)), present]  # (T, 2)
                wanted = np.linalg.norm(ref - hand[:, None], axis=-1).argmin(axis=1)
            else:
                wanted = np.full(len(pose), 0 if self.lone == "left_hand" else 1)
            swap |= alone & (wanted != present)
        if not swap.any():
            return pose
        perm = np.arange(pose.num_keypoints)
        perm[left], perm[right] = right, left
        data, conf = pose.data.copy(), pose.confidence.copy()
        data[swap] = data[swap][:, perm]
        conf[swap] = conf[swap][:, perm]
        return pose.replace(data=data, confidence=conf)


@register_transform("drop_resting_hand")
@dataclass
class DropRestingHand:
    """Blank a hand that hangs far below the other one: a hand resting at the waist, not signing.

    Some signers stand further from the camera, so their idle hand stays in the picture (K-RSL's
    signer 3: in a third of the two-hand frames one hand is over 6 hand lengths below the other;
    other signers, under 4 %). A model trained on signers whose idle hand is out of view reads
    that hand as part of the sign. In frames with both hands, a hand whose wrist is more than
    ``gap`` hand lengths (wrist to middle knuckle, the larger hand's) below the other's is
    marked undetected; so is a hand seen alone within one hand length of where the resting
    hand was in the nearest such frame.
    """

    gap: float = 5.0

    def __call__(self, pose: Pose, rng: np.random.Generator) -> Pose:
        left, right = _hand_slots(pose)
        slots = np.stack([left, right])  # (2, 21)
        seen = pose.detected[:, slots[:, 0]]  # (T, 2)
        pts = pose.data[:, slots, :2]  # (T, 2, 21, 2)
        lengths = np.linalg.norm(pts[:, :, 9] - pts[:, :, 0], axis=-1)  # (T, 2): wrist to knuckle
        wrist_y = pts[:, :, 0, 1]  # image y grows downwards
        gap = np.abs(wrist_y[:, 0] - wrist_y[:, 1])
        resting = seen.all(axis=1) & (gap > self.gap * np.maximum(lengths.max(axis=1), 1e-6))
        if not resting.any():
            return pose
        t = np.arange(len(pose))
        lower = wrist_y.argmax(axis=1)
        drop = np.zeros_like(seen)  # (T, 2)
        drop[resting, lower[resting]] = True
        alone = seen.sum(axis=1) == 1
        if alone.any():
            ref = fill_frames(np.where(resting[:, None], pts[t, lower, 0], np.nan))  # (T, 2)
            lone = seen.argmax(axis=1)
            near = np.linalg.norm(pts[t, lone, 0] - ref, axis=-1) < lengths[t, lone]
            drop[t[alone & near], lone[alone & near]] = True
        blank = np.zeros(pose.confidence.shape, bool)  # (T, K)
        blank[:, slots[0]], blank[:, slots[1]] = drop[:, :1], drop[:, 1:]
        return pose.replace(data=np.where(blank[..., None], 0.0, pose.data).astype(np.float32),
                            confidence=np.where(blank, 0.0, pose.confidence).astype(np.float32))
