"""The standard layouts: MediaPipe Holistic (as pose-format writes it), two hands, OpenPose 137
and the 68-point iBUG face, built from the names in :mod:`signkit.pose.articulators`."""

from __future__ import annotations

from functools import cache

from signkit.pose.articulators import IBUG_FACE, MP_BODY, MP_FACE, MP_LEFT, MP_RIGHT, MP_WORLD, topology
from signkit.pose.layout import Component, Layout


def _mp_colors(name: str) -> tuple[tuple[int, int, int], ...]:
    """The colours pose-format gives Holistic components, so written files match its own."""
    from pose_format.utils.openpose import hand_colors

    if name in (MP_LEFT, MP_RIGHT):
        return tuple(tuple(c) for c in hand_colors)
    return ((128, 0, 0),) if name == MP_FACE else ((255, 0, 0),)


def _mp_component(name: str, points: list[str], edges: list[list[int]], fmt: str) -> Component:
    return Component(name, tuple(points), tuple(tuple(e) for e in edges), _mp_colors(name), fmt)


def _face_edges(n_points: int) -> list[list[int]]:
    fm = topology()["facemesh"]
    edges = fm["CONTOURS"] + fm["NOSE"]
    if n_points == 478:
        edges = edges + fm["LEFT_IRIS"] + fm["RIGHT_IRIS"]
    return sorted({tuple(e) for e in edges})  # type: ignore[return-value]


@cache
def holistic_layout(face_points: int = 468, with_face: bool = True, fmt: str = "XYZC",
                    world: bool = False) -> Layout:
    """MediaPipe Holistic: 33 body + 468/478 face (optional) + 2 x 21 hands (+ the body's 33
    world landmarks, ``world``, as pose-format's own tool writes them: after the hands).

    Face limbs are MediaPipe's contour, nose (and iris) connections rather than the full
    tessellation: they are what a reader of a drawing or a graph model needs.
    """
    topo = topology()
    comps = [_mp_component(MP_BODY, topo["pose_landmarks"], topo["pose_connections"], fmt)]
    if with_face:
        comps.append(_mp_component(MP_FACE, [str(i) for i in range(face_points)],
                                   _face_edges(face_points), fmt))
    for name in (MP_LEFT, MP_RIGHT):
        comps.append(_mp_component(name, topo["hand_landmarks"], topo["hand_connections"], fmt))
    if world:
        comps.append(_mp_component(MP_WORLD, topo["pose_landmarks"], topo["pose_connections"], fmt))
    return Layout(tuple(comps))


@cache
def hands_layout(fmt: str = "XYC") -> Layout:
    """Two MediaPipe hands (2 x 21), as in the KRSL hand-keypoint data."""
    topo = topology()
    return Layout(tuple(_mp_component(n, topo["hand_landmarks"], topo["hand_connections"], fmt)
                        for n in (MP_LEFT, MP_RIGHT)))


@cache
def openpose_layout() -> Layout:
    """OpenPose 137: BODY_25 + face 70 + 2 x 21 hands, named as pose-format names them."""
    from pose_format.utils.openpose import OpenPose_Components

    return Layout(tuple(Component(c.name, tuple(c.points), tuple(c.limbs),
                                  tuple(tuple(x) for x in c.colors), c.format)
                        for c in OpenPose_Components))


@cache
def face68_layout(fmt: str = "XYZC") -> Layout:
    """The 68-point iBUG face (OpenFace, dlib), with the limbs pose-format draws for OpenPose's
    face (whose first 68 points are the same scheme)."""
    limbs = tuple(e for e in openpose_layout().components[1].limbs if max(e) < 68)
    return Layout((Component(IBUG_FACE, tuple(str(i) for i in range(68)), limbs, ((128, 0, 0),),
                             fmt),))
