"""The segmentation + isolated-recognition peer of the CTC recipe, on the same test sequences.

For each leave-one-signer-out fold of a CTC crossval folder, the isolated classifier trained
without the same signer (the fold of an isolated krsl20 crossval folder with the same test signer)
slides over the fold's chained sequences (``signkit.training.sliding``). Window, stride and
confidence threshold are chosen on the fold's validation sequences (training signers only), then
the test signer's sequences are scored; the CTC run is scored on the same sequences. The same
classifier on the true sign spans (``spans`` of ``signkit data chain``) gives the ceiling of any
segmentation approach with it.

    python recipes/krsl20_continuous/sliding_window.py runs/krsl20_chained runs/krsl20c-ctc \\
        runs/krsl20-transformer -o runs/krsl20c-sliding.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from signkit.baselines.experiment import _merge_fn
from signkit.data.dataset import load_dataset
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.errors import SignkitError
from signkit.reports.wer import wer_report
from signkit.training.predict import load_model
from signkit.training.sliding import collapse, window_probabilities
from signkit.training.tasks.ctc import decode, decoder_for, tokens

WINDOWS, STRIDES, THRESHOLDS = (8, 11, 14, 18), (2, 4), (0.0, 0.3, 0.5, 0.7, 0.9)


def _fold_dirs(crossval: Path) -> list[Path]:
    """The finished folds (those with metrics.json) of a crossval folder."""
    dirs = sorted((d for d in crossval.glob("repeat0_fold*") if (d / "metrics.json").is_file()),
                  key=lambda p: int(p.name.rsplit("fold", 1)[1]))
    if not dirs:
        raise SignkitError(f"{crossval}: no finished repeat0_fold* run folders (a signkit crossval folder?)")
    return dirs


def _test_signers(run: Path) -> list[str]:
    return json.loads((run / "metrics.json").read_text())["test_signers"]


def _hyps(run, poses, window: int, stride: int) -> list[tuple[list[int], np.ndarray]]:
    return [window_probabilities(run, p, window, stride) for p in poses]


def fold(ds, ctc_dir: Path, isolated_dir: Path, merge) -> dict:
    split = split_from_file(ctc_dir / SPLIT_FILE)[0]
    iso = load_model(isolated_dir)
    refs = {part: [tokens(ds.glosses[i]) for i in split[part]] for part in ("val", "test")}
    poses = {part: [ds.samples[i] for i in split[part]] for part in ("val", "test")}
    best = None
    for window, stride in itertools.product(WINDOWS, STRIDES):
        probs = _hyps(iso, poses["val"], window, stride)
        for threshold in THRESHOLDS:
            hyps = [[s.gloss for s in collapse(a, p, iso.vocabulary, window, threshold)] for a, p in probs]
            wer = wer_report(refs["val"], hyps)["wer"]
            if best is None or wer < best[0]:
                best = (wer, window, stride, threshold)
    _, window, stride, threshold = best
    probs = _hyps(iso, poses["test"], window, stride)
    sliding = wer_report(refs["test"], [[s.gloss for s in collapse(a, p, iso.vocabulary, window, threshold)]
                                        for a, p in probs], merge)
    # The ceiling of any segmentation approach with this classifier: the true sign spans given.
    spans = [[tuple(map(int, x.split("-"))) for x in p.metadata["spans"].split()] for p in poses["test"]]
    pieces = [p.frames(slice(a, b)) for p, sp in zip(poses["test"], spans, strict=True) for a, b in sp]
    best_of = iso.predict_proba(iso.prepare(pieces)).argmax(1)
    oracle, k = [], 0
    for sp in spans:
        oracle.append([iso.vocabulary[i] for i in best_of[k:k + len(sp)]])
        k += len(sp)
    oracle_report = wer_report(refs["test"], oracle, merge)
    ctc = load_model(ctc_dir)
    hyps = decode(ctc, ctc.prepare(poses["test"]), decoder_for(ctc))
    ctc_report = wer_report(refs["test"], [[s.gloss for s in h] for h in hyps], merge)
    return {"test_signers": _test_signers(ctc_dir), "n_test": len(refs["test"]),
            "sliding": {"window": window, "stride": stride, "threshold": threshold, "val_wer": best[0],
                        **sliding},
            "ctc": ctc_report, "oracle_segments": oracle_report, "ratio": ctc_report["wer"] / sliding["wer"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("chained", type=Path, help="the signkit data chain folder the CTC runs used")
    ap.add_argument("ctc", type=Path, help="signkit crossval folder of recipes/krsl20_continuous/ctc.yaml")
    ap.add_argument("isolated", type=Path, help="signkit crossval folder of an isolated krsl20 recipe")
    ap.add_argument("-o", "--out", type=Path, required=True, help="results JSON")
    args = ap.parse_args()
    try:
        ds = load_dataset(f"pose_dir:{args.chained}")
        isolated = {tuple(_test_signers(d)): d for d in _fold_dirs(args.isolated)}
        merge = _merge_fn("s/q$//")
        folds = []
        for ctc_dir in _fold_dirs(args.ctc):
            key = tuple(_test_signers(ctc_dir))
            if key not in isolated:
                print(f"signer {', '.join(key)}: {args.isolated} has no finished fold for it; skipped")
                continue
            folds.append(fold(ds, ctc_dir, isolated[key], merge))
            f = folds[-1]
            print(f"signer {', '.join(key)}: CTC WER {f['ctc']['wer']:.3f}, "
                  f"sliding {f['sliding']['wer']:.3f}, true spans {f['oracle_segments']['wer']:.3f} "
                  f"(window {f['sliding']['window']}, stride {f['sliding']['stride']}, threshold "
                  f"{f['sliding']['threshold']}), ratio {f['ratio']:.2f}", flush=True)
    except SignkitError as exc:
        sys.exit(f"error: {exc}")
    summary = {f"{model}_{k}": {"mean": float(np.mean([f[model][k] for f in folds])),
                                "std": float(np.std([f[model][k] for f in folds]))}
               for model in ("ctc", "sliding", "oracle_segments")
               for k in ("wer", "merged_wer", "sub", "del", "ins", "ser")}
    summary["ratio"] = {"mean": float(np.mean([f["ratio"] for f in folds])),
                        "std": float(np.std([f["ratio"] for f in folds]))}
    args.out.write_text(json.dumps({"folds": folds, "summary": summary}, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
