"""Every figure a recipe README reports is in the results index (``recipes/results.csv``), every
shipped recipe is listed, and ``add`` writes a run folder's figures with its commit."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("results_index", ROOT / "scripts" / "results_index.py")
R = importlib.util.module_from_spec(_spec)
sys.modules["results_index"] = R
_spec.loader.exec_module(R)
OLD_RUN = ROOT / "tests" / "fixtures" / "runs_6b5f2f6" / "train"


def test_every_readme_figure_is_indexed_and_every_recipe_listed():
    found = R.problems()
    assert not found, "\n".join(found[:20])
    assert len(R.read_index()) > 500  # the README tables, not an empty file that agrees


def test_a_changed_figure_or_an_unlisted_recipe_is_reported():
    index = R.read_index()
    first = index[0]
    changed = [R.Figure(**{**first.__dict__, "value": "99.99"}), *index[1:]]
    found = R.problems(changed)
    assert any("is not in the index" in p and first.row in p for p in found)
    assert any("the index has '99.99'" in p for p in found)
    unlisted = [r for r in index if "recipes/krsl20/slgcn.yaml" not in r.recipe.split()]
    assert any(p.startswith("recipes/krsl20/slgcn.yaml: a shipped recipe") for p in R.problems(unlisted))


def test_add_writes_a_run_folder_s_figures_with_its_commit(tmp_path):
    index = tmp_path / "results.csv"
    shutil.copy(R.INDEX, index)
    run = tmp_path / "run"
    shutil.copytree(OLD_RUN, run)
    code = R.main(["--index", str(index), "add", str(run), "--readme", "recipes/x/README.md",
                   "--section", "Deep models", "--row", "BiLSTM", "--recipe", "recipes/x/bilstm.yaml",
                   "--metric", "top-1=top1", "--metric", "macro-F1=macro_f1"])
    assert code == 0
    rows = [r for r in R.read_index(index) if r.readme == "recipes/x/README.md"]
    metrics = json.loads((run / "metrics.json").read_text())
    commit = json.loads((run / "run.json").read_text())["commit"]
    assert {r.metric: r.value for r in rows} == {"top-1": f"{100 * metrics['top1']:.2f}",
                                                 "macro-F1": f"{100 * metrics['macro_f1']:.2f}"}
    assert all(r.commit == commit and r.command.startswith("signkit train") for r in rows)
    # the README does not show the new row yet: check says so
    found = R.problems(R.read_index(index))
    assert any("recipes/x/README.md" in p and "the README does not" in p for p in found)
