import json

import numpy as np

from signkit.baselines import FeatureConfig, make_classifier, sequence_features
from signkit.data import synthetic
from signkit.demo import run_demo
from signkit.reports.metrics import accuracy, merged_accuracy, regex_merge, subset_accuracy


def test_metrics_against_hand_computed_values():
    t = ["a", "aq", "b", "bq"]
    p = ["aq", "aq", "b", "b"]
    assert accuracy(t, p) == 0.5
    assert subset_accuracy(t, p, {"a", "aq"}) == 0.5
    assert merged_accuracy(t, p, regex_merge("s/q$//")) == 1.0


def test_sequence_features_shape():
    poses = synthetic.generate(num_signers=1, samples_per_class=1, seed=0)
    x = sequence_features(poses, FeatureConfig(groups="hands+mouth", length=10))
    assert x.shape == (len(poses), 10 * (42 + 40) * 3)
    assert np.isfinite(x).all()
    clf = make_classifier("logreg", max_iter=200).fit(x, [p.metadata["gloss"] for p in poses])
    assert clf.score(x, [p.metadata["gloss"] for p in poses]) == 1.0


def test_demo_non_manual_features_lift_question_pairs(tmp_path):
    report = run_demo(num_signers=4, samples_per_class=6, seed=1, out_dir=tmp_path)
    hands, both, deep = report.results
    assert hands.groups == "hands" and both.groups == "hands+non_manual"
    assert deep.model == "BiLSTM (small)" and deep.n_test == hands.n_test
    assert deep.word_accuracy > 1 / 5  # learned something (five words, chance 20 %)
    assert (tmp_path / "bilstm" / "checkpoints" / "best.ckpt").is_file()  # a normal run folder
    # hands alone cannot separate question from statement; the face can
    assert hands.question_pairs <= 0.75
    assert both.question_pairs >= hands.question_pairs + 0.2
    assert both.mouth_pair > hands.mouth_pair
    assert hands.word_accuracy >= 0.8
    saved = json.loads((tmp_path / "demo_results.json").read_text())
    assert saved["test_signer"] == "S4" and len(saved["results"]) == 3
