"""The README's Table 6 from runs/table6/<init>-<shots>/summary.json: mean ± std over the folds of
the first repeat (a cell run with --repeats 3 keeps its first draw here; the README compares the
three draws pair by pair)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "runs" / "table6"
INITS = {"scratch": "from scratch", "dpc": "DPC", "masked": "masked", "contrastive": "contrastive",
         "dpc_nokrsl": "DPC, corpus without krsl20 (crosslingual)",
         "dpc_frozen": "DPC, encoder frozen (decoder only, lr 1e-3)"}


def cell(init: str, shots: str, metric: str) -> str:
    path = ROOT / f"{init}-{shots}" / "summary.json"
    if not path.is_file():
        return ""
    result = json.loads(path.read_text())
    first = [100 * r[metric] for r in result["runs"][: result["folds"]]]
    return f"{np.mean(first):.2f} ± {np.std(first):.2f}"  # population std, as summarise


def main() -> None:
    shots = [s for s in ("3", "5", "10", "all") if any(ROOT.glob(f"*-{s}"))]
    for metric, title in (("top1", "20-class top-1"), ("merged_top1", "10-word top-1")):
        print(f"\n{title} (%), leave-one-signer-out, mean ± std over the 4 test signers\n")
        heads = [f"{s} per class" if s != "all" else "all" for s in shots]
        print("| pretraining | " + " | ".join(heads) + " |")
        print("|---|" + "---|" * len(shots))
        for init, name in INITS.items():
            print(f"| {name} | " + " | ".join(cell(init, s, metric) for s in shots) + " |")


if __name__ == "__main__":
    main()
