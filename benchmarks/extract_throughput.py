"""Frames per second of pose extraction over the WLASL clips of ../shared/data/videos/wlasl.

(a) a bare loop: decode with PyAV, call MediaPipe Holistic directly (one graph, reused);
(b) ``signkit extract`` with 1 worker; (c) with 2 workers. Both (b) and (c) are timed as whole
commands (process start, model loading and writing the .pose files included).

    python benchmarks/extract_throughput.py [--videos DIR] [--workers 1 2] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VIDEOS = ROOT.parent / "shared" / "data" / "videos" / "wlasl"


def bare_loop(videos: list[Path]) -> tuple[int, float]:
    import av
    import mediapipe as mp

    holistic = mp.solutions.holistic.Holistic(model_complexity=1)
    frames, start = 0, time.perf_counter()
    for path in videos:
        with av.open(str(path), metadata_errors="replace") as container:
            for frame in container.decode(video=0):
                holistic.process(frame.to_ndarray(format="rgb24"))
                frames += 1
    return frames, time.perf_counter() - start


def signkit_extract(folder: Path, workers: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "signkit.cli.app", "extract", str(folder), "-o", out,
                        "--workers", str(workers)], check=True, capture_output=True)
        seconds = time.perf_counter() - start
        import csv

        with open(Path(out) / "extraction_report.csv") as f:
            rows = list(csv.DictReader(f))
    assert all(r["status"] == "done" for r in rows), [r for r in rows if r["status"] != "done"]
    return sum(int(r["frames"]) for r in rows), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--videos", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    videos = sorted(args.videos.glob("*.mp4"))
    if not videos:
        sys.exit(f"no .mp4 files in {args.videos}")
    results = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
               "videos": len(videos)}
    frames, seconds = bare_loop(videos)
    results["bare"] = {"frames": frames, "seconds": round(seconds, 1), "fps": round(frames / seconds, 2)}
    print(f"(a) bare loop: {frames} frames in {seconds:.1f} s = {frames / seconds:.2f} fps", flush=True)
    for w in args.workers:
        frames, seconds = signkit_extract(args.videos, w)
        results[f"workers_{w}"] = {"frames": frames, "seconds": round(seconds, 1),
                                   "fps": round(frames / seconds, 2)}
        print(f"signkit extract --workers {w}: {frames} frames in {seconds:.1f} s = "
              f"{frames / seconds:.2f} fps", flush=True)
    if "workers_1" in results:
        results["b_over_a"] = round(results["workers_1"]["fps"] / results["bare"]["fps"], 3)
        print(f"(b)/(a) = {results['b_over_a']}")
    if "workers_1" in results and "workers_2" in results:
        results["c_over_b"] = round(results["workers_2"]["fps"] / results["workers_1"]["fps"], 3)
        print(f"(c)/(b) = {results['c_over_b']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
