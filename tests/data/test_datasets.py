import csv

import numpy as np
import pytest

from signkit.data import synthetic
from signkit.data.dataset import load_dataset
from signkit.data.duplicates import dedup_indices, exact_duplicate_groups
from signkit.data.manifest import write_pose_dir
from signkit.data.splits import make_splits, save_splits, split_from_file
from signkit.errors import ConfigError, PoseFileError
from signkit.pose.io import read_pose, write_pose
from signkit.transforms import build_transforms
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def krsl():
    return load_dataset(f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}")


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    write_pose_dir(synthetic.generate(num_signers=3, samples_per_class=2, seed=0), out)
    return out


def test_krsl20_loader(krsl):
    assert len(krsl) == 4430 and len(krsl.vocabulary) == 20
    assert set(krsl.signers) == {"1", "2", "3", "4"}
    assert "gdeq" in krsl.vocabulary


def test_mp_array_loader():
    ds = load_dataset(f"mp_array:{shared_path('mp_holistic', 'jeet10_1662.npz')}")
    assert len(ds) == 330 and len(ds.vocabulary) == 11
    assert ds.samples[0].layout.name == "mediapipe_holistic"


def test_pose_dir_loader(synth_dir):
    ds = load_dataset(f"pose_dir:{synth_dir}")
    assert len(ds) == 3 * len(synthetic.CLASSES) * 2
    assert set(ds.signers) == {"S1", "S2", "S3"}
    assert set(ds.vocabulary) == set(synthetic.CLASSES)


def test_openpose_dir_loader(tmp_path):
    pose = read_pose(shared_path("poses", "openpose.pose"))
    rows = []
    for i, gloss in enumerate(["a", "b"]):
        write_pose(pose.frames(slice(i * 10, i * 10 + 20)), tmp_path / f"clip{i}")
        rows.append({"file": f"clip{i}", "gloss": gloss, "signer": "p1"})
    with (tmp_path / "manifest.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, ["file", "gloss", "signer"])
        w.writeheader()
        w.writerows(rows)
    ds = load_dataset(f"openpose_dir:{tmp_path}")
    assert ds.vocabulary == ["a", "b"] and len(ds.samples[0]) == 20
    assert ds.samples[0].layout.name == "openpose_137"


def test_bad_dataset_specs(tmp_path):
    with pytest.raises(ConfigError, match="LOADER:PATH"):
        load_dataset("just/a/path")
    with pytest.raises(ConfigError, match="unknown dataset loader"):
        load_dataset(f"nope:{tmp_path}")
    with pytest.raises(PoseFileError, match="manifest"):
        load_dataset(f"pose_dir:{tmp_path}")


def test_krsl_has_exact_duplicates_and_dedup_removes_them(krsl):
    groups = exact_duplicate_groups(krsl.samples)
    n_dup = sum(len(g) - 1 for g in groups)
    assert 0.1 * len(krsl) < n_dup < 0.35 * len(krsl)  # "about a fifth"
    keep = dedup_indices(krsl.samples, near=False)
    assert len(keep) == len(krsl) - n_dup
    assert not exact_duplicate_groups([krsl.samples[i] for i in keep])


def test_loso_never_shares_a_signer(krsl):
    folds = make_splits(krsl, "loso", seed=0)
    assert len(folds) == 4
    signers = krsl.signers
    for fold in folds:
        test_signers = set(signers[fold["test"]])
        assert len(test_signers) == 1
        assert not test_signers & set(signers[fold["train"] + fold["val"]])
        assert len(fold["val"]) == pytest.approx(0.2 * (len(fold["train"]) + len(fold["val"])), abs=2)
    assert sorted(i for f in folds for i in f["test"]) == list(range(len(krsl)))


def test_krsl_protocol_one_test_signer_per_class(krsl):
    fold = make_splits(krsl, "krsl", seed=3)[0]
    g, s = krsl.glosses, krsl.signers
    for gloss in krsl.vocabulary:
        test_signers = set(s[fold["test"]][g[fold["test"]] == gloss])
        assert len(test_signers) == 1
        train_of_class = [i for i in fold["train"] + fold["val"] if g[i] == gloss]
        assert not test_signers & set(s[train_of_class])
    assert make_splits(krsl, "krsl", seed=3) == make_splits(krsl, "krsl", seed=3)
    assert make_splits(krsl, "krsl", seed=3) != make_splits(krsl, "krsl", seed=4)


def test_random_split_after_dedup_has_no_duplicate_across_train_and_test(krsl):
    keep = dedup_indices(krsl.samples)
    fold = make_splits(krsl, "random", indices=keep, seed=0)[0]
    train = {bytes(krsl.samples[i].data.tobytes()) for i in fold["train"] + fold["val"]}
    assert not any(krsl.samples[i].data.tobytes() in train for i in fold["test"])
    assert set(fold["test"]) <= set(keep.tolist())
    # without dedup the same split leaks duplicates into the test set
    leaky = make_splits(krsl, "random", seed=0)[0]
    train_all = {krsl.samples[i].data.tobytes() for i in leaky["train"] + leaky["val"]}
    assert any(krsl.samples[i].data.tobytes() in train_all for i in leaky["test"])


def test_split_file_round_trip(tmp_path, krsl):
    folds = make_splits(krsl, "loso", seed=0)
    save_splits(folds, tmp_path / "s.json", dataset="krsl20")
    assert split_from_file(tmp_path / "s.json") == folds
    assert make_splits(krsl, str(tmp_path / "s.json")) == folds


def test_loso_needs_signers():
    ds = load_dataset(f"mp_array:{shared_path('mp_holistic', 'jeet10_1662.npz')}")
    with pytest.raises(ConfigError, match="two signers"):
        make_splits(ds, "loso")
    fold = make_splits(ds, "random", seed=0)[0]
    assert np.isin(fold["test"], fold["train"]).sum() == 0


def test_drop_resting_hand_on_krsl_hits_the_signer_whose_idle_hand_is_in_view(krsl):
    # Signer 3 stands further back: the idle hand hangs in the picture; the others' does not.
    drop = build_transforms(["drop_resting_hand"])
    counts: dict[str, list[int]] = {}  # signer -> [detected points, points dropped]
    for pose, signer in zip(krsl.samples, krsl.signers, strict=True):
        before, after = int(pose.detected.sum()), int(drop(pose).detected.sum())
        count = counts.setdefault(signer, [0, 0])
        count[0] += before
        count[1] += before - after
    dropped = {s: d / n for s, (n, d) in counts.items()}
    assert dropped["3"] > 0.1
    assert all(dropped[s] < 0.02 for s in ("1", "2", "4"))
