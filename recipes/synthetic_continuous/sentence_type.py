"""Sentence type (question or statement) and WER of CTC runs on the synthetic sentences, on each
run's own test part. A hypothesis is a question when it has a question form (a gloss ending in
``q``), as the references mark it on their last gloss.

    python recipes/synthetic_continuous/sentence_type.py RUN [RUN ...] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from signkit.data.dataset import load_dataset
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.errors import SignkitError
from signkit.reports.wer import wer_report
from signkit.training.predict import load_model
from signkit.training.tasks.ctc import decode, decoder_for, tokens


def is_question(glosses: list[str]) -> bool:
    return any(g.endswith("q") for g in glosses)


def score(run_dir: Path) -> dict:
    run = load_model(run_dir)
    ds = load_dataset(run.recipe.data.dataset)
    test = split_from_file(run_dir / SPLIT_FILE)[0]["test"]
    refs = [tokens(ds.glosses[i]) for i in test]
    hyps = [[s.gloss for s in h] for h in decode(run, run.prepare([ds.samples[i] for i in test]),
                                                  decoder_for(run))]
    manual = wer_report(refs, hyps, merge=lambda g: g.removesuffix("q"))
    return {"run": str(run_dir), "groups": run.recipe.data.groups, "n_test": len(test),
            "sentence_type_accuracy": float(np.mean([is_question(r) == is_question(h)
                                                     for r, h in zip(refs, hyps, strict=True)])),
            "wer": manual["wer"], "manual_wer": manual["merged_wer"], "ser": manual["ser"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", type=Path, nargs="+")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    try:
        rows = [score(r) for r in args.runs]
    except SignkitError as exc:
        sys.exit(f"error: {exc}")
    print("| groups | sentence type | WER | WER, question forms merged | SER |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['groups']} | {100 * r['sentence_type_accuracy']:.1f} % | {100 * r['wer']:.1f} % | "
              f"{100 * r['manual_wer']:.1f} % | {100 * r['ser']:.1f} % |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
