#!/usr/bin/env bash
# The runs that benchmarks/export_accuracy.py exports and measures: every encoder on krsl20's
# leave-one-signer-out fold 0 (test signer 1; the recipes at 20 epochs) and on jeet10 (its
# random split, hands + mouth + eyebrows, 40 epochs). About 40 minutes on one core.
#   bash benchmarks/train_export_runs.sh [OUT=runs/export] [SMOKE]
# SMOKE (any second argument): one epoch of the BiLSTM only, to check the script runs.
set -euo pipefail
OUT=${1:-runs/export}
SIGNKIT=${SIGNKIT:-signkit}
encoders="bilstm transformer stgcn slgcn"; krsl_epochs=20; jeet_epochs=40
if [ -n "${2:-}" ]; then encoders=bilstm; krsl_epochs=1; jeet_epochs=1; fi
cd "$(dirname "$0")/.."
for enc in $encoders; do
  [ -f "$OUT/krsl20-$enc/metrics.json" ] || $SIGNKIT train "recipes/krsl20/$enc.yaml" -o "$OUT/krsl20-$enc" \
      --set data.fold=0 --set trainer.max_epochs=$krsl_epochs --set trainer.patience=8
  [ -f "$OUT/jeet10-$enc/metrics.json" ] || $SIGNKIT train recipes/mp_holistic/transformer.yaml -o "$OUT/jeet10-$enc" \
      --set model.encoder="$enc" --set model.decoder=null --set optim.lr=null --set optim.batch_size=null \
      --set data.groups=hands+mouth+eyebrows --set trainer.max_epochs=$jeet_epochs --set trainer.patience=15
done
