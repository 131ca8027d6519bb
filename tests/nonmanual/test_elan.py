"""ELAN readers (the real export, an .eaf written by pympi), frame labels, the loader."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from signkit.data.dataset import load_dataset
from signkit.data.elan import NONE_LABEL, Segment, check_tiers, frame_labels, read_elan, write_eaf
from signkit.data.openface_elan import tier_labels
from signkit.errors import PoseFileError
from tests.conftest import shared_path


def test_the_real_export_reads_into_segments_per_tier():
    segments = read_elan(shared_path("krsl_nonmanual", "elan_export.tsv"))
    tiers = Counter(s.tier for s in segments)
    assert set(tiers) == {"head", "brows", "right-hand", "left-hand", "body"}
    assert tiers["brows"] == 133 and tiers["head"] == 83
    assert len({s.file for s in segments}) == 180
    first = segments[0]
    assert first == Segment("right-hand", 300, 866, "ДЕВОЧКА", "gen_q_neut_dev.upala_alt.eaf")
    assert Segment("brows", 866, 2000, "br_raise", "gen_q_neut_dev.upala_alt.eaf") in segments


def test_an_eaf_written_by_pympi_reads_back(tmp_path):
    path = write_eaf({"brows": [("br_raise", 0.5, 1.25)], "head": [("nod", 1.0, 1.5), ("chin_up", 2, 2.5)]},
                     tmp_path / "a.eaf")
    segments = sorted(read_elan(path), key=lambda s: (s.tier, s.start))
    assert segments == [Segment("brows", 500, 1250, "br_raise", "a.eaf"),
                        Segment("head", 1000, 1500, "nod", "a.eaf"),
                        Segment("head", 2000, 2500, "chin_up", "a.eaf")]


def test_frame_labels_follow_the_recordings_fps():
    segments = [Segment("brows", 100, 300, "br_raise"), Segment("head", 0, 50, "nod")]
    labels = frame_labels(segments, "brows", fps=10, frames=5)  # frames at 0, 100, ..., 400 ms
    assert labels.tolist() == [NONE_LABEL, "br_raise", "br_raise", NONE_LABEL, NONE_LABEL]
    assert frame_labels(segments, "brows", fps=20, frames=8).tolist()[1:7] == [
        NONE_LABEL, "br_raise", "br_raise", "br_raise", "br_raise", NONE_LABEL]


def test_bad_annotations_are_one_line_errors(tmp_path):
    with pytest.raises(PoseFileError, match=r"lies outside the recording \(0-500 ms\)") as err:
        frame_labels([Segment("brows", 800, 900, "br_raise")], "brows", 10, 5, "rec.csv")
    assert "rec.csv" in str(err.value)
    with pytest.raises(PoseFileError, match="no tier 'mouth'"):
        check_tiers([Segment("brows", 0, 1, "x")], ["mouth"], "a.eaf")
    bad = tmp_path / "bad.eaf"
    bad.write_text("<ANNOTATION_DOCUMENT>")
    with pytest.raises(PoseFileError, match="not a readable ELAN file"):
        read_elan(bad)
    no_times = tmp_path / "export.tsv"
    no_times.write_text("tier\tvalue\nbrows\tbr_raise\n")
    with pytest.raises(PoseFileError, match="no start and end columns"):
        read_elan(no_times)


def test_the_loader_gives_sentence_type_signer_and_tier_labels():
    ds = load_dataset(f"openface_elan:{shared_path('krsl_nonmanual')}")
    assert len(ds) == 180
    assert ds.vocabulary == ["polar_question", "statement", "wh_question"]
    assert Counter(ds.signers.tolist()) == {s: 30 for s in ("alt", "gul", "makh", "mira", "shyr", "tanya")}
    sample = next(p for p in ds.samples if p.metadata["elan"] == "gen_q_neut_dev.upala_alt.eaf")
    assert sample.metadata["signer_group"] == "deaf" and sample.metadata["sentence_type"] == "polar_question"
    brows = tier_labels(sample, "brows")
    assert brows.shape == (len(sample),)
    t = np.arange(len(sample)) / sample.fps * 1000
    assert (brows[(t >= 866) & (t < 2000)] == "br_raise").all()
    assert (brows[t < 866] == NONE_LABEL).all()
    assert sample.fps == pytest.approx(float(sample.metadata["fps"]))  # the manifest's fps


def test_a_segment_beyond_a_recording_names_the_manifest_row(tmp_path):
    from tests.nonmanual.conftest import copy_signers

    folder = copy_signers({"gul"}, tmp_path / "nm")
    export = folder / "elan_export.tsv"
    lines = export.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if "gen_q-neut-devupala-gul.eaf" in line)
    cells = lines[target].split("\t")
    cells[0], cells[1] = "90000", "91000"
    lines[target] = "\t".join(cells)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PoseFileError, match=r"row 2 .*lies outside the recording"):
        load_dataset(f"openface_elan:{folder}")
