#!/usr/bin/env bash
# OpenHands' Table 6 on krsl20: leave-one-signer-out fine-tuning with 3, 5, 10 samples per class of
# each training signer (and all of them), from scratch and from each pretraining run.
# Pretraining runs first (runs/pretrain/<name>), see README.md. Two lanes, one core each.
#   bash recipes/pretraining/table6.sh [SHOTS...]      (default: 3 5 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
R=recipes/pretraining/krsl20_finetune.yaml
SHOTS=${*:-3 5 10}
INITS=${INITS:-scratch dpc masked contrastive dpc_nokrsl}
lane() {
  local core=$1; shift
  for job in "$@"; do
    local init=${job%/*} n=${job#*/} sets=()
    [ "$n" != all ] && sets+=(--set "data.train_per_class=$n")
    [ "$init" != scratch ] && sets+=(--set "model.init_from=runs/pretrain/$init")
    taskset -c "$core" signkit crossval "$R" -o "runs/table6/$init-$n" "${sets[@]}" > /dev/null
    echo "done: $init $n"
  done
}
jobs=()
for n in $SHOTS; do for init in $INITS; do jobs+=("$init/$n"); done; done
even=() odd=()
for i in "${!jobs[@]}"; do if (( i % 2 )); then odd+=("${jobs[$i]}"); else even+=("${jobs[$i]}"); fi; done
lane 0 "${even[@]}" & lane 1 "${odd[@]}" & wait
python recipes/pretraining/table6.py
