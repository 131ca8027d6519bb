"""A small folder in the krsl_nonmanual layout: two signers' recordings, copied from the real
data (which the test suite never writes into)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.conftest import shared_path


def copy_signers(signers: set[str], to: Path) -> Path:
    src = shared_path("krsl_nonmanual")
    with (src / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kept = [r for r in rows if r["signer"] in signers]
    (to / "openface").mkdir(parents=True)
    for r in kept:
        shutil.copy(src / r["file"], to / r["file"])
    with (to / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    shutil.copy(src / "elan_export.tsv", to / "elan_export.tsv")
    return to


@pytest.fixture(scope="session")
def two_signers(tmp_path_factory) -> Path:
    """``gul`` (hearing) and ``alt`` (deaf): 60 recordings, 20 per sentence type."""
    return copy_signers({"gul", "alt"}, tmp_path_factory.mktemp("krsl_nm"))
