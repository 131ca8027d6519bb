"""``signkit report``: one self-contained HTML page for a run, crossval, baseline, ablation or
evaluation folder, built from the files those commands write: the metrics, the learning curves
(from the CSV logs), the confusion matrix and per-class accuracy, the ablation chart, a CTC run's
posteriors and alignments. Images are embedded, so the page can be mailed or archived alone."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from signkit.errors import PoseFileError
from signkit.reports.plots import plt
from signkit.runs import EVALUATION, METRICS, SUMMARY, find_kind

REPORT = "report.html"
KNOWN = (METRICS, SUMMARY, "ablation.md", EVALUATION)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _file_png(path: Path) -> str | None:
    return base64.b64encode(path.read_bytes()).decode() if path.is_file() else None


def _epochs(csv_path: Path) -> dict[str, list[tuple[int, float]]]:
    """Lightning's CSV log -> ``{metric: [(epoch, value)]}`` (train and validation rows merged)."""
    series: dict[str, list[tuple[int, float]]] = defaultdict(list)
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            for key, value in row.items():
                if key not in ("epoch", "step") and value:
                    series[key].append((int(row["epoch"]), float(value)))
    return dict(series)


def learning_curves(runs: dict[str, Path]) -> str | None:
    """Losses and the validation metric per epoch; one line per run for crossval folders."""
    logs = {name: _epochs(p / "logs" / "metrics.csv") for name, p in runs.items()
            if (p / "logs" / "metrics.csv").is_file()}
    if not logs:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    for i, (name, series) in enumerate(logs.items()):
        for key, style in (("train_loss", "--"), ("val_loss", "-")):
            if key in series:
                e, v = zip(*series[key], strict=True)
                left.plot(e, v, style, color=f"C{i}", label=f"{name} {key}" if len(logs) > 1 else key)
        metric = next((k for k in ("val_acc", "val_wer") if k in series), None)
        if metric:
            e, v = zip(*series[metric], strict=True)
            right.plot(e, [100 * x for x in v], color=f"C{i}", label=name if len(logs) > 1 else metric)
            right.set_ylabel(f"{metric} (%)")
    left.set_xlabel("epoch")
    left.set_ylabel("loss")
    right.set_xlabel("epoch")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _png(fig)


def per_class_chart(per_class: list[dict[str, str]]) -> str:
    fig, ax = plt.subplots(figsize=(max(5, 0.35 * len(per_class) + 2), 3.2))
    names = [r["gloss"] for r in per_class]
    ax.bar(range(len(names)), [100 * float(r["accuracy"]) for r in per_class], color="#3b75af")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=8)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _percent(value: Any) -> str:
    return f"{100 * value:.2f}" if isinstance(value, float) else _text(value)


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _markdown_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The first Markdown table of a file: header and rows."""
    lines = [ln.strip().strip("|").split("|") for ln in path.read_text().splitlines() if ln.startswith("|")]
    cells = [[c.strip() for c in ln] for ln in lines if not set("".join(ln)) <= set("-: ")]
    return cells[0], cells[1:]


def _summary_section(folder: Path, page: dict[str, Any]) -> dict[str, Path]:
    """A crossval folder or an ensemble of crossvals: mean ± std and every run; its fold folders."""
    from signkit.reports.metrics import METRIC_NAMES

    summary = json.loads((folder / SUMMARY).read_text())
    page["facts"] = [(k, summary[k]) for k in ("name", "dataset", "encoder", "groups", "split", "folds",
                                                "repeats") if k in summary]
    page["tables"].append(("mean ± std over the runs (%)", list(summary["table"]),
                           [list(summary["table"].values())]))
    if rows := summary.get("runs", []):
        keys = list(rows[0])
        page["tables"].append(("per run", [METRIC_NAMES.get(k, k.replace("_", " ")) for k in keys],
                               [[_percent(r[k]) if k in METRIC_NAMES else _text(r[k]) for k in keys]
                                for r in rows]))
    return {d.name: d for d in sorted(folder.glob("repeat*_fold*")) if d.is_dir()}


def _baseline_section(folder: Path, page: dict[str, Any]) -> dict[str, Path]:
    from signkit.reports.metrics import format_summary

    metrics = json.loads((folder / METRICS).read_text())
    table = format_summary(metrics["summary"])
    page["tables"].append(("mean ± std over the runs", list(table), [list(table.values())]))
    page["facts"] = [(k, _text(v)) for k, v in metrics.get("config", {}).items() if not isinstance(v, dict)]
    return {folder.name: folder}


def _train_section(folder: Path, page: dict[str, Any]) -> dict[str, Path]:
    from signkit.reports.metrics import METRIC_NAMES

    if not (folder / METRICS).is_file():  # still training: its learning curves only
        return {folder.name: folder}
    metrics = json.loads((folder / METRICS).read_text())
    shown = ("name", "task", "dataset", "encoder", "groups", "split", "fold", "test_signers",
             "n_train", "n_test", "epochs", "train_seconds", "parameters")
    page["facts"] = [(k, _text(metrics[k])) for k in shown if k in metrics]
    shown = [k for k in METRIC_NAMES if k in metrics]
    page["tables"].append(("test fold (%)", [METRIC_NAMES[k] for k in shown],
                           [[_percent(metrics[k]) for k in shown]]))
    return {folder.name: folder}


# The page's first section by the folder's kind (``run.json``); others show what they hold.
SECTIONS = {"crossval": _summary_section, "ensemble_crossval": _summary_section,
            "baseline": _baseline_section, "train": _train_section, "ensemble": _train_section,
            "pretrain": _train_section}


def collect(folder: Path) -> dict[str, Any]:
    """What the page shows, from the files in ``folder`` (sections without files are left out)."""
    from signkit.reports.metrics import METRIC_NAMES

    page: dict[str, Any] = {"title": folder.resolve().name, "folder": str(folder), "tables": [],
                            "images": [], "facts": [], "details": []}
    section = SECTIONS.get(find_kind(folder) or "")
    runs = section(folder, page) if section else {folder.name: folder}
    if (folder / "ablation.md").is_file():
        header, rows = _markdown_table(folder / "ablation.md")
        page["tables"].append(("ablation: mean ± std (%)", header, rows))
        page["images"].append(("ablation", _file_png(folder / "ablation.png")))
    if curves := learning_curves(runs):
        page["images"].append(("learning curves", curves))
    for where in (folder, folder / "evaluation"):
        if (where / EVALUATION).is_file():
            ev = json.loads((where / EVALUATION).read_text())
            shown = [k for k in METRIC_NAMES if k in ev]
            rows = [["all", *(_percent(ev[k]) for k in shown)]]
            rows += [[f"signer {sgn}", *(_percent(r[k]) for k in shown)]
                     for sgn, r in ev.get("per_signer", {}).items()]
            page["tables"].append((f"evaluation on {ev.get('dataset', '')} (%)",
                                   ["samples", *(METRIC_NAMES[k] for k in shown)], rows))
        if img := _file_png(where / "confusion.png"):
            page["images"].append(("confusion matrix (rows: true gloss)", img))
        if (where / "per_class.csv").is_file():
            page["images"].append(("per-class accuracy", per_class_chart(_read_csv(where / "per_class.csv"))))
        if img := _file_png(where / "posteriors.png"):
            page["images"].append(("gloss posteriors over time", img))
        if (where / "alignments.csv").is_file():
            rows = _read_csv(where / "alignments.csv")[:30]
            page["details"].append(("alignments (first 30): [a->b] substituted, (-a) deleted, (+b) inserted",
                                   ["signer", "reference", "hypothesis", "alignment"],
                                   [[r[k] for k in ("signer", "reference", "hypothesis", "alignment")]
                                    for r in rows]))
    return page


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """The page for ``folder`` (``FOLDER/report.html`` unless ``out``)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    folder = Path(folder)
    found = [folder / k for k in KNOWN] + [folder / "evaluation" / EVALUATION]
    if not any(f.is_file() for f in found):
        raise PoseFileError(folder, "not a folder of signkit train, crossval, baseline, ablate or evaluate "
                                    f"(none of {', '.join(KNOWN)})")
    env = Environment(loader=PackageLoader("signkit.reports"), autoescape=select_autoescape())
    html = env.get_template("report.html").render(**collect(folder))
    path = Path(out) if out else folder / REPORT
    path.write_text(html)
    return path
