"""``.pose`` files through the pose-format library."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from pose_format import Pose as PFPose
from pose_format.numpy import NumPyPoseBody
from pose_format.pose_header import (
    VERSION,
    PoseHeader,
    PoseHeaderComponent,
    PoseHeaderDimensions,
)
from pose_format.utils.reader import BufferReader

from signkit.errors import PoseFileError
from signkit.pose.io.base import PoseFormat, atomic_write_bytes, register_format, undetected_if_not_finite
from signkit.pose.layout import Component, Layout
from signkit.pose.pose import Pose

_DEFAULT_FORMAT = {2: "XYC", 3: "XYZC", 4: "XYZKC"}


def from_pose_format(pf: PFPose, person: int = 0) -> Pose:
    """Convert a pose-format ``Pose`` (one person of it) into a signkit :class:`Pose`."""
    comps = tuple(
        Component(c.name, tuple(c.points), tuple(tuple(x) for x in c.limbs),
                  tuple(tuple(int(v) for v in col) for col in c.colors), c.format)
        for c in pf.header.components
    )
    data = np.asarray(pf.body.data.data if np.ma.isMaskedArray(pf.body.data) else pf.body.data)[:, person]
    conf = np.asarray(pf.body.confidence)[:, person]
    data, conf = undetected_if_not_finite(data, conf)  # e.g. slp/isolated/mixed/Ui9N...: NaN at conf 1
    dims = pf.header.dimensions
    return Pose(
        data=data, confidence=conf,
        fps=float(pf.body.fps), layout=Layout(comps),
        width=dims.width, height=dims.height, depth=dims.depth,
    )


def to_pose_format(pose: Pose) -> PFPose:
    """Convert to a pose-format ``Pose`` with one person; undetected points are masked."""
    d = pose.num_dims
    comps = []
    for c in pose.layout.components:
        fmt = c.format if len(c.format) == d + 1 else _DEFAULT_FORMAT.get(d, "XYZC")
        colors = list(c.colors) if c.colors else [(255, 255, 255)] * len(c.limbs)
        comps.append(PoseHeaderComponent(c.name, list(c.points), list(c.limbs), colors, fmt))
    dims = PoseHeaderDimensions(pose.width or 0, pose.height or 0, pose.depth or 0)
    header = PoseHeader(VERSION, dims, comps)
    conf = pose.confidence[:, None]
    mask = np.repeat((conf == 0)[..., None], d, axis=-1)
    body = NumPyPoseBody(pose.fps, np.ma.masked_array(pose.data[:, None], mask=mask), conf)
    return PFPose(header, body)


def _check_body_size(payload: bytes) -> None:
    """Raise ``ValueError`` unless the body holds exactly the frames its header announces.

    pose-format derives a v0.1 frame count from the bytes left, so a truncated file would
    otherwise load as a shorter, misaligned pose.
    """
    reader = BufferReader(payload)
    header = PoseHeader.read(reader)
    offset = reader.read_offset
    per_frame_values = header.total_points() * (header.num_dims() + 1)
    if round(header.version, 3) == 0.1:
        _, frames = struct.unpack_from("<HH", payload, offset)
        (people,) = struct.unpack_from("<H", payload, offset + 4)
        body = len(payload) - offset - 6
        per_frame = 4 * people * per_frame_values
        if per_frame and (body % per_frame or (body // per_frame) % 65536 != frames):
            raise ValueError(f"body of {body} bytes does not hold {frames} frames")
    elif round(header.version, 3) == 0.2:
        _, frames, people = struct.unpack_from("<fIH", payload, offset)
        body = len(payload) - offset - 10
        if body != 4 * frames * people * per_frame_values:
            raise ValueError(f"body of {body} bytes does not hold {frames} frames of {people} "
                             f"people")


def read_pose_file(path: Path) -> list[Pose]:
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise PoseFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not payload:
        raise PoseFileError(path, "empty file")
    try:
        _check_body_size(payload)
        pf = PFPose.read(payload)
    except Exception as exc:  # pose-format raises struct/Value/Index errors on bad bytes
        raise PoseFileError(path, f"not a valid .pose file (truncated or corrupt: {exc})") from exc
    if pf.body.data.shape[1] == 0:
        raise PoseFileError(path, "the file holds no person")
    return [from_pose_format(pf)]


def write_pose_file(pose: Pose, path: Path) -> None:
    buf = io.BytesIO()
    to_pose_format(pose).write(buf)
    atomic_write_bytes(path, buf.getvalue())


register_format(PoseFormat(
    name="pose",
    sniff=lambda p: p.is_file() and p.suffix == ".pose",
    read=read_pose_file,
    write=write_pose_file,
    writes_to=lambda p: p.suffix == ".pose",
    description="pose-format binary .pose file",
))
