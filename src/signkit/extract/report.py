"""``extraction_report.csv``: one row per video, kept across resumed runs."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from signkit.pose.io.base import atomic_write_bytes

REPORT_NAME = "extraction_report.csv"
# Groups whose detection rate is reported; "hands" (either hand) decides --min-detection with face.
REPORT_GROUPS = ("body", "face", "left_hand", "right_hand", "hands")
DONE, SKIPPED, FAILED = "done", "skipped", "failed"


@dataclass
class ReportRow:
    video: str
    output: str
    status: str
    error: str = ""
    frames: int = 0
    seconds: float = 0.0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    body: float = 0.0
    face: float = 0.0
    left_hand: float = 0.0
    right_hand: float = 0.0
    hands: float = 0.0
    low_detection: str = ""

    def fill_from(self, pose) -> None:
        """Frames, fps, frame size and detection rates of an extracted pose."""
        self.frames, self.fps = len(pose), round(pose.fps, 3)
        self.width, self.height = pose.width or 0, pose.height or 0
        rates = pose.detection_rate()
        for group in REPORT_GROUPS:
            setattr(self, group, round(rates.get(group, 0.0), 4))

    def flag(self, min_detection: float) -> None:
        """Name the face and hands in ``low_detection`` when found in fewer frames than the minimum."""
        low = [g for g in ("face", "hands") if getattr(self, g) < min_detection]
        self.low_detection = " ".join(low) if self.status != FAILED else ""


def write_report(rows: list[ReportRow], out_dir: Path) -> Path:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[f.name for f in fields(ReportRow)])
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r.video):
        writer.writerow(asdict(row))
    path = out_dir / REPORT_NAME
    atomic_write_bytes(path, buf.getvalue().encode())
    return path


def read_report(out_dir: Path) -> dict[str, ReportRow]:
    """Rows of an earlier run by output path ({} when there is none or it is unreadable)."""
    path = out_dir / REPORT_NAME
    if not path.is_file():
        return {}
    types = {f.name: f.type for f in fields(ReportRow)}
    casts = {"int": int, "float": float, "str": str}
    rows = {}
    try:
        with path.open(newline="", encoding="utf-8") as f:
            for raw in csv.DictReader(f):
                row = ReportRow(**{k: casts[types[k]](v) for k, v in raw.items() if k in types})
                rows[row.output] = row
    except (ValueError, TypeError, KeyError):
        return {}
    return rows
