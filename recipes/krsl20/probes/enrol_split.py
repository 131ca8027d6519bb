"""Leave-one-signer-out with a few recordings of the test signer in training (signer enrolment).

Asks how much of the gap on unseen signers is the way each signer makes a sign: if a handful of
the new signer's own recordings per sign lifts the same recipe far above the unseen-signer
figure, the models can learn that signer's variants and only need to see them. Each fold is the
``loso`` fold (same training signers, same validation part) with ``--shots`` recordings per
class of the test signer moved into training; copies of those recordings (exact or near
duplicates) leave the test part, so nothing tested was seen. The split file runs as any other:

    P=recipes/krsl20/probes/enrol_split.py N=../shared/data/krsl20/krsl20_hands2d_P1-P4.npz
    python $P $N --shots 5 -o runs/enrol5of5.json
    python $P $N --shots 0 --held 5 -o runs/enrol0of5.json   # reference: same test, none trained on
    signkit crossval recipes/krsl20/transformer.yaml -o runs/krsl20-transformer-enrol5of5 \
      --set data.split=runs/enrol5of5.json
    signkit baseline krsl20:$N --split runs/enrol5of5.json --merge 's/q$//' -o runs/lr-enrol5of5
"""

from __future__ import annotations

import argparse

import numpy as np

from signkit.data.dataset import load_dataset
from signkit.data.duplicates import near_duplicate_groups
from signkit.data.splits import Fold, leave_one_signer_out, save_splits
from signkit.errors import SignkitError


def enrol(fold: Fold, glosses: np.ndarray, group_of: dict[int, list[int]], shots: int, held: int,
          rng: np.random.Generator) -> Fold:
    """``held`` distinct recordings per class leave ``fold``'s test part (with their copies) and
    the first ``shots`` of them join its training part; ``shots=0`` is the unseen-signer
    reference on the same test part."""
    test = np.array(fold["test"])
    held_out, enrolled = set(), []
    for gloss in np.unique(glosses[test]):
        pool, seen = [], set()
        for i in rng.permutation(test[glosses[test] == gloss]):
            if int(i) not in seen:  # one recording, however many copies of it there are
                pool.append(int(i))
                seen.update(group_of.get(int(i), [int(i)]))
        held_out.update(j for i in pool[:held] for j in group_of.get(i, [i]))
        enrolled += pool[:shots]
    return {"train": sorted(fold["train"] + enrolled), "val": fold["val"],
            "test": [i for i in fold["test"] if i not in held_out]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("npz", help="the K-RSL hand-keypoint file")
    ap.add_argument("--shots", type=int, default=5, help="recordings per class of the test signer")
    ap.add_argument("--seed", type=int, default=0, help="which recordings (the LOSO folds stay)")
    ap.add_argument("--held", type=int, default=None,
                    help="recordings per class taken out of the test part (default --shots); "
                         "runs with the same --held and --seed share their test parts")
    ap.add_argument("-o", "--out", required=True, help="split .json to write")
    args = ap.parse_args()
    held = args.shots if args.held is None else args.held
    if not 0 <= args.shots <= held:
        ap.error("--shots must be from 0 to --held")
    try:
        ds = load_dataset(f"krsl20:{args.npz}")
    except SignkitError as exc:
        ap.exit(1, f"error: {exc}\n")
    group_of = {i: g for g in near_duplicate_groups(ds.samples) for i in g}
    rng = np.random.default_rng(args.seed)
    folds = [enrol(f, ds.glosses, group_of, args.shots, held, rng)
             for f in leave_one_signer_out(ds, np.arange(len(ds)))]
    save_splits(folds, args.out, dataset=ds.name, split=f"loso+enrol{args.shots}of{held}",
                shots=args.shots, held=held)
    for f in folds:
        print(f"test signer {ds.signers[f['test'][0]]}: {len(f['train'])} train, {len(f['val'])} val, "
              f"{len(f['test'])} test")


if __name__ == "__main__":
    main()
