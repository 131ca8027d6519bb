import numpy as np
import pytest

from signkit.reports import metrics as M
from signkit.reports.plots import ablation_png, confusion_png


def test_top_k_by_hand():
    classes = ["a", "b", "c"]
    proba = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25]])
    truth = ["b", "c", "c"]
    assert M.top_k_accuracy(truth, proba, classes, 1) == pytest.approx(1 / 3)
    assert M.top_k_accuracy(truth, proba, classes, 2) == pytest.approx(2 / 3)
    assert M.top_k_accuracy(truth, proba, classes, 5) == 1.0


def test_macro_f1_and_confusion_by_hand():
    t = ["a", "a", "b", "b"]
    p = ["a", "b", "b", "b"]
    # class a: P=1, R=0.5, F1=2/3; class b: P=2/3, R=1, F1=0.8
    assert M.macro_f1(t, p) == pytest.approx((2 / 3 + 0.8) / 2)
    cm = M.confusion(t, p, ["a", "b"])
    assert cm.tolist() == [[1, 1], [0, 2]]
    assert M.per_class_accuracy(cm).tolist() == [0.5, 1.0]


def test_merge_mapping():
    merge = M.regex_merge("s/q$//")
    assert merge("gdeq") == "gde" and merge("kto") == "kto"
    assert M.merged_accuracy(["gde", "gdeq"], ["gdeq", "gde"], merge) == 1.0
    with pytest.raises(ValueError):
        M.regex_merge("q$")


def test_plots_are_written(tmp_path):
    cm = np.array([[3, 1], [0, 4]])
    assert confusion_png(cm, ["gde", "gdeq"], tmp_path / "c.png").stat().st_size > 1000
    out = ablation_png(["hands", "hands+mouth"], {"top-1": [0.5, 0.8]}, {"top-1": [0.05, 0.02]},
                       tmp_path / "a.png")
    assert out.stat().st_size > 1000
