"""End to end on real video: frames per second of ``signkit recognize`` against the bare decode +
Holistic loop of ``extract_throughput.py``, and the delay from a window's last frame to its gloss.

Every video of ../shared/data/videos (the top-level clips and the WLASL ones), video by video
alternating (a) the bare loop (PyAV decode, MediaPipe Holistic called directly, one graph) and
(b) the recogniser pipeline of ``signkit recognize`` (decoding and Holistic in the producer
thread, the model in the consumer: windows of the run's length every quarter window, threshold 0
and no hand gating, so the model runs on every window and every change of gloss is an event).
Between them, (p) the producer alone (signkit's frame reading and Holistic estimator with its
keypoint arrays, no model, no threads), and each recogniser alone on (p)'s keypoints, split the
cost into reading frames the way ``recognize`` does, the recogniser's own work, and the rest.
All are timed from opening the video to the last result, in one process, so machine drift hits
them alike. Target: (b)/(a) >= 0.95.

    python benchmarks/recognize_throughput.py RUN [RUN...] [--json benchmarks/recognize_throughput.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parents[1]
VIDEOS = ROOT.parent / "shared" / "data" / "videos"


def bare(path: Path, holistic) -> tuple[int, float]:
    import av

    frames, start = 0, time.perf_counter()
    with av.open(str(path), metadata_errors="replace") as container:
        for frame in container.decode(video=0):
            holistic.process(frame.to_ndarray(format="rgb24"))
            frames += 1
    return frames, time.perf_counter() - start


def producer_only(path: Path, estimator) -> tuple[list, float, float]:
    """The producer's work alone: its keypoints, seconds, and the video's frame rate."""
    from signkit.live.recognizer import KeypointStream
    from signkit.live.sources import open_source

    start, keypoints = time.perf_counter(), []
    stream, source = KeypointStream(estimator), open_source(path)
    for t, frame in source.frames:
        keypoints += stream.process(frame, t)
    return keypoints, time.perf_counter() - start, source.fps


def recogniser_only(run, keypoints: list, fps: float, layout) -> float:
    """Seconds of the recogniser's own work on those keypoints, in this thread (no producer)."""
    from signkit.live.recognizer import Recognizer

    rec = Recognizer(run, fps=fps, layout=layout, threshold=0.0, min_hands=0.0)
    start = time.perf_counter()
    for data, conf, t in keypoints:
        rec.push(data, conf, t)
    rec.flush()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="run or export folders (Holistic layout)")
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import mediapipe as mp

    from signkit.extract.holistic import _BLANK as BLANK
    from signkit.extract.holistic import HolisticEstimator
    from signkit.inference import load_model
    from signkit.live.pipeline import recognize_source
    from signkit.live.sources import open_source

    try:
        import torch

        torch.set_num_threads(1)  # as `signkit recognize` does beside the estimator
    except ImportError:
        pass
    videos = sorted(args.videos.glob("*.mp4")) + sorted(args.videos.glob("wlasl/*.mp4"))
    holistic = mp.solutions.holistic.Holistic(model_complexity=1)
    estimator = HolisticEstimator()
    runs = {str(r): load_model(r) for r in args.runs}
    totals = {"bare": [0, 0.0], "producer": [0, 0.0], **{r: [0, 0.0] for r in runs}}
    alone = dict.fromkeys(runs, 0.0)  # seconds of each recogniser's own work
    delays: dict[str, list[float]] = {r: [] for r in runs}
    events = dict.fromkeys(runs, 0)
    for n, video in enumerate(videos, 1):
        holistic.process(BLANK)  # every pipeline starts each video with a fresh tracker: not timed
        frames, seconds = bare(video, holistic)
        totals["bare"][0] += frames
        totals["bare"][1] += seconds
        estimator.reset()
        keypoints, seconds, fps = producer_only(video, estimator)
        totals["producer"][0] += len(keypoints)
        totals["producer"][1] += seconds
        for name, run in runs.items():
            alone[name] += recogniser_only(run, keypoints, fps, estimator.layout)
        for name, run in runs.items():
            estimator.reset()  # a fresh tracker per video, as a new `signkit recognize` has: not timed
            start = time.perf_counter()
            result = recognize_source(run, open_source(video), estimator=estimator, threshold=0.0,
                                      min_hands=0.0)
            totals[name][0] += result.frames
            totals[name][1] += time.perf_counter() - start
            delays[name] += result.delays_ms
            events[name] += len(result.events)
        print(f"{n}/{len(videos)} {video.name}: " + ", ".join(
            f"{k} {v[0] / v[1]:.2f} fps" for k, v in totals.items()), flush=True)
    bare_fps = totals["bare"][0] / totals["bare"][1]
    rows = []
    for name in runs:
        fps = totals[name][0] / totals[name][1]
        d = np.array(delays[name]) if delays[name] else np.zeros(1)
        rows.append({"run": name, "frames": totals[name][0], "fps": round(fps, 2),
                     "ratio_to_bare": round(fps / bare_fps, 3), "events": events[name],
                     "recogniser_alone_ms_per_frame": round(1000 * alone[name] / totals[name][0], 3),
                     "delay_ms_p50": round(float(np.percentile(d, 50)), 2),
                     "delay_ms_p95": round(float(np.percentile(d, 95)), 2)})
        print(json.dumps(rows[-1]))
    producer_fps = totals["producer"][0] / totals["producer"][1]
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "videos": len(videos), "bare": {"frames": totals["bare"][0], "fps": round(bare_fps, 2)},
              "producer": {"frames": totals["producer"][0], "fps": round(producer_fps, 2),
                           "ratio_to_bare": round(producer_fps / bare_fps, 3)},
              "runs": rows}
    print(json.dumps({k: result[k] for k in ("bare", "producer")}))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
