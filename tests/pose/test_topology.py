"""The shipped MediaPipe topology must equal what mediapipe and pose-format define."""

import json
from importlib import resources

import pytest


def test_topology_json_matches_installed_mediapipe():
    pytest.importorskip("mediapipe", reason="needs signkit[extract]")
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_mediapipe_topology.py"
    spec = importlib.util.spec_from_file_location("gen_topology", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads(resources.files("signkit.pose").joinpath("mediapipe_topology.json").read_text())
    assert shipped == json.loads(json.dumps(module.build()))
