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


def test_sentences_mark_questions_only_non_manually():
    signer = synthetic.make_signers(1, np.random.default_rng(0))[0]
    glosses = ["tap", "wave-aa", "side"]
    for scope in synthetic.QUESTION_SCOPES:
        statement = synthetic.render_sentence(glosses, signer, np.random.default_rng(4), False, scope)
        question = synthetic.render_sentence(glosses, signer, np.random.default_rng(4), True, scope)
        assert statement.metadata["gloss"] == "tap wave-aa side"
        assert question.metadata["gloss"] == "tap wave-aa sideq"
        assert question.metadata["sentence_type"] == "question"
        hands, brows = question.layout.indices("hands"), question.layout.indices("eyebrows")
        np.testing.assert_array_equal(statement.data[:, hands], question.data[:, hands])
        lift = (statement.data[:, brows, 1] - question.data[:, brows, 1]).mean(axis=1)  # up: y falls
        spans = [tuple(map(int, s.split("-"))) for s in question.metadata["spans"].split()]
        first, last = spans[0], spans[-1]
        assert lift[slice(*last)].max() > 5  # pixels
        if scope == "sentence":
            assert lift[slice(*first)].max() > 5
        else:
            assert np.abs(lift[slice(*first)]).max() < 1e-3


def test_sentence_corpus_is_seeded_with_half_questions():
    a = synthetic.generate_sentences(2, 6, seed=1, min_signs=2, max_signs=3)
    b = synthetic.generate_sentences(2, 6, seed=1, min_signs=2, max_signs=3)
    assert [p.metadata["gloss"] for p in a] == [p.metadata["gloss"] for p in b]
    assert sum(p.metadata["sentence_type"] == "question" for p in a) == 6
    for p in a:
        glosses = p.metadata["gloss"].split()
        assert 2 <= len(glosses) <= 3
        assert glosses[-1].endswith("q") == (p.metadata["sentence_type"] == "question")
        assert glosses[-1].removesuffix("q") in ("circle", "up", "side")  # hands alone cannot tell
