"""The house as drawn: registries find new entries by themselves, and the import contracts hold."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"


def test_a_registry_with_a_package_finds_a_new_module_in_it(tmp_path, monkeypatch):
    package = tmp_path / "plugins_demo"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from signkit.registry import Registry\nREGISTRY = Registry('plugin', package='plugins_demo')\n")
    (package / "shout.py").write_text(textwrap.dedent("""
        from plugins_demo import REGISTRY

        @REGISTRY.register("shout")
        def shout(text: str) -> str:
            return text.upper()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    from plugins_demo import REGISTRY

    assert "shout" in REGISTRY  # found on the first lookup, by nothing but the file
    assert REGISTRY.get("shout")("hi") == "HI"
    for name in ("plugins_demo", "plugins_demo.shout"):
        monkeypatch.delitem(sys.modules, name)


def test_a_new_task_is_one_new_file(tmp_path, monkeypatch):
    """A task written in a file of its own, placed among the tasks, is usable by name (the
    recipe schema accepts it) without any list being edited."""
    from signkit.training import tasks
    from signkit.training.config import recipe_from_dict
    from signkit.training.registries import TASKS

    extra = tmp_path / "extra_tasks"
    extra.mkdir()
    (extra / "count_frames.py").write_text(textwrap.dedent("""
        from signkit.training.registries import TASKS
        from signkit.training.tasks.classify import Classify

        @TASKS.register("count_frames")
        class CountFrames(Classify):
            def targets(self, samples, recipe):
                return [str(len(p)) for p in samples]
    """))
    monkeypatch.setattr(tasks, "__path__", [*tasks.__path__, str(extra)])
    monkeypatch.setattr(TASKS, "_found", False)
    try:
        recipe = recipe_from_dict({"task": "count_frames", "data": {"dataset": "synthetic:2x2"},
                                   "model": {"encoder": "bilstm"}})
        assert recipe.task == "count_frames"
        from signkit.training.registries import get_task

        assert get_task("count_frames").vocabulary(["3", "1", "3"]) == ["1", "3"]
    finally:
        TASKS._entries.pop("count_frames", None)
        sys.modules.pop("signkit.training.tasks.count_frames", None)


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (pip install -e .[dev])")
def test_the_import_contracts_hold():
    """Layers (pose -> ... -> cli), annotate apart from training, no circles among siblings."""
    r = subprocess.run([str(LINT)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


def test_an_encoder_without_its_own_defaults_gets_none_silently():
    from signkit.errors import ConfigError
    from signkit.registry import Registry
    from signkit.training.registries import registered_defaults

    registry: Registry = Registry("encoder")
    registry.register("tiny")(type("Tiny", (), {}))
    registry.register("sized")(type("Sized", (), {"defaults": {"lr": 0.1, "batch_size": 4}}))
    assert registered_defaults(registry, "sized") == {"lr": 0.1, "batch_size": 4}
    try:
        registered_defaults(registry, "tiny")
    except ConfigError as exc:
        assert "set optim.lr and optim.batch_size" in str(exc)
    else:
        raise AssertionError("an encoder without defaults must not borrow another's")


NEW_FILES = {
    # a new encoder: one file among the models, its own defaults beside it
    "signkit.models": ("wide_bilstm.py", """
        from signkit.models.base import ENCODERS
        from signkit.models.bilstm import BiLSTMEncoder

        @ENCODERS.register("wide_bilstm")
        class WideBiLSTM(BiLSTMEncoder):
            defaults = {"lr": 0.02, "batch_size": 7, "decoder": "linear"}
    """),
    # a new loader: one file among the loaders
    "signkit.data.loaders": ("counting.py", """
        from signkit.data.dataset import loader
        from signkit.data.synthetic import generate

        @loader("counting", reads_files=False)
        def read(spec):
            return generate(int(str(spec)), 2, 0)
    """),
    # a new pretraining strategy: one file among the strategies, named by it
    "signkit.training.pretraining": ("tiny_masked.py", """
        from signkit.training.pretraining.masked import MaskedModule

        class TinyMasked(MaskedModule):
            def __init__(self, ratio: float = 0.2, span: int = 2, wobble: float = 0.0, **kw):
                super().__init__(ratio=ratio, span=span, **kw)

        STRATEGY = TinyMasked
    """),
}

USE_THEM = """
import sys
for package, folder in zip({packages!r}, sys.argv[1:]):
    __import__(package)
    sys.modules[package].__path__.append(folder)

from signkit.data.dataset import load_dataset
from signkit.errors import ConfigError
from signkit.training.config import recipe_from_dict
from signkit.training.registries import get_task
from signkit.training.run import train

recipe = recipe_from_dict({{"data": {{"dataset": "counting:3", "length": 8, "fold": 2}},
                           "model": {{"encoder": "wide_bilstm",
                                     "encoder_params": {{"hidden": 8, "layers": 1}}}},
                           "trainer": {{"max_epochs": 1, "patience": None}}}}).resolved()
assert (recipe.optim.lr, recipe.optim.batch_size, recipe.model.decoder) == (0.02, 7, "linear")
assert len(load_dataset("counting:3")) == 3 * 2 * 9
metrics = train(recipe, sys.argv[-1], progress_bar=False)
assert metrics["encoder"] == "wide_bilstm" and metrics["n_test"] == 18, metrics
pre = recipe_from_dict({{"task": "tiny_masked", "data": {{"dataset": "counting:2"}},
                        "pretrain": {{"params": {{"wobble": 0.5}}}}}})
assert get_task("tiny_masked").module_class().__name__ == "TinyMasked"
try:
    recipe_from_dict({{"task": "tiny_masked", "data": {{"dataset": "counting:2"}},
                      "pretrain": {{"params": {{"wiggle": 1}}}}}})
except ConfigError as exc:
    assert "no parameter 'wiggle'" in str(exc)
else:
    raise AssertionError("the strategy's parameters are checked")
print("ok")
"""


def test_a_new_encoder_loader_and_strategy_are_each_one_new_file(tmp_path):
    """Each placed beside its kind (the package's search path extended, as a file dropped into it
    would be), found by name in a fresh process, trained or checked through the recipe; nothing
    else edited."""
    folders = []
    for package, (name, source) in NEW_FILES.items():
        folder = tmp_path / package
        folder.mkdir()
        (folder / name).write_text(textwrap.dedent(source))
        folders.append(str(folder))
    script = USE_THEM.format(packages=list(NEW_FILES))
    r = subprocess.run([sys.executable, "-c", script, *folders, str(tmp_path / "run")],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout + r.stderr
