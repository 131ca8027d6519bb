"""Shared fixtures: the real data beside the repository (skipped cleanly when absent)."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest

from signkit.pose import Pose, holistic_layout

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def default_sigint() -> None:
    """``preexec_fn`` for a child a test stops with Ctrl-C: a suite started in the background by
    a shell without job control inherits SIGINT ignored, and so would the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def shared_path(*parts: str) -> Path:
    """A path under ``../shared/data``; skips the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent)")
    return path


def real_pose_files() -> list[Path]:
    root = SHARED / "poses"
    return sorted(root.rglob("*.pose")) if root.exists() else []


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def holistic_pose(rng: np.random.Generator) -> Pose:
    """A small random holistic pose with a few undetected points."""
    layout = holistic_layout(468)
    data = rng.uniform(0, 500, (12, len(layout), 3)).astype(np.float32)
    conf = np.ones((12, len(layout)), np.float32)
    conf[3, 10:20] = 0
    return Pose(data, conf, 25.0, layout, width=640, height=480)
