"""Small trained runs for the export and live tests: real MediaPipe Holistic poses (jeet10, with
the face) for the ONNX checks; the built-in synthetic signs (Holistic layout) for the recogniser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_path

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

TINY = {"bilstm": {"hidden": 16, "layers": 1}, "transformer": {"d_model": 32, "layers": 1, "ff": 64},
        "stgcn": {"channels": [8, 8, 8, 8, 16, 16, 16, 16, 16, 16]},
        "slgcn": {"channels": [8, 8, 8, 8, 16, 16, 16, 16, 16, 16]}}


def train_tiny(out: Path, dataset: str, encoder: str, groups: str, epochs: int, length: int = 16,
               split: str = "random", fold: int = 0) -> Path:
    from signkit.training.config import recipe_from_dict
    from signkit.training.run import train

    recipe = recipe_from_dict({
        "name": f"tiny-{encoder}", "data": {"dataset": dataset, "split": split, "fold": fold,
                                            "groups": groups, "length": length},
        "model": {"encoder": encoder, "encoder_params": TINY[encoder]},
        "optim": {"lr": 3e-3}, "trainer": {"max_epochs": epochs, "patience": None}}).resolved()
    train(recipe, out, progress_bar=False)
    return out


@pytest.fixture(scope="session")
def jeet10() -> str:
    return f"mp_array:{shared_path('mp_holistic', 'jeet10_1662.npz')}"


@pytest.fixture(scope="session")
def synthetic_export(tmp_path_factory) -> Path:
    """A Transformer on the synthetic signs (hands, mouth, eyebrows), exported with int8."""
    from signkit.export.onnx import export_run

    root = tmp_path_factory.mktemp("synthetic-run")
    run = train_tiny(root / "run", "synthetic:3x6", "transformer", "hands+mouth+eyebrows", 3, split="loso",
                     fold=2)
    export_run(run, root / "export", int8=True)
    return root / "export"


@pytest.fixture(scope="session")
def brows_run(tmp_path_factory) -> Path:
    """A tagging run of the ELAN brows tier from the face measures (``tag_brows.yaml``) on three
    KRSL signers' OpenFace recordings, one epoch: a non-manual run for the live tests."""
    from signkit.training.config import load_recipe
    from signkit.training.run import train
    from tests.nonmanual.conftest import copy_signers

    root = tmp_path_factory.mktemp("brows")
    data = copy_signers({"gul", "alt", "makh"}, root / "data")
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "krsl_nonmanual" / "tag_brows.yaml"
    train(load_recipe(recipe, [f"data.dataset=openface_elan:{data}", "trainer.max_epochs=1"]), root / "run",
          progress_bar=False)
    return root / "run"
