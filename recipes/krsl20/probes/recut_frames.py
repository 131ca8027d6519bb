"""Cut the K-RSL frames again from their hand blocks, reading a repeated hand as a new frame.

The source text had no frame delimiter, so its frames were rebuilt from 42-value hand blocks in
pairs. This probe drops the pairing: each detected block joins the hand track whose last block
is nearer (mean point distance; a second track opens when a block is more than ``--threshold``
hand lengths from the first), and a block whose track is already in the current frame starts
the next frame. It writes a copy of the corpus to train on:

    python recipes/krsl20/probes/recut_frames.py ../shared/data/krsl20/krsl20_hands2d_P1-P4.npz runs/recut.npz
    signkit train recipes/krsl20/transformer.yaml -o runs/recut-f2 --set data.fold=2 \
      --set trainer.max_epochs=20 --set trainer.patience=8 --set data.dataset=krsl20:runs/recut.npz
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

HAND = (21, 2)


def recut(frames: np.ndarray, threshold: float) -> np.ndarray:
    """``(T, 2, 21, 2)`` -> ``(T', 2, 21, 2)``, one sample; all-zero blocks are undetected hands."""
    blocks = [h for f in frames for h in f if np.any(h)]
    if not blocks:
        return frames
    hand_length = np.median([np.linalg.norm(b[0] - b[9]) for b in blocks])  # wrist to middle knuckle
    last: list[np.ndarray | None] = [None, None]
    current: list[np.ndarray | None] = [None, None]
    out = []
    for b in blocks:
        dist = [np.inf if t is None else np.linalg.norm(b - t, axis=-1).mean() for t in last]
        if last[0] is None:
            track = 0
        elif last[1] is None:
            track = int(dist[0] > threshold * hand_length)
        else:
            track = int(np.argmin(dist))
        if current[track] is not None:
            out.append(current)
            current = [None, None]
        current[track] = last[track] = b
    out.append(current)
    zeros = np.zeros(HAND, np.float32)
    return np.stack([[zeros if h is None else h for h in f] for f in out]).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--threshold", type=float, default=0.75, help="in hand lengths")
    args = ap.parse_args()
    z = dict(np.load(args.source, allow_pickle=True))
    off = z["frame_offsets"]
    samples = [recut(z["frames"][a:b], args.threshold) for a, b in itertools.pairwise(off)]
    z["frames"] = np.concatenate(samples)
    z["frame_offsets"] = np.concatenate([[0], np.cumsum([len(s) for s in samples])]).astype(np.int64)
    np.savez(args.target, **z)
    print(f"{args.target}: {off[-1]} frames cut again into {z['frame_offsets'][-1]}")


if __name__ == "__main__":
    main()
