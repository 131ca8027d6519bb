"""Regenerate ``src/signkit/pose/mediapipe_topology.json`` from MediaPipe itself.

The core package must not depend on mediapipe (a large extra), yet its articulator groups must
come from MediaPipe's own definitions, not from hand-typed index lists. This script dumps those
definitions (landmark names, connections, face-mesh region sets) and pose-format's face-mesh
mirror permutation into a JSON file shipped with the package; ``tests/pose/test_topology.py``
checks that the file still equals what the installed mediapipe and pose-format say.

Run: ``python scripts/gen_mediapipe_topology.py`` (needs ``signkit[extract]``).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "signkit" / "pose" / "mediapipe_topology.json"


def build() -> dict:
    from mediapipe.python.solutions import face_mesh_connections as fm
    from mediapipe.python.solutions import hands_connections, pose_connections
    from mediapipe.python.solutions.hands import HandLandmark
    from mediapipe.python.solutions.pose import PoseLandmark
    from pose_format.utils.holistic import FLIPPED_FACE_POINTS

    def edges(s: frozenset) -> list[list[int]]:
        return sorted([int(a), int(b)] for a, b in s)

    face_sets = {
        name: edges(getattr(fm, f"FACEMESH_{name}"))
        for name in (
            "LIPS", "LEFT_EYE", "RIGHT_EYE", "LEFT_IRIS", "RIGHT_IRIS", "LEFT_EYEBROW",
            "RIGHT_EYEBROW", "FACE_OVAL", "NOSE", "CONTOURS", "TESSELATION",
        )
    }
    return {
        "source": "mediapipe==0.10.21 solutions.*_connections; pose-format FLIPPED_FACE_POINTS",
        "pose_landmarks": [m.name for m in sorted(PoseLandmark, key=int)],
        "pose_connections": edges(pose_connections.POSE_CONNECTIONS),
        "hand_landmarks": [m.name for m in sorted(HandLandmark, key=int)],
        "hand_connections": edges(hands_connections.HAND_CONNECTIONS),
        "facemesh": face_sets,
        "face_mirror": [int(i) for i in FLIPPED_FACE_POINTS],
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    print(f"wrote {OUT}")
