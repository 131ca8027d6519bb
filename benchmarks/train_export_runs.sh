#!/usr/bin/env bash
# The runs that benchmarks/export_accuracy.py exports and measures: every encoder on krsl20's
# leave-one-signer-out fold 0 (test signer 1; the recipes at 20 epochs) and on jeet10 (its
# random split, hands + mouth + eyebrows, 40 epochs). About 40 minutes on one core.
#   bash benchmarks/train_export_runs.sh [OUT=runs/export]
set -euo pipefail
OUT=${1:-runs/export}
for enc in bilstm transformer stgcn slgcn; do
  [ -f "$OUT/krsl20-$enc/metrics.json" ] || signkit train "recipes/krsl20/$enc.yaml" -o "$OUT/krsl20-$enc" \
      --set data.fold=0 --set trainer.max_epochs=20 --set trainer.patience=8
  [ -f "$OUT/jeet10-$enc/metrics.json" ] || signkit train recipes/mp_holistic/transformer.yaml -o "$OUT/jeet10-$enc" \
      --set model.encoder="$enc" --set model.decoder=null --set optim.lr=null --set optim.batch_size=null \
      --set data.groups=hands+mouth+eyebrows --set trainer.max_epochs=40 --set trainer.patience=15
done
