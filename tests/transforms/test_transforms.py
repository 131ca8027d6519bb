"""Each transform's math on small hand-made poses."""

import math

import numpy as np
import pytest

from signkit.errors import ConfigError
from signkit.pose import Pose, hands_layout, holistic_layout
from signkit.transforms import TRANSFORMS, build_transforms
from signkit.transforms.temporal import krsl_indices, uniform_indices


def _pose(data, conf=None, layout=None, fps=25.0, **kw) -> Pose:
    data = np.asarray(data, np.float32)
    conf = np.ones(data.shape[:2], np.float32) if conf is None else np.asarray(conf, np.float32)
    return Pose(data, conf, fps, layout or hands_layout(), **kw)


def _apply(name, pose, seed=0, **params):
    return build_transforms([{"name": name, **params}], seed=seed)(pose)


def test_registry_lists_every_transform():
    assert set(TRANSFORMS) >= {
        "normalize_frame", "center_scale", "hands_to_wrist", "face_to_nose", "interpolate",
        "resample_fps", "rotate", "shear", "scale", "time_shift", "uniform_subsample",
        "random_crop_time", "hflip", "krsl_sample", "select", "order_hands", "standardize",
        "hand_affine", "random_trim", "drop_resting_hand", "bones", "motion"}
    with pytest.raises(ConfigError, match="unknown transform"):
        build_transforms(["nope"])


def test_parameters_are_checked_when_built(rng):
    # Wrong values name the transform and the parameter instead of failing inside numpy later.
    with pytest.raises(ConfigError, match=r"transform 'drop_resting_hand': gap='oops': .*valid number"):
        build_transforms([{"name": "drop_resting_hand", "gap": "oops"}])
    with pytest.raises(ConfigError, match=r"transform 'interpolate': max_gap=2\.5: .*valid integer"):
        build_transforms([{"name": "interpolate", "max_gap": 2.5}])
    with pytest.raises(ConfigError, match="'rotate' has no parameter 'angle'; it takes min_angle, max_angle"):
        build_transforms([{"name": "rotate", "angle": 0.3}])
    with pytest.raises(ConfigError, match="has no name"):
        build_transforms([{"max_angle": 0.3}])
    with pytest.raises(ConfigError, match="lone must be"):  # the transforms' own checks still run
        build_transforms([{"name": "order_hands", "lone": "middle"}])
    # YAML or --set values such as "3" are converted as pydantic would: same result as 3.0.
    p = _pose(rng.normal(size=(6, 42, 2)))
    (text,), (number,) = (build_transforms([{"name": "drop_resting_hand", "gap": g}]).transforms
                          for g in ("3", 3.0))
    assert text.gap == 3.0 and isinstance(text.gap, float)
    np.testing.assert_array_equal(text(p, rng).data, number(p, rng).data)


def test_normalize_frame_divides_by_frame_size(rng):
    p = _pose(rng.uniform(0, 100, (3, 42, 2)), width=200, height=100)
    out = _apply("normalize_frame", p)
    np.testing.assert_allclose(out.data, p.data / [200, 100], rtol=1e-6)


def test_center_scale_puts_shoulders_at_unit_distance(rng):
    layout = holistic_layout(468)
    data = rng.uniform(0, 10, (4, len(layout), 3)).astype(np.float32)
    li, ri = layout.index("POSE_LANDMARKS", "LEFT_SHOULDER"), layout.index("POSE_LANDMARKS", "RIGHT_SHOULDER")
    data[:, li, :2], data[:, ri, :2] = [7, 3], [3, 3]  # width 4, centre (5, 3)
    data[:, li, 2] = data[:, ri, 2] = 0
    out = _apply("center_scale", _pose(data, layout=layout))
    np.testing.assert_allclose(out.data[:, li], [[0.5, 0, 0]] * 4, atol=1e-6)
    np.testing.assert_allclose(out.data[:, ri], [[-0.5, 0, 0]] * 4, atol=1e-6)
    k = 100
    np.testing.assert_allclose(out.data[:, k, :2], (data[:, k, :2] - [5, 3]) / 4, rtol=1e-5)
    with pytest.raises(ConfigError, match="shoulders"):
        _apply("center_scale", _pose(rng.uniform(size=(2, 42, 2))))


def test_hands_to_wrist(rng):
    p = _pose(rng.uniform(0, 1, (3, 42, 2)))
    out = _apply("hands_to_wrist", p)
    np.testing.assert_allclose(out.data[:, 0], 0, atol=1e-7)
    np.testing.assert_allclose(out.data[:, 21], 0, atol=1e-7)
    np.testing.assert_allclose(out.data[:, 5], p.data[:, 5] - p.data[:, 0], rtol=1e-5)
    np.testing.assert_allclose(out.data[:, 30], p.data[:, 30] - p.data[:, 21], rtol=1e-5)


def test_bones_subtract_each_point_s_parent(rng):
    layout = hands_layout()
    parent = layout.parents
    # a tree per hand, rooted at the wrist, along the layout's limbs
    assert parent[0] == parent[21] == -1 and (parent[1:21] >= 0).all() and (parent[22:] >= 21).all()
    limbs = {tuple(sorted(e)) for e in layout.edges.tolist()}
    assert all(tuple(sorted((k, int(parent[k])))) in limbs for k in range(42) if parent[k] >= 0)
    conf = np.ones((3, 42), np.float32)
    conf[1, 5] = 0  # index knuckle lost: its bone and its child's bone are unknown
    p = _pose(rng.uniform(0, 1, (3, 42, 2)), conf)
    out = _apply("bones", p)
    np.testing.assert_allclose(out.data[:, [0, 21]], p.data[:, [0, 21]])  # wrists keep their place
    np.testing.assert_allclose(out.data[0, 4], p.data[0, 4] - p.data[0, 3], rtol=1e-6)
    np.testing.assert_allclose(out.data[2, 30], p.data[2, 30] - p.data[2, parent[30]], rtol=1e-6)
    assert not out.detected[1, 5] and not out.detected[1, 6] and out.detected[1, 7]
    # bones do not move with the hand: a shifted pose has the same bones, shifted roots
    moved = _apply("bones", _pose(p.data + 0.5, conf))
    known = out.detected & (parent >= 0)
    np.testing.assert_allclose(moved.data[known], out.data[known], atol=1e-6)
    # holistic: one tree per connected piece (the body's arms are not joined to its head in
    # MediaPipe's limbs, nor the eyebrows to the lips in the face mesh's contours)
    holistic = holistic_layout()
    hp = holistic.parents
    roots = np.flatnonzero(hp < 0)
    limbs = {tuple(sorted(e)) for e in holistic.edges.tolist()}
    assert all(tuple(sorted((k, int(hp[k])))) in limbs for k in np.flatnonzero(hp >= 0))
    assert len(roots) < holistic.num_keypoints and all(hp[hp >= 0] >= 0)


def test_motion_is_the_step_to_the_next_frame(rng):
    conf = np.ones((4, 42), np.float32)
    conf[2, 7] = 0  # lost in frame 2: its motion from frame 1 and to frame 3 is unknown
    p = _pose(rng.uniform(0, 1, (4, 42, 2)), conf)
    out = _apply("motion", p)
    np.testing.assert_allclose(out.data[:3], p.data[1:] - p.data[:3], rtol=1e-5)
    assert (out.data[3] == 0).all() and out.detected[3].all()  # the last frame does not move
    assert not out.detected[1, 7] and not out.detected[2, 7] and out.detected[0, 7]
    # a pose that moves steadily has the same motion in every frame
    steady = _apply("motion", _pose(p.data[:1] + 0.1 * np.arange(4)[:, None, None]))
    np.testing.assert_allclose(steady.data[:3], 0.1, rtol=1e-5)
    # bone motion: the motion of the bones, not of the points
    bm = build_transforms(["bones", "motion"])(p)
    b = _apply("bones", p)
    np.testing.assert_allclose(bm.data[0, 30], b.data[1, 30] - b.data[0, 30], rtol=1e-5)


def test_order_hands_assigns_slots_by_position(rng):
    # Hand A sits at x ~ 0.2, hand B at x ~ 0.8; the detector put them in random slots.
    a = rng.uniform(0.15, 0.25, (6, 21, 2)).astype(np.float32)
    b = rng.uniform(0.75, 0.85, (6, 21, 2)).astype(np.float32)
    slot_a_first = np.array([1, 0, 1, 0, 1, 0], bool)
    data = np.where(slot_a_first[:, None, None, None], np.stack([a, b], 1), np.stack([b, a], 1))
    conf = np.ones((6, 2, 21), np.float32)
    conf[4, 0] = 0  # frame 4: only hand B (in the right-hand slot) was seen
    data[4, 0] = 0
    conf[5, 1] = 0  # frame 5: only hand B, left-hand slot
    data[5, 1] = 0
    out = _apply("order_hands", _pose(data.reshape(6, 42, 2), conf.reshape(6, 42)))
    left, right = out.data[:, :21], out.data[:, 21:]
    # the signer's left hand is on the image's right (larger x) when the camera faces them
    np.testing.assert_array_equal(left[:4], b[:4])
    np.testing.assert_array_equal(right[:4], a[:4])
    # a lone hand goes to the slot it was closest to in the nearest two-hand frame
    np.testing.assert_array_equal(left[4:], b[4:])
    assert not out.detected[4:, 21:].any()
    mirrored = _apply("order_hands", _pose(data.reshape(6, 42, 2), conf.reshape(6, 42)), mirrored=True)
    np.testing.assert_array_equal(mirrored.data[:4, :21], a[:4])
    # no frame with both hands: the lone hand goes to the ``lone`` slot
    one = _pose(np.concatenate([a, np.zeros_like(a)], 1),
                np.concatenate([np.ones((6, 21)), np.zeros((6, 21))], 1))
    np.testing.assert_array_equal(_apply("order_hands", one).data[:, 21:], a)
    np.testing.assert_array_equal(_apply("order_hands", one, lone="left_hand").data[:, :21], a)
    with pytest.raises(ConfigError, match="left and a right hand"):
        _apply("order_hands", _pose(data.reshape(6, 42, 2)).select("left_hand"))


def test_drop_resting_hand_blanks_a_hand_far_below_the_other(rng):
    # Hand A signs at y ~ 0.3; hand B rests at y ~ 0.9, 12 hand lengths (0.05) lower.
    def hand(y):
        h = rng.uniform(-0.01, 0.01, (21, 2)).astype(np.float32) + np.float32([0.5, y])
        h[9] = h[0] + [0.0, -0.05]
        return h
    data = np.zeros((5, 2, 21, 2), np.float32)
    conf = np.ones((5, 2, 21), np.float32)
    for t in range(5):
        data[t] = [hand(0.3), hand(0.9)]
    data[2, 1], conf[2, 1] = hand(0.4), 1  # frame 2: both hands sign, 2 hand lengths apart
    data[3, 0], conf[3, 0] = 0, 0  # frame 3: the resting hand alone
    data[4, 1], conf[4, 1] = 0, 0  # frame 4: the signing hand alone
    out = _apply("drop_resting_hand", _pose(data.reshape(5, 42, 2), conf.reshape(5, 42)))
    det = out.detected.reshape(5, 2, 21)[:, :, 0]
    np.testing.assert_array_equal(det, [[1, 0], [1, 0], [1, 1], [0, 0], [1, 0]])
    np.testing.assert_array_equal(out.data.reshape(5, 2, 21, 2)[det], data[det])
    assert not out.data.reshape(5, 2, 21, 2)[~det].any()
    # a gap under the threshold keeps both hands
    kept = _apply("drop_resting_hand", _pose(data.reshape(5, 42, 2), conf.reshape(5, 42)), gap=20)
    np.testing.assert_array_equal(kept.detected, conf.reshape(5, 42) > 0)


def test_standardize_centres_and_scales(rng):
    data = rng.uniform(0, 1, (5, 42, 2)).astype(np.float32)
    data[:, 9] = data[:, 0] + [0.0, 0.05]  # left hand: 0.05 from wrist to middle knuckle
    data[:, 30] = data[:, 21] + [0.03, 0.04]  # right hand: 0.05 too
    p = _pose(data)
    spread = _apply("standardize", p).data
    np.testing.assert_allclose(spread.reshape(-1, 2).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(np.sqrt((spread ** 2).sum(-1).mean()), 1, rtol=1e-5)
    hand = _apply("standardize", p, scale="hand").data
    np.testing.assert_allclose(np.linalg.norm(hand[:, 9] - hand[:, 0], axis=-1), 1, rtol=1e-4)
    np.testing.assert_allclose(hand.reshape(-1, 2).mean(0), 0, atol=1e-5)
    with pytest.raises(ConfigError, match="scale must be"):
        _apply("standardize", p, scale="nope")


def test_face_to_nose(rng):
    layout = holistic_layout(468)
    p = _pose(rng.uniform(0, 1, (2, len(layout), 3)), layout=layout)
    out = _apply("face_to_nose", p)
    nose = list(layout.groups["nose"])
    np.testing.assert_allclose(out.data[:, nose].mean(axis=1), 0, atol=1e-6)
    np.testing.assert_array_equal(out.data[:, :33], p.data[:, :33])  # body untouched
    box = _apply("face_to_nose", p, reference="box").data[:, list(layout.groups["face"])]
    np.testing.assert_allclose((box.max(1) + box.min(1))[:, :2] / 2, 0, atol=1e-6)


def test_interpolate_fills_short_gaps_only():
    data = np.zeros((8, 42, 2), np.float32)
    data[:, :, 0] = np.arange(8)[:, None]
    conf = np.ones((8, 42), np.float32)
    conf[2:4, 0] = 0  # gap of 2
    conf[1:7, 1] = 0  # gap of 6
    data[2:4, 0] = 99
    out = _apply("interpolate", _pose(data, conf), max_gap=3)
    np.testing.assert_allclose(out.data[2:4, 0, 0], [2, 3])
    assert out.detected[2:4, 0].all()
    assert not out.detected[1:7, 1].any()


def test_resample_fps_halves_frames():
    data = np.zeros((10, 42, 2), np.float32)
    data[..., 0] = np.arange(10)[:, None]
    out = _apply("resample_fps", _pose(data, fps=30), fps=15)
    assert out.fps == 15 and len(out) == 5
    np.testing.assert_allclose(out.data[:, 0, 0], [0, 2, 4, 6, 8])


def test_rotation_preserves_distances_and_uses_default_range(rng):
    p = _pose(rng.uniform(0, 1, (2, 42, 2)))
    out = _apply("rotate", p, min_angle=math.pi / 2, max_angle=math.pi / 2)
    d0 = np.linalg.norm(p.data[:, 0] - p.data[:, 1], axis=-1)
    d1 = np.linalg.norm(out.data[:, 0] - out.data[:, 1], axis=-1)
    np.testing.assert_allclose(d0, d1, rtol=1e-5)
    v0, v1 = p.data[0, 1] - p.data[0, 0], out.data[0, 1] - out.data[0, 0]
    np.testing.assert_allclose([-v0[1], v0[0]], v1, atol=1e-5)  # +90 degrees
    default = TRANSFORMS.get("rotate")()
    assert (default.min_angle, default.max_angle) == (-math.pi / 3, math.pi / 3)


def test_scale_and_shear(rng):
    p = _pose(rng.uniform(0, 1, (2, 42, 2)))
    out = _apply("scale", p, min_scale=2, max_scale=2)
    np.testing.assert_allclose(out.data[:, 1] - out.data[:, 0], 2 * (p.data[:, 1] - p.data[:, 0]), rtol=1e-5)
    sh = _apply("shear", p, max_shear=0.0)
    np.testing.assert_allclose(sh.data, p.data, atol=1e-6)


def test_undetected_points_are_never_moved(rng):
    conf = np.ones((2, 42), np.float32)
    conf[0, 3] = 0
    p = _pose(rng.uniform(0, 1, (2, 42, 2)), conf)
    for name in ("rotate", "shear", "scale", "hands_to_wrist"):
        assert _apply(name, p).data[0, 3].tolist() == p.data[0, 3].tolist()


def test_hand_affine_moves_each_hand_rigidly_and_on_its_own(rng):
    p = _pose(rng.uniform(0, 1, (5, 42, 2)))
    out = _apply("hand_affine", p, max_angle=0.5, min_scale=1.0, max_scale=1.0, seed=1)
    for hand in (slice(0, 21), slice(21, 42)):  # scale 1: shapes keep their distances
        d0 = np.linalg.norm(p.data[:, hand, None] - p.data[:, None, hand], axis=-1)
        d1 = np.linalg.norm(out.data[:, hand, None] - out.data[:, None, hand], axis=-1)
        np.testing.assert_allclose(d0, d1, atol=1e-5)
    # one draw per hand for the whole sequence: a hand's wrist moves by the same amount in every
    # frame, and the two hands by different amounts
    move = out.data[:, [0, 21]] - p.data[:, [0, 21]]
    np.testing.assert_allclose(move, np.broadcast_to(move[:1], move.shape), atol=1e-6)
    assert not np.allclose(move[0, 0], move[0, 1])
    big = _apply("hand_affine", p, max_angle=0.0, min_scale=2.0, max_scale=2.0, shift=0.0)
    np.testing.assert_allclose(big.data[:, 1:21] - big.data[:, :1], 2 * (p.data[:, 1:21] - p.data[:, :1]),
                               rtol=1e-5)
    conf = np.ones((5, 42), np.float32)
    conf[2, 7] = 0
    assert _apply("hand_affine", _pose(p.data, conf)).data[2, 7].tolist() == p.data[2, 7].tolist()


def test_random_trim_keeps_a_contiguous_share(rng):
    p = _pose(rng.uniform(size=(40, 42, 2)))
    for seed in range(5):
        out = _apply("random_trim", p, min_keep=0.5, seed=seed)
        assert 20 <= len(out) <= 40
        start = int(np.where((p.data == out.data[0]).all(axis=(1, 2)))[0][0])
        np.testing.assert_array_equal(out.data, p.data[start:start + len(out)])
    assert len(_apply("random_trim", p, min_keep=1.0)) == 40
    with pytest.raises(ConfigError, match="min_keep"):
        _apply("random_trim", p, min_keep=0)


def test_hflip_swaps_left_and_right():
    data = np.zeros((1, 42, 2), np.float32)
    data[0, :21, 0], data[0, 21:, 0] = 1.0, 3.0  # left hand at x=1, right at x=3
    data[0, :21, 1], data[0, 21:, 1] = 5.0, 7.0
    out = _apply("hflip", _pose(data), p=1.0)
    # mirrored about x=2 and swapped: the slot of the left hand now holds the old right hand
    np.testing.assert_allclose(out.data[0, :21], [[1.0, 7.0]] * 21)
    np.testing.assert_allclose(out.data[0, 21:], [[3.0, 5.0]] * 21)
    assert _apply("hflip", _pose(data), p=0.0).data.tolist() == data.tolist()


def test_hflip_swaps_eyebrows():
    layout = holistic_layout(468)
    rng = np.random.default_rng(3)
    p = _pose(rng.uniform(0, 1, (1, len(layout), 3)), layout=layout)
    out = _apply("hflip", p, p=1.0)
    perm = layout.mirror
    brow = layout.groups["eyebrows"][0]
    assert perm[brow] != brow
    assert out.data[0, brow, 1] == p.data[0, perm[brow], 1]


def test_krsl_sampling_formula():
    rng = np.random.default_rng(0)
    m, n = 47, 10  # s = 4, k = 7: start in [0, 11)
    starts = set()
    for _ in range(200):
        idx = krsl_indices(m, n, rng)
        assert len(idx) == n and np.all(np.diff(idx) == 4) and idx[-1] < m
        starts.add(int(idx[0]))
    assert starts == set(range(11))
    assert krsl_indices(5, 10, rng).tolist() == uniform_indices(5, 10).tolist()


def test_temporal_subsampling(rng):
    p = _pose(rng.uniform(size=(40, 42, 2)))
    assert len(_apply("uniform_subsample", p, length=10)) == 10
    assert _apply("uniform_subsample", p, length=5).data[0].tolist() == p.data[0].tolist()
    crop = _apply("random_crop_time", p, length=12)
    assert len(crop) == 12
    start = int(np.where((p.data == crop.data[0]).all(axis=(1, 2)))[0][0])
    np.testing.assert_array_equal(crop.data, p.data[start:start + 12])
    for seed in range(5):
        shifted = _apply("time_shift", p, max_shift=3, seed=seed)
        assert len(shifted) == 40
        k = next(k for k in range(-3, 4) if np.array_equal(
            shifted.data[max(k, 0):40 + min(k, 0)], p.data[max(-k, 0):40 - max(k, 0)]))
        empty = slice(0, k) if k > 0 else slice(40 + k, 40)
        assert not shifted.detected[empty].any()


def test_seeded_pipelines_repeat():
    layout = holistic_layout(468)
    p = _pose(np.random.default_rng(0).uniform(size=(20, len(layout), 3)), layout=layout)
    spec = ["rotate", "shear", "scale", "hflip", {"name": "krsl_sample", "length": 8}]
    a, b = build_transforms(spec, seed=7)(p), build_transforms(spec, seed=7)(p)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, build_transforms(spec, seed=8)(p).data)
