"""Random windows per second: from the HDF5 corpus store against reading the `.pose` files.

The same random windows (a video drawn in proportion to its frames, 60-120 frames of it, the
hands + mouth + eyebrows) are read (a) through ``signkit.corpus.WindowDataset`` from one corpus
file and (b) by reading the video's `.pose` file with signkit's pose-format reader and slicing
the same frames and keypoints, as a dataset of `.pose` files must. Target: (a) >= 10 x (b).

    python benchmarks/corpus_windows.py POSE_DIR... [--windows 2000] [--json benchmarks/corpus_windows.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("poses", type=Path, nargs="+", help="folders of .pose files (searched recursively)")
    parser.add_argument("--windows", type=int, default=2000)
    parser.add_argument("--groups", default="hands+mouth+eyebrows")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from signkit.corpus import WindowDataset, build_corpus
    from signkit.pose.io import read_pose

    files = sorted(f for folder in args.poses for f in folder.rglob("*.pose"))
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.h5"
        start = time.perf_counter()
        build_corpus(files, corpus)
        build_s = time.perf_counter() - start
        ds = WindowDataset(corpus, args.groups, 60, 120, size=args.windows, seed=0)
        start = time.perf_counter()
        frames_h5 = sum(len(ds[i]) for i in range(len(ds)))
        h5_s = time.perf_counter() - start
        start = time.perf_counter()
        frames_pose = 0
        for i in range(len(ds)):
            video, a, b = ds.window(i)
            pose = read_pose(video.source)
            window = pose.frames(slice(a, b)).take(pose.layout.indices(args.groups))
            frames_pose += len(window)
        pose_s = time.perf_counter() - start
        size = corpus.stat().st_size
    assert frames_h5 == frames_pose
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "pose_files": len(files), "videos": len(ds.videos), "groups": args.groups,
              "windows": args.windows, "frames_read": frames_h5,
              "corpus_build_s": round(build_s, 2), "corpus_mib": round(size / 2**20, 1),
              "pose_files_mib": round(sum(f.stat().st_size for f in files) / 2**20, 1),
              "hdf5_windows_per_s": round(args.windows / h5_s, 1),
              "pose_windows_per_s": round(args.windows / pose_s, 1),
              "speedup": round(pose_s / h5_s, 2)}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
