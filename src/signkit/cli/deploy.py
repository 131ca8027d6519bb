"""``signkit export`` and ``signkit recognize``: trained models out of PyTorch and onto live video."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from signkit.cli.console import console, print_table


def export(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by signkit train or ensemble")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Export folder (replaced if it is one)")],
    int8: Annotated[bool, typer.Option("--int8", help=(
        "Also write an int8 model (dynamic or static quantisation, whichever measures faster and "
        "agrees with fp32)"))] = False,
    calibrate: Annotated[str | None, typer.Option(
        help="LOADER:PATH of poses for the checks and int8 calibration (default: the run's "
             "training poses)")] = None,
) -> None:
    """Export a classification run or ensemble to ONNX; the folder alone runs with onnxruntime,
    without torch (predict, evaluate and recognize accept it)."""
    from signkit.extras import require

    for module in ("torch", "onnx", "onnxscript", "onnxruntime"):
        require(module, "export" if module != "torch" else "train")
    from signkit.export.onnx import export_run

    with console.status("exporting") as status:
        info = export_run(run_dir, out, int8, calibrate, on_step=status.update)
    table = Table(title=escape(f"{run_dir} -> {out}"))
    for col in ("model", "ONNX vs PyTorch (max |logit diff|)", "int8", "fp32 ms", "int8 ms",
                "int8 agreement %"):
        table.add_column(col, justify="right")
    for i, item in enumerate(info.get("member_exports", [info])):
        q = item.get("int8", {})
        chosen = q.get("candidates", {}).get(q.get("mode"), {})
        table.add_row(escape(f"{i}: {item['encoder']}" if "members" in info else item["encoder"]),
                      f"{item['parity']['max_abs_logit_diff']:.1e}", q.get("mode", "-"),
                      f"{q['fp32_ms']:.2f}" if q else "-", f"{chosen['ms']:.2f}" if q else "-",
                      f"{100 * chosen['agreement']:.1f}" if q else "-")
    print_table(table)
    console.print(f"exported: {out}")
