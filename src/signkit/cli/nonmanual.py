"""``signkit nonmanual``: non-manual marking as linguists look at it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from signkit.cli.console import console

app = typer.Typer(help="Non-manual features: curves of face measures over time.", no_args_is_help=True,
                  rich_markup_mode="markdown")


@app.command()
def curves(
    dataset: Annotated[str, typer.Argument(help="LOADER:PATH with a face, e.g. "
                                                "openface_elan:../shared/data/krsl_nonmanual")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the PNG figures and CSV tables")],
    measure: Annotated[list[str], typer.Option(help="A face measure, or a left/right pair's stem "
                                                    "(brow_height); repeat for several")] = ["brow_height"],  # noqa: B006
    by: Annotated[list[str], typer.Option(
        help="Group recordings by this manifest column (sentence_type, signer_group, signer); "
             "repeat for several")] = ["sentence_type"],  # noqa: B006
    align: Annotated[str, typer.Option(help="recording: time 0-1 over each recording; signs: "
                                            "each ELAN sign of --tier spans one unit")] = "recording",
    tier: Annotated[str, typer.Option(help="The ELAN tier whose segments are the signs")] = "right-hand",
    center: Annotated[str, typer.Option(help="none, or signer: subtract each signer's mean")] = "none",
) -> None:
    """Mean curves with 95 % confidence bands of face measures per group, over time-normalised
    recordings: a PNG per measure and grouping, and one tidy long CSV beside it."""
    from signkit.data.dataset import load_dataset
    from signkit.reports.curves import compute_curves, write_curves

    ds = load_dataset(dataset)
    if align == "signs":
        from signkit.data.elan import check_tiers

        check_tiers([s for p in ds.samples for s in p.metadata.get("segments", [])], [tier], dataset)
    for m in measure:
        for b in by:
            c = compute_curves(ds.samples, m, b, align=align, tier=tier, center=center)
            written = write_curves(c, m, b, out, align)
            groups = ", ".join(f"{g} {n}" for g, (*_, n) in c.bands.items())
            console.print(f"{m} by {b} ({groups}): {escape(', '.join(map(str, written)))}")


@app.command()
def threshold(
    dataset: Annotated[str, typer.Argument(help="LOADER:PATH with a face and annotation tiers")],
    tier: Annotated[str, typer.Option(help="The annotation tier")] = "brows",
    label: Annotated[str, typer.Option(help="The marker tagged")] = "br_raise",
    measure: Annotated[str, typer.Option(help="The face measure thresholded")] = "brow_height",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write threshold.json here")] = None,
) -> None:
    """The marker-tagging baseline: a signer-standardised face measure above a threshold chosen
    on the training signers, leave-one-signer-out; frame and segment F1 of the marker."""
    import json

    from rich.table import Table

    from signkit.baselines.threshold import threshold_baseline
    from signkit.cli.console import print_table
    from signkit.data.dataset import load_dataset
    from signkit.reports.metrics import format_summary, metric_name

    result = threshold_baseline(load_dataset(dataset), tier, label, measure)
    table = Table(title=escape(f"{measure} > threshold as {label} ({tier}), leave-one-signer-out"))
    keys = list(result["runs"][0])
    for k in keys:
        table.add_column(metric_name(k), justify="right")
    for r in result["runs"]:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r.values()))
    print_table(table)
    console.print("  ".join(f"{k}: {v}" for k, v in format_summary(result["summary"]).items()))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "threshold.json").write_text(json.dumps(result, indent=2))
        console.print(f"wrote {escape(str(out / 'threshold.json'))}")
