"""Every registered model, forward and backward, on every layout and on face selections."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signkit.models import DECODERS, ENCODERS, build_classifier  # noqa: E402
from signkit.models.graph import selection_edges, spatial_partitions  # noqa: E402
from signkit.pose.layouts import (  # noqa: E402
    hands_layout,
    holistic_layout,
    openpose_layout,
)

FULL = holistic_layout(468)
LAYOUTS = {
    "holistic543": (FULL, "all"),
    "holistic478_face": (holistic_layout(478), "all"),
    "openhands27": (FULL, "openhands27"),
    "openhands27+mouth+eyebrows": (FULL, "openhands27+mouth+eyebrows"),
    "hands_2x21": (hands_layout(), "all"),
    "openpose137": (openpose_layout(), "all"),
    "openpose_hands+face": (openpose_layout(), "hands+face"),
}


@pytest.mark.parametrize("encoder", list(ENCODERS))
@pytest.mark.parametrize("case", list(LAYOUTS))
def test_forward_and_backward(encoder, case):
    layout, groups = LAYOUTS[case]
    keep = layout.indices(groups)
    model = build_classifier(encoder, "linear", len(keep), 2, 7, selection_edges(layout, keep))
    x = torch.randn(2, 16, len(keep), 2)
    logits = model(x)
    assert logits.shape == (2, 7)
    logits.sum().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("decoder", list(DECODERS))
def test_decoders_pool_any_length(decoder):
    model = build_classifier("bilstm", decoder, 42, 2, 5, np.zeros((0, 2), np.int64))
    for t in (1, 9, 64):
        assert model(torch.randn(3, t, 42, 2)).shape == (3, 5)


def test_graph_of_face_groups_uses_face_mesh_edges():
    keep = FULL.indices("mouth+eyebrows")
    edges = selection_edges(FULL, keep)
    assert len(edges) > 0.8 * len(keep)  # the lips and brows are chains of face-mesh edges
    parts = spatial_partitions(len(keep), edges)
    assert parts.shape == (3, len(keep), len(keep))
    np.testing.assert_allclose(parts.sum(axis=(0, 1)), 1.0, atol=1e-6)  # each node's messages sum to 1
    assert parts[1].sum() > 0 and parts[2].sum() > 0  # centripetal and centrifugal neighbours exist
    # nothing joins the mouth to the eyebrows: separate pieces, no edge across
    mouth = set(np.searchsorted(keep, FULL.indices("mouth")).tolist())
    assert not any((a in mouth) != (b in mouth) for a, b in edges.tolist())


def test_sparse_selection_is_bridged_through_dropped_points():
    keep = FULL.indices("openhands27")
    edges = selection_edges(FULL, keep)
    wrist = list(keep).index(FULL.index("LEFT_HAND_LANDMARKS", "WRIST"))
    fingers = [list(keep).index(i) for i in keep
               if FULL.keypoints[i][0] == "LEFT_HAND_LANDMARKS" and FULL.keypoints[i][1] != "WRIST"]
    linked = {b for a, b in edges.tolist() if a == wrist} | {a for a, b in edges.tolist() if b == wrist}
    assert linked & set(fingers)  # the wrist reaches the kept finger points although knuckles are gone


def test_stgcn_graph_conv_is_the_partitioned_graph_convolution():
    """ST-GCN's layer: sum over partitions k of (1x1 convolution k of x) propagated along A_k,
    whatever order the implementation multiplies in."""
    from signkit.models.stgcn import GraphConv

    keep = FULL.indices("openhands27+mouth")
    parts = torch.as_tensor(spatial_partitions(len(keep), selection_edges(FULL, keep)), dtype=torch.float32)
    conv = GraphConv(3, 8, parts)
    with torch.no_grad():
        conv.importance.uniform_(0.5, 1.5)
    x = torch.randn(2, 3, 10, len(keep))
    y = conv.conv(x).view(2, 3, 8, 10, len(keep))  # (B, K, C, T, V)
    expected = sum(y[:, k] @ (parts[k] * conv.importance[k]) for k in range(3))
    torch.testing.assert_close(conv(x), expected, rtol=1e-4, atol=1e-5)
