"""CTC decoding speed: a 30-second clip at 30 fps (900 frames) decoded greedily and by beam search
(with and without an n-gram gloss LM), on one core, as a multiple of real time.

The clip is real: krsl20 isolated signs of one signer chained (``signkit data chain``'s code) to
900 frames. The model is a trained run of the ``recipes/krsl20_continuous`` CTC recipe (its
posteriors are as peaked as in use, which is what the beam's speed depends on).

    python benchmarks/ctc_decoding.py [--run RUN] --json benchmarks/ctc_decoding.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from signkit.data.chain import chain_signs
from signkit.data.dataset import load_dataset
from signkit.training.decoding import CTCDecoder, GlossLM

ROOT = Path(__file__).resolve().parents[1]
KRSL20 = ROOT.parent / "shared" / "data" / "krsl20" / "krsl20_hands2d_P1-P4.npz"
SECONDS, FPS = 30.0, 30.0


def clip(frames: int, seed: int = 0):
    """Real isolated signs of signer 1 chained until ``frames`` frames, cut there."""
    ds = load_dataset(f"krsl20:{KRSL20}")
    rng = np.random.default_rng(seed)
    mine = np.flatnonzero(ds.signers == "1")
    signs, total = [], 0
    while total < frames:
        signs.append(ds.samples[int(rng.choice(mine))])
        total += len(signs[-1]) + 4
    pose = chain_signs(signs, [4] * (len(signs) - 1), [0] * (len(signs) - 1))
    return pose.frames(slice(0, frames)), [s.metadata["gloss"] for s in signs]


def best_of(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="a trained krsl20_continuous CTC run folder")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(1)

    from signkit.inference import load_model

    run = load_model(args.run)
    pose, glosses = clip(int(SECONDS * FPS))
    prepared = run.prepare([pose])
    forward = best_of(lambda: run.log_probs(prepared), args.runs)
    lp = run.log_probs(prepared)[0]
    lm = GlossLM([line.split() for line in (args.run / "lm_corpus.txt").read_text().splitlines()], 3)
    decoders = {"greedy": CTCDecoder(run.vocabulary, 0), "beam 10": CTCDecoder(run.vocabulary, 10),
                "beam 10 + 3-gram LM": CTCDecoder(run.vocabulary, 10, lm)}
    result = {"clip_seconds": SECONDS, "frames": len(pose), "output_steps": len(lp),
              "model_forward_s": round(forward, 4), "decoders": {}}
    for name, dec in decoders.items():
        seconds = best_of(lambda d=dec: d.decode(lp), args.runs)
        result["decoders"][name] = {
            "decode_s": round(seconds, 4), "x_real_time": round(SECONDS / seconds, 1),
            "with_model_x_real_time": round(SECONDS / (seconds + forward), 1),
            "glosses_out": len(dec.decode(lp))}
    result["glosses_in_clip"] = len(glosses)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
