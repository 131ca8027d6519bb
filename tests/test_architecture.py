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
