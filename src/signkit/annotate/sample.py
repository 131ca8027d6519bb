"""A sample "lesson" made by signkit itself (the synthetic signers rendered as a video, with
subtitles), so that the tool can be tried, tested and load-tested without anyone's recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from signkit.pose import Pose


def write_sample_lesson(path: Path, seconds: float = 12.0, fps: float = 12.0, size: int = 192,
                        seed: int = 0) -> Path:
    """``path`` (mp4) of synthetic signs one after another, and ``path.with_suffix('.srt')`` with a
    cue per sign naming it. Returns the video path."""
    from signkit.data.synthetic import generate
    from signkit.visualize.render import render_frames, write_mp4

    signs = generate(1, 2, seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(signs))
    frames, cues, t = [], [], 0.0
    while t < seconds:
        for i in order:
            pose: Pose = signs[i]
            n = len(pose)
            frames.append(pose)
            cues.append((t, t + n / pose.fps, pose.metadata["gloss"]))
            t += n / pose.fps
            if t >= seconds:
                break
    total = round(seconds * fps)
    joined = Pose(np.concatenate([p.data for p in frames])[:total],
                  np.concatenate([p.confidence for p in frames])[:total], fps, frames[0].layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_mp4(render_frames(joined, size), path, fps)
    scale = frames[0].fps / fps  # cue times follow the frames as played at ``fps``
    srt = "\n".join(f"{k + 1}\n{_stamp(a * scale)} --> {_stamp(min(b * scale, seconds))}\n"
                    f"the teacher signs {gloss}\n"
                    for k, (a, b, gloss) in enumerate(cues) if a * scale < seconds)
    path.with_suffix(".srt").write_text(srt, encoding="utf-8")
    return path


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
