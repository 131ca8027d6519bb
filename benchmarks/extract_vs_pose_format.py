"""``signkit extract`` against pose-format's own ``videos_to_poses``, side by side in one run.

Both run MediaPipe Holistic 0.10.21 (model_complexity 1) with 2 workers on the same real WLASL
clips of ../shared/data/videos/wlasl: (a) the 16 shortest clips, where start-up counts, and (b)
all 60. Each command is timed whole (process start, imports, model loading, writing), in
alternating pairs so that machine drift hits both alike; CPU time and peak memory are the
command's with its worker processes (``wait4``). The body, face and hand arrays of every video
are compared between the two outputs.

    python benchmarks/extract_vs_pose_format.py [--pairs 6] [--sets short all] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WLASL = ROOT.parent / "shared" / "data" / "videos" / "wlasl"
BIN = Path(sys.executable).parent


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path), metadata_errors="replace") as container:
        return sum(1 for _ in container.decode(video=0))


def timed(cmd: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds (the command and the workers it waited for), peak RSS (MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode})")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def signkit_run(videos: list[Path], work: Path, workers: int) -> tuple[dict, Path]:
    src, out = work / "signkit_in", work / "signkit_out"
    for d in (src, out):
        shutil.rmtree(d, ignore_errors=True)
    src.mkdir()
    for v in videos:
        (src / v.name).symlink_to(v)
    return timed([str(BIN / "signkit"), "extract", str(src), "-o", str(out), "--workers", str(workers)]), out


def pose_format_run(videos: list[Path], work: Path, workers: int) -> tuple[dict, Path]:
    src = work / "pf"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir()
    for v in videos:
        (src / v.name).symlink_to(v)
    return timed([str(BIN / "videos_to_poses"), "--format", "mediapipe", "-d", str(src),
                  "--num-workers", str(workers)]), src


def same_landmarks(ours: Path, theirs: Path, videos: list[Path]) -> dict[str, float]:
    """Largest difference between the two tools' body, face and hand points over every video
    (pose-format's files also hold the world landmarks; signkit's by default do not)."""
    from signkit.pose.io import read_pose

    worst, frames = 0.0, 0
    for v in videos:
        a, b = read_pose(ours / f"{v.stem}.pose"), read_pose(theirs / f"{v.stem}.pose")
        k = len(a.layout)
        worst = max(worst, float(np.abs(np.nan_to_num(a.masked()) - np.nan_to_num(b.masked()[:, :k])).max()),
                    float(np.abs(a.confidence - b.confidence[:, :k]).max()))
        frames += len(a)
    return {"videos": len(videos), "frames": frames, "max_abs_difference": worst}


def measure(name: str, videos: list[Path], pairs: int, workers: int) -> dict:
    runs: dict[str, list[dict]] = {"signkit": [], "pose_format": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for i in range(pairs):
            order = [("signkit", signkit_run), ("pose_format", pose_format_run)]
            for tool, fn in order if i % 2 == 0 else order[::-1]:
                result, _out = fn(videos, work, workers)
                runs[tool].append(result)
                print(json.dumps({"set": name, "pair": i, "tool": tool, **result}), flush=True)
        check = same_landmarks(work / "signkit_out", work / "pf", videos)
    med = {t: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "peak_mib")}
           for t, rs in runs.items()}
    ratios = [s["wall_s"] / p["wall_s"] for s, p in zip(runs["signkit"], runs["pose_format"], strict=True)]
    return {"set": name, "videos": len(videos), "frames": check["frames"], "pairs": pairs,
            "workers": workers, "median": med,
            "wall_ratio_signkit_over_pose_format":
                round(med["signkit"]["wall_s"] / med["pose_format"]["wall_s"], 3),
            "pair_ratios": [round(r, 3) for r in ratios],
            "cpu_ratio": round(med["signkit"]["cpu_s"] / med["pose_format"]["cpu_s"], 3),
            "landmarks": check}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--videos", type=Path, default=WLASL)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sets", nargs="+", default=["short", "all"], choices=["short", "all", "smoke"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    videos = sorted(args.videos.glob("*.mp4"))
    by_length = sorted(videos, key=lambda v: (frame_count(v), v.name))
    sets = {"short": by_length[:16], "all": videos, "smoke": by_length[:2]}
    rows = [measure(s, sets[s], args.pairs, args.workers) for s in args.sets]
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    result = {"machine": machine, "rows": rows}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
