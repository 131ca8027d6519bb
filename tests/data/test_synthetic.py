import numpy as np

from signkit.data import synthetic


def test_generation_is_seeded_and_labelled():
    a = synthetic.generate(num_signers=2, samples_per_class=1, seed=3)
    b = synthetic.generate(num_signers=2, samples_per_class=1, seed=3)
    assert len(a) == 2 * len(synthetic.CLASSES)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.data, y.data)
    assert {p.metadata["signer"] for p in a} == {"S1", "S2"}
    assert {p.metadata["gloss"] for p in a} == set(synthetic.CLASSES)
    p = a[0]
    assert p.layout.name == "mediapipe_holistic" and p.data.shape[1:] == (543, 3)
    assert any((q.confidence == 0).any() for q in a), "some detections are dropped"


def test_pairs_differ_only_in_non_manual_markers():
    signer = synthetic.make_signers(1, np.random.default_rng(0))[0]
    for a, b in synthetic.NON_MANUAL_PAIRS:
        pa = synthetic.render_sign(synthetic.CLASSES[a], signer, np.random.default_rng(5))
        pb = synthetic.render_sign(synthetic.CLASSES[b], signer, np.random.default_rng(5))
        hands = pa.layout.indices("hands")
        np.testing.assert_array_equal(pa.data[:, hands], pb.data[:, hands])
        face = pa.layout.indices("face")
        assert np.abs(pa.data[:, face] - pb.data[:, face]).max() > 3  # pixels


def test_signers_differ():
    poses = synthetic.generate(num_signers=5, samples_per_class=1, seed=0, classes=("up",))
    widths = [np.linalg.norm(p.data[0, 11, :2] - p.data[0, 12, :2]) for p in poses]
    assert max(widths) / min(widths) > 1.05
