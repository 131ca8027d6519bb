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
        "Also write an int8 model (of four quantisation kinds, the fastest that agrees with "
        "fp32)"))] = False,
    calibrate: Annotated[str | None, typer.Option(
        help="LOADER:PATH of poses for the checks and int8 calibration (default: the run's "
             "training poses)")] = None,
) -> None:
    """Export a classification, CTC or tagging run (or an ensemble) to ONNX; the folder alone runs
    with onnxruntime, without torch (predict, evaluate and recognize accept it)."""
    from signkit.extras import require

    for module in ("torch", "onnx", "onnxscript", "onnxruntime"):
        require(module, "export" if module != "torch" else "train")
    from signkit.export.onnx import export_run

    with console.status("exporting") as status:
        info = export_run(run_dir, out, int8, calibrate, on_step=status.update)
    table = Table(title=escape(f"{run_dir} -> {out}"))
    for col in ("model", "ONNX vs PyTorch (max |diff|)", "int8", "fp32 ms", "int8 ms",
                "int8 agreement %"):
        table.add_column(col, justify="right")
    for i, item in enumerate(info.get("member_exports", [info])):
        q = item.get("int8", {})
        chosen = q.get("candidates", {}).get(q.get("mode"), {})
        parity = max(v for k, v in item["parity"].items() if k.startswith("max_abs"))
        table.add_row(escape(f"{i}: {item['encoder']}" if "members" in info else item["encoder"]),
                      f"{parity:.1e}", q.get("mode", "-"),
                      f"{q['fp32_ms']:.2f}" if q else "-", f"{chosen['ms']:.2f}" if q else "-",
                      f"{100 * chosen['agreement']:.1f}" if q else "-")
    print_table(table)
    console.print(f"exported: {out}")


def recognize(
    args: Annotated[list[str] | None, typer.Argument(
        help="RUN [VIDEO | URL]: a run, ensemble or export folder, then a video file or stream URL",
        show_default=False)] = None,
    camera: Annotated[int | None, typer.Option(help="Recognise camera N instead of a video")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="Serve the live page (webcam or uploaded "
                                                        "video in the browser)")] = False,
    run_opt: Annotated[list[Path] | None, typer.Option("--run", help=(
        "A run (with --serve: the sign run first). Give it again for a non-manual run read from "
        "the same video: a tagging run's markers (brow raise, head nod) or a sentence-type "
        "classifier, as events of their own tier"))] = None,
    host: Annotated[str, typer.Option(help="--serve: address to listen on (loopback)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="--serve: port")] = 8000,
    window: Annotated[int | None, typer.Option(help="Frames per window (default: the run's data.length; "
                                                    "CTC runs: 4 s)")] = None,
    stride: Annotated[int | None, typer.Option(help="Frames between windows (default: a quarter "
                                                    "window)")] = None,
    threshold: Annotated[float, typer.Option(help="Below this probability a window is 'no sign'")] = 0.5,
    smoothing: Annotated[int, typer.Option(help="Average the probabilities of this many windows")] = 2,
    min_hands: Annotated[float, typer.Option(help="'No sign' when the hands are seen in fewer of a "
                                                  "window's frames than this share")] = 0.25,
    every: Annotated[int, typer.Option(help="Estimate keypoints on every K-th frame only, "
                                            "interpolating between (faster, less exact)")] = 1,
    srt: Annotated[Path | None, typer.Option(help=(
        "Write the glosses as SRT subtitles; a non-manual run's markers go to a track of their "
        "own beside it (OUT.brows.srt)"))] = None,
    eaf: Annotated[Path | None, typer.Option(help="Write the glosses and the markers as an ELAN file, "
                                                  "one tier each")] = None,
    traces: Annotated[Path | None, typer.Option(help=(
        "Write the face traces (brow height, eye aperture, head pitch) and the current markers, "
        "one CSV row per frame"))] = None,
    overlay: Annotated[Path | None, typer.Option(help="Write the video with the skeleton and the "
                                                      "glosses drawn over it (.mp4)")] = None,
    max_connections: Annotated[int, typer.Option(min=1, help="--serve: pages connected at once "
                                                         "(each holds a pose estimator, ~190 MB)")] = 4,
    idle_seconds: Annotated[float, typer.Option(min=1, help="--serve: close a connection that sends "
                                                        "no frame for this long")] = 60.0,
) -> None:
    """Recognise signs live from a video, a camera or a stream: one JSON line per gloss on stdout
    (gloss, start and end in seconds, probability, delay); Ctrl-C stops and keeps the outputs."""
    import json

    from signkit.cli.console import err_console
    from signkit.errors import ConfigError
    from signkit.extras import require

    args = list(args or [])
    run_dirs = list(run_opt or [])
    if args and (not run_dirs or len(args) > 1):  # RUN VIDEO, or RUN VIDEO --run NON_MANUAL_RUN
        run_dirs.insert(0, Path(args.pop(0)))
    if not run_dirs:
        raise ConfigError("give the run: signkit recognize RUN VIDEO, RUN --camera N or --serve --run RUN")
    if len(args) > 1:
        raise ConfigError(f"one video or URL at a time, not {len(args)}")
    from signkit.extract.holistic import NATIVE_NOISE  # quiets MediaPipe's logging before it loads
    from signkit.native import filtered_stderr

    require("mediapipe", "extract")
    options = {"window": window, "stride": stride, "threshold": threshold, "smoothing": smoothing,
               "min_hands": min_hands}
    with filtered_stderr(NATIVE_NOISE):  # MediaPipe's notes would come before the first result
        from signkit.inference import load_model

        run, *extra = [load_model(d) for d in run_dirs]
        for r in (run, *extra):
            if any(hasattr(m, "module") for m in getattr(r, "members", [r])):  # PyTorch, not exported
                _one_torch_thread()
        if serve:
            require("fastapi", "live")
            from signkit.live.server import Limits
            from signkit.live.server import serve as serve_page

            console.print(f"signkit live page: http://{host}:{port}/  (Ctrl-C stops)")
            serve_page(run, host, port, Limits(max_connections, idle_seconds), extra_runs=tuple(extra),
                       **options)
            return
        from signkit.live.pipeline import recognize_source
        from signkit.live.sources import open_source

        source = open_source(args[0] if args else None, camera)
        result = recognize_source(run, source, overlay=overlay, srt=srt, every=every, extra_runs=tuple(extra),
                                  eaf=eaf, traces=traces, **options,
                                  on_event=lambda e: print(json.dumps(e.as_dict()), flush=True))
        glosses = sum(e.tier == "gloss" for e in result.events)
        found = len(result.events) - glosses
        markers = f" and {found} marker{'' if found == 1 else 's'}" if extra else ""
        err_console.print(f"{glosses} glosses{markers} in {result.frames} frames of "
                          f"{escape(source.name)}, {result.fps:.1f} frames/s"
                          + (" (stopped by Ctrl-C)" if result.interrupted else ""))
        for path in (srt, eaf, traces, overlay):
            if path is not None:
                err_console.print(f"wrote {escape(str(path))}")
        if result.interrupted:
            raise typer.Exit(130)


def _one_torch_thread() -> None:
    """A PyTorch model beside the pose estimator: one thread each, no oversubscription."""
    import torch

    torch.set_num_threads(1)
