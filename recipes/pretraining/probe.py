"""Why DPC's gain at 5 samples per class stays under the +5 target: two measurements.

1. **Linear probe.** Each pretraining run's encoder, frozen, turns every krsl20 sample (the
   fine-tuning recipe's preprocessing, 16 frames) into one embedding (``pooled``); a logistic
   regression (the K-RSL baseline's) is fitted on N samples per class of each training signer and
   tested on the left-out signer. A randomly initialised encoder is the floor: what pretraining adds
   to the representation itself, before any fine-tuning can change it.
2. **The face ceiling.** krsl20's 20 classes are 10 words signed as a statement and as a question,
   which differ by the face, absent here. From the fine-tuned runs of Table 6: how often the word is
   right but its form wrong, and the form accuracy among right words (0.5: the hands cannot tell).

    python recipes/pretraining/probe.py [--shots 3 5 10 all] [--json runs/table6/probe.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from signkit.baselines.classifiers import make_classifier
from signkit.data.dataset import load_dataset
from signkit.models.graph import selection_edges
from signkit.training.arrays import prepare, to_array
from signkit.training.config import load_recipe
from signkit.training.pretrain import load_pretrained_encoder
from signkit.training.pretraining.base import pooled
from signkit.training.run import few_shot, fold_indices
from signkit.training.tasks import get_task

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "pretraining" / "krsl20_finetune.yaml"
ENCODERS = {"random init": None, "DPC": "dpc", "masked": "masked", "contrastive": "contrastive",
            "DPC, corpus without krsl20": "dpc_nokrsl"}


def embeddings(recipe, ds, run: str | None) -> np.ndarray:
    """``(N, F)`` frozen-encoder embeddings of every sample of ``ds``."""
    torch.manual_seed(0)
    full = ds.samples[0].layout
    keep = full.indices(recipe.data.groups)
    module = get_task("classify").module(recipe, len(keep), selection_edges(full, keep).tolist(), ["a", "b"])
    prepared = prepare(ds.samples, recipe.data)
    if run is not None:
        load_pretrained_encoder(module.model.encoder, ROOT / "runs" / "pretrain" / run, recipe,
                                prepared[0].layout)
    encoder = module.model.encoder.eval()
    x = torch.from_numpy(np.stack([to_array(p, recipe.data) for p in prepared]))
    with torch.inference_mode():
        return torch.cat([pooled(encoder, x[i:i + 512]) for i in range(0, len(x), 512)]).numpy()


def probe(recipe, ds, feats: np.ndarray, shots: str) -> tuple[float, float]:
    """Mean over the LOSO folds of 20-class and 10-word top-1 of a logistic regression."""
    glosses = ds.glosses
    words = np.array([g.removesuffix("q") for g in glosses])
    accs = []
    for fold in range(4):
        rec = recipe.model_copy(update={"data": recipe.data.model_copy(update={"fold": fold})})
        part = fold_indices(ds, rec)
        train = part["train"] + part["val"]
        if shots != "all":
            train = few_shot(ds, train, int(shots), recipe.data.split_seed)
        clf = make_classifier("logreg", max_iter=2000).fit(feats[train], glosses[train])
        pred = clf.predict(feats[part["test"]])
        test = np.asarray(part["test"])
        accs.append(((pred == glosses[test]).mean(),
                     (np.array([p.removesuffix("q") for p in pred]) == words[test]).mean()))
    return tuple(100 * np.mean(accs, axis=0))


def face_ceiling(shots: str) -> dict[str, dict[str, float]]:
    """Per pretraining, from Table 6's fine-tuned runs: 20-class and 10-word top-1, the share of
    samples whose word is right and form wrong, and the form accuracy among right words."""
    out = {}
    for init in ("scratch", "dpc", "masked", "contrastive", "dpc_nokrsl"):
        summary = ROOT / "runs" / "table6" / f"{init}-{shots}" / "summary.json"
        if not summary.is_file():
            continue
        runs = json.loads(summary.read_text())["runs"]
        top1 = 100 * np.mean([r["top1"] for r in runs])
        word = 100 * np.mean([r["merged_top1"] for r in runs])
        out[init] = {"top1": round(top1, 2), "word_top1": round(word, 2),
                     "word_right_form_wrong": round(word - top1, 2),
                     "form_accuracy_given_word": round(top1 / word, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--shots", nargs="+", default=["3", "5", "10", "all"])
    parser.add_argument("--json", default=str(ROOT / "runs" / "table6" / "probe.json"))
    args = parser.parse_args()
    recipe = load_recipe(RECIPE)
    ds = load_dataset(recipe.data.dataset)
    result: dict = {"probe": {}, "face_ceiling": {s: face_ceiling(s) for s in args.shots}}
    for name, run in ENCODERS.items():
        if run is not None and not (ROOT / "runs" / "pretrain" / run).is_dir():
            continue
        feats = embeddings(recipe, ds, run)
        result["probe"][name] = {s: [round(v, 2) for v in probe(recipe, ds, feats, s)] for s in args.shots}
        print(name, result["probe"][name], flush=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(json.dumps(result["face_ceiling"], indent=2))


if __name__ == "__main__":
    main()
