"""The HDF5 corpus on real pose files: build, append and resume, info, windows for a seed with and
without worker processes, and one-line errors for corrupt or truncated files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from signkit.corpus import Corpus, CorpusError, WindowDataset, build_corpus, summarize
from signkit.pose.io import load
from tests.conftest import real_pose_files, shared_path

pytest.importorskip("h5py")


def _signkit(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def sources() -> list:
    files = [p for p in real_pose_files() if "hand_estimation" in str(p)][:3]
    if len(files) < 3:
        pytest.skip("real .pose files not available")
    return [*files, shared_path("mp_holistic", "jeet10_1662.npz")]


@pytest.fixture(scope="module")
def corpus(sources, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "c.h5"
    result = build_corpus(sources, out)
    assert not result.failed and result.added_videos == 3 + 330
    return out


def test_build_keeps_every_pose_exactly(corpus, sources):
    originals = [p for s in sources for p in load(s)]
    with Corpus(corpus) as c:
        assert len(c) == len(originals)
        for video, pose in zip(c.videos, originals, strict=True):
            back = c.read(video)
            assert back.layout.keypoints == pose.layout.keypoints and back.fps == pytest.approx(pose.fps)
            np.testing.assert_array_equal(back.data, pose.data)
            np.testing.assert_array_equal(back.confidence, pose.confidence)
        part = c.read(c.videos[-1], 5, 15, c.layout(c.videos[-1]).indices("hands+mouth"))
        assert part.data.shape[:2] == (10, 42 + len(c.layout(c.videos[-1]).indices("mouth")))
    s = summarize(corpus)
    assert s.videos == 333 and s.frames == sum(len(p) for p in originals) and s.sources == 4
    assert 0 < s.detection["hands"] <= 1 and s.detection["face"] > 0.9


def test_rerun_adds_nothing_and_an_interrupted_build_resumes(corpus, sources, tmp_path):
    again = build_corpus(sources, corpus)
    assert again.added_videos == 0 and again.skipped_sources == 4

    out, seen = tmp_path / "resumed.h5", []

    def stop_after_two(path, added):
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    first = build_corpus(sources, out, on_source=stop_after_two)
    assert first.interrupted and first.added_videos == 2  # the third source never started
    with Corpus(out) as c:  # valid as it was left
        assert len(c) == 2
    rest = build_corpus(sources, out)
    assert rest.skipped_sources == 2 and rest.added_videos == 331
    with Corpus(out) as c, Corpus(corpus) as full:
        assert [(v.source, v.item, v.frames) for v in c.videos] == \
               [(v.source, v.item, v.frames) for v in full.videos]


def test_a_killed_build_leaves_a_valid_file_that_the_cli_completes(sources, tmp_path):
    out = tmp_path / "killed.h5"
    code = ("import sys, signkit.corpus.store as s\n"
            "w = s._Writer.add\n"
            "def add(self, *a):\n"
            "    w(self, *a)\n"
            "    if self.next == 40: import os; os._exit(9)\n"  # dies mid-source, no cleanup at all
            "s._Writer.add = add\n"
            f"s.build_corpus({[str(p) for p in sources]!r}, {str(out)!r})\n")
    assert subprocess.run([sys.executable, "-c", code], timeout=300).returncode == 9
    with Corpus(out) as c:
        assert 0 < len(c) <= 40
    res = _signkit("corpus", "build", *sources, "-o", out)
    assert res.returncode == 0, res.stderr
    assert len(Corpus(out).videos) == 333
    info = _signkit("corpus", "info", out)
    assert info.returncode == 0 and "333" in info.stdout and "hands" in info.stdout


def test_windows_are_the_same_for_a_seed_with_0_and_2_workers(corpus):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    ds = WindowDataset(corpus, "hands+mouth+eyebrows", 20, 40, size=12, seed=3)
    assert ds.skipped == 0 and len(ds.layout) == 42 + len(ds.layout.indices("mouth+eyebrows"))
    lengths = {len(ds[i]) for i in range(12)}
    assert all(20 <= n <= 40 or n < 20 for n in lengths) and len(lengths) > 1

    def collate(poses):
        return [torch.from_numpy(p.data) for p in poses]

    direct = [t for b in DataLoader(ds, batch_size=4, collate_fn=collate) for t in b]
    workers = [t for b in DataLoader(ds, batch_size=4, collate_fn=collate, num_workers=2) for t in b]
    assert len(direct) == 12 and all(torch.equal(a, b) for a, b in zip(direct, workers, strict=True))
    other = WindowDataset(corpus, "hands+mouth+eyebrows", 20, 40, size=12, seed=4)
    assert any(ds.window(i)[1:] != other.window(i)[1:] for i in range(12))
    assert any(ds.window(i + 12)[1:] != ds.window(i)[1:] for i in range(12))  # the next epoch's


def test_corrupt_truncated_and_foreign_files_are_one_line_errors(corpus, tmp_path):
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(corpus.read_bytes()[: corpus.stat().st_size // 3])
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"not hdf5 at all" * 100)
    import h5py

    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.zeros(3)
    for path, words in [(truncated, "truncated or corrupt"), (garbage, "truncated or corrupt"),
                        (foreign, "not a signkit corpus"), (tmp_path / "none.h5", "no such corpus")]:
        with pytest.raises(CorpusError, match=words):
            WindowDataset(path, "hands")
        res = _signkit("corpus", "info", path)
        assert res.returncode == 1 and str(path) in res.stderr and words in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_two_reading_processes_build_the_same_corpus(corpus, sources, tmp_path):
    out = tmp_path / "parallel.h5"
    result = build_corpus(sources, out, workers=2)
    assert result.added_videos == 333 and not result.failed
    with Corpus(out) as a, Corpus(corpus) as b:
        rows = [[(v.source, v.item, v.frames) for v in c.videos] for c in (a, b)]
        assert rows[0] == rows[1]
        np.testing.assert_array_equal(a.read(a.videos[200]).data, b.read(b.videos[200]).data)


def test_a_folder_is_searched_for_every_readable_pose_format(tmp_path):
    """OpenHands' pose pickles in a folder are found, beside .pose files; other files are not."""
    import pickle
    import shutil

    from signkit.cli.corpus import pose_sources

    real = load(shared_path("mp_holistic", "jeet10_1662.npz"))[0]
    keep = np.r_[0:33, 501:543]
    (tmp_path / "sub").mkdir()
    with (tmp_path / "sub" / "clip.pkl").open("wb") as f:
        pickle.dump({"keypoints": real.data[:, keep], "confidences": real.confidence[:, keep]}, f)
    shutil.copy(real_pose_files()[0], tmp_path / "a.pose")
    (tmp_path / "notes.txt").write_text("not a pose")
    assert [p.name for p in pose_sources([tmp_path])] == ["a.pose", "clip.pkl"]
    res = _signkit("corpus", "build", tmp_path, "-o", tmp_path / "c.h5")
    assert res.returncode == 0, res.stderr
    with Corpus(tmp_path / "c.h5") as corpus:
        assert len(corpus) == 2
