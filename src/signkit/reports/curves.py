"""The linguist's curves: a face measure over time-normalised recordings, mean and 95 %
confidence band per group (sentence type, signer group, signer), as PNG figures and one tidy
long CSV (recording, signer, group, time, measure, value) for R or pandas.

Time is normalised to each recording's length (``align="recording"``: 0 to 1) or to its ELAN
signs (``align="signs"``: sign k of the recording spans k to k+1, so the same sign of every
recording lines up).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from signkit.errors import ConfigError
from signkit.pose.face import measure_values, relative_to_signer
from signkit.pose.pose import Pose

POINTS = 50  # samples per normalised recording (per sign with align="signs")
ALIGNS = ("recording", "signs")


def _resample(values: np.ndarray, points: int) -> np.ndarray:
    """Linear interpolation of ``values`` (NaN gaps bridged) onto ``points`` even steps."""
    t = np.linspace(0, 1, len(values))
    ok = np.isfinite(values)
    if ok.sum() < 2:
        return np.full(points, np.nan)
    return np.interp(np.linspace(0, 1, points), t[ok], values[ok])


def sign_spans(pose: Pose, tier: str) -> list[tuple[int, int]]:
    """Frame spans ``[start, end)`` of the recording's signs on ``tier``, in time order."""
    segments = sorted((s for s in pose.metadata.get("segments", []) if s.tier == tier),
                      key=lambda s: s.start)
    spans = [(int(s.start / 1000 * pose.fps), int(np.ceil(s.end / 1000 * pose.fps))) for s in segments]
    return [(a, min(b, len(pose))) for a, b in spans if min(b, len(pose)) - a >= 2]


def normalised(pose: Pose, values: np.ndarray, align: str, tier: str) -> tuple[np.ndarray, np.ndarray]:
    """``(times, values)`` of one recording on the normalised time axis."""
    if align == "recording":
        return np.linspace(0, 1, POINTS), _resample(values, POINTS)
    spans = sign_spans(pose, tier)
    times = [k + np.linspace(0, 1, POINTS, endpoint=False) for k in range(len(spans))]
    vals = [_resample(values[a:b], POINTS) for a, b in spans]
    return (np.concatenate(times), np.concatenate(vals)) if spans else (np.empty(0), np.empty(0))


@dataclass
class Curves:
    """The tidy rows and, per group, the mean and 95 % band on the common time grid."""

    rows: list[dict[str, object]]
    times: np.ndarray
    bands: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, int]]  # group -> mean, low, high, n


def _band(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and the t-distribution 95 % confidence interval of the mean, per time step."""
    from scipy import stats

    n = np.isfinite(stack).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(stack, axis=0)
        sem = np.nanstd(stack, axis=0, ddof=1) / np.sqrt(n)
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sem
    half = np.where(n > 1, half, np.nan)
    mean = np.where(n >= 3, mean, np.nan)  # a step only a recording or two reach says nothing
    return mean, mean - half, mean + half


def compute_curves(poses: Sequence[Pose], measure: str, by: str, align: str = "recording",
                   tier: str = "right-hand", center: str = "none") -> Curves:
    """Curves of ``measure`` grouped by the metadata field ``by``. ``center="signer"``
    subtracts each signer's mean over all their recordings (people's faces differ at rest)."""
    import warnings

    if align not in ALIGNS:
        raise ConfigError(f"align must be one of {', '.join(ALIGNS)}, not {align!r}")
    if center not in ("none", "signer"):
        raise ConfigError(f"center must be 'none' or 'signer', not {center!r}")
    if missing := [p.metadata.get("source", "?") for p in poses if by not in p.metadata]:
        raise ConfigError(f"no {by!r} for {len(missing)} recordings (first: {missing[0]})")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        raw = [measure_values(p, measure) for p in poses]
        if center == "signer":
            raw = relative_to_signer(raw, [str(p.metadata.get("signer", "")) for p in poses])
    rows, per_group = [], defaultdict(list)
    for p, v in zip(poses, raw, strict=True):
        times, values = normalised(p, v, align, tier)
        name = Path(str(p.metadata.get("source", ""))).stem
        group = str(p.metadata[by])
        per_group[group].append((times, values))
        rows += [{"recording": name, "signer": p.metadata.get("signer", ""), "group": group,
                  "time": round(float(t), 4), "measure": measure, "value": float(x)}
                 for t, x in zip(times, values, strict=True) if np.isfinite(x)]
    length = max((len(t) for g in per_group.values() for t, _ in g), default=0)
    grid = np.linspace(0, 1, POINTS) if align == "recording" else (
        np.arange(length // POINTS)[:, None] + np.linspace(0, 1, POINTS, endpoint=False)).ravel()
    bands = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for group, items in sorted(per_group.items()):
            stack = np.full((len(items), len(grid)), np.nan)
            for i, (_, values) in enumerate(items):
                stack[i, : len(values)] = values
            bands[group] = (*_band(stack), len(items))
    return Curves(rows, grid, bands)


def write_curves(curves: Curves, measure: str, by: str, out: Path, align: str) -> list[Path]:
    """``<measure>_by_<by>.png`` and ``.csv`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{measure}_by_{by}"
    with stem.with_suffix(".csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["recording", "signer", "group", "time", "measure", "value"])
        writer.writeheader()
        writer.writerows(curves.rows)
    fig, ax = plt.subplots(figsize=(7, 4))
    for group, (mean, low, high, n) in curves.bands.items():
        (line,) = ax.plot(curves.times, mean, label=f"{group} (n={n})")
        ax.fill_between(curves.times, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("normalised time (recording)" if align == "recording" else "sign (ELAN)")
    ax.set_ylabel(measure.replace("_", " "))
    ax.set_title(f"{measure.replace('_', ' ')} by {by.replace('_', ' ')}: mean and 95 % CI")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(stem.with_suffix(".png"), dpi=120)
    plt.close(fig)
    return [stem.with_suffix(".png"), stem.with_suffix(".csv")]
