import numpy as np
import pytest

from signkit.errors import ConfigError
from signkit.pose import Layout, hands_layout, holistic_layout, openpose_layout
from signkit.pose.articulators import facemesh_regions


def test_holistic_groups_come_from_mediapipe_sets():
    layout = holistic_layout(468)
    assert len(layout) == 543
    face_off = layout.offsets[1]
    regions = facemesh_regions()
    for group in ("mouth", "eyebrows", "face_contour", "nose"):
        got = {i - face_off for i in layout.groups[group]}
        assert got == set(regions[group])
    assert len(layout.groups["mouth"]) == 40
    assert len(layout.groups["eyebrows"]) == 20
    assert len(layout.groups["face_contour"]) == 36
    assert len(layout.groups["eyes"]) == 32  # no irises in the 468-point mesh
    assert len(holistic_layout(478).groups["eyes"]) == 42  # + 2 x 5 iris points
    assert len(layout.groups["hands"]) == 42
    assert set(layout.groups["non_manual"]) == set(range(543)) - set(layout.groups["hands"])


def test_openpose_face_groups_use_documented_ranges():
    layout = openpose_layout()
    assert len(layout) == 137
    off = layout.offsets[1]
    local = {g: sorted(i - off for i in layout.groups[g]) for g in
             ("face_contour", "eyebrows", "nose", "mouth", "eyes")}
    assert local["face_contour"] == list(range(17))
    assert local["eyebrows"] == list(range(17, 27))
    assert local["nose"] == list(range(27, 36))
    assert local["mouth"] == list(range(48, 68))
    assert local["eyes"] == [*range(36, 48), 68, 69]


def test_openhands27_matches_the_openhands_preset():
    # OpenHands' mediapipe_holistic_minimal_27 indexes the 75-point body + hands layout.
    preset = [0, 2, 5, 11, 12, 13, 14, 33, 37, 38, 41, 42, 45, 46, 49, 50, 53,
              54, 58, 59, 62, 63, 66, 67, 70, 71, 74]
    assert holistic_layout(with_face=False).indices("openhands27").tolist() == preset
    full = holistic_layout(468)
    sel = full.subset(full.indices("openhands27"))
    assert len(sel) == 27
    assert sel.keypoints[0] == ("POSE_LANDMARKS", "NOSE")


def test_select_keeps_names_edges_and_groups():
    layout = holistic_layout(468)
    idx = layout.indices("hands", "mouth", "eyebrows")
    sub = layout.subset(idx)
    assert len(sub) == 42 + 40 + 20
    assert set(sub.groups) >= {"hands", "left_hand", "right_hand", "mouth", "eyebrows"}
    assert "body" not in sub.groups
    # every kept edge joins kept points and maps back to an edge of the full layout
    full_edges = {tuple(e) for e in layout.edges.tolist()}
    for a, b in sub.edges.tolist():
        assert (int(idx[a]), int(idx[b])) in full_edges
    assert len(sub.edges) > 40  # 2 x 21 hand bones + lips + eyebrows
    assert sub.keypoints == tuple(layout.keypoints[i] for i in idx)
    assert layout.indices("hands+mouth+eyebrows").tolist() == idx.tolist()


def test_unknown_group_is_a_clear_error():
    with pytest.raises(ConfigError, match="no group 'mouth'"):
        hands_layout().indices("mouth")


def test_mirror_is_an_involution_that_swaps_sides():
    for layout in (holistic_layout(478), openpose_layout(), hands_layout()):
        perm = layout.mirror
        assert np.array_equal(perm[perm], np.arange(len(layout)))
    layout = holistic_layout(468)
    perm = layout.mirror
    assert perm[layout.index("POSE_LANDMARKS", "LEFT_WRIST")] == layout.index(
        "POSE_LANDMARKS", "RIGHT_WRIST")
    assert perm[layout.index("LEFT_HAND_LANDMARKS", "THUMB_TIP")] == layout.index(
        "RIGHT_HAND_LANDMARKS", "THUMB_TIP")
    left_brow = set(layout.groups["eyebrows"])
    assert {int(perm[i]) for i in left_brow} == left_brow  # brows map onto brows


def test_layout_dict_round_trip():
    layout = holistic_layout(468).subset(holistic_layout(468).indices("hands+mouth"))
    again = Layout.from_dict(layout.to_dict())
    assert again == layout
