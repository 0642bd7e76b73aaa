#!/usr/bin/env bash
# Trains four candidate recipes side by side on one GPU and keeps the one with the best validation AUROC (the
# held-out groups of the training files; test.jsonl and ood_dev.jsonl are not read here). Each run starts from the
# base model and is capped at MINUTES of training (3.5 min in all for SWEEP=1 on one H200, 3 min for SWEEP=2).
#   usage: bash scripts/gpu_candidates.sh DATA_DIR OUT_DIR      (OUT_DIR/best = the chosen run, summary.json = all)
# Knobs: AID (how to call the CLI), BASE (base checkpoint), MINUTES, THREADS (CPU threads per run), EXTRA (more
# arguments for every run, e.g. "--max-steps 2" for a dry run on a CPU), SWEEP (1 or 2: which four recipes),
# SEEDS + SEED_RECIPE (one recipe, several seeds, instead), SOUP=1 (also average the runs into OUT/soup),
# SOUP_WITH (more soup members, e.g. the model the runs started from: BASE=DIR SOUP_WITH=DIR), MORE_DATA (more
# training files, each split on its own, e.g. the train pool; continued runs also need EXTRA="--set
# split_together=train.jsonl,extra_train.jsonl" so the base's held-out groups stay held out), SWEEP=3 (four
# continuations of BASE at lower rates, for BASE=a trained model).
set -euo pipefail
DATA=$1
OUT=$2
AID=${AID:-aidetector}
BASE=${BASE:-packaged:minilm-l6}
MINUTES=${MINUTES:-5}
THREADS=${THREADS:-4}
EXTRA=${EXTRA:-}
MORE=()
for f in ${MORE_DATA:-}; do MORE+=(--data "$f"); done
mkdir -p "$OUT"

# Common to all: 256-token windows throughout (the CPU recipe began at 128), batch 64, fastdetect_main weighted
# twice and argugpt half (as in the CPU recipe's last stage), a validation pass every 100 steps, the best kept.
declare -A RECIPES
if [ -n "${SEEDS:-}" ]; then  # one recipe (SEED_RECIPE) with several seeds: members for a soup (SOUP=1)
  for seed in $SEEDS; do RECIPES[seed$seed]="${SEED_RECIPE:---epochs 4 --learning-rate 1e-4} --seed $seed"; done
elif [ "${SWEEP:-2}" = 3 ]; then  # continue a trained model (BASE) on more data: low rates, short warm-up
  RECIPES=(
    [k1_lr2e-5]="--epochs 1 --learning-rate 2e-5 --set warmup_fraction=0.02"
    [k15_lr4e-5]="--epochs 1.5 --learning-rate 4e-5 --set warmup_fraction=0.02"
    [k2_lr4e-5_ema998]="--epochs 2 --learning-rate 4e-5 --set warmup_fraction=0.02 --set ema_decay=0.998"
    [k2_lr8e-5_ema999]="--epochs 2 --learning-rate 8e-5 --set warmup_fraction=0.04 --set ema_decay=0.999"
  )
elif [ "${SWEEP:-2}" = 1 ]; then  # the first sweep: no weight averaging
  RECIPES=(
    [e5_lr5e-5]="--epochs 5 --learning-rate 5e-5"
    [e8_lr5e-5]="--epochs 8 --learning-rate 5e-5"
    [e5_lr1e-4]="--epochs 5 --learning-rate 1e-4"
    [e5_lr5e-5_len512]="--epochs 5 --learning-rate 5e-5 --max-length 512"
  )
else  # the second: the first swung by +-0.02 between validation passes, so these average the weights (EMA)
  RECIPES=(
    [e3_lr5e-5_ema998]="--epochs 3 --learning-rate 5e-5 --set ema_decay=0.998"
    [e5_lr5e-5_ema998]="--epochs 5 --learning-rate 5e-5 --set ema_decay=0.998"
    [e5_lr1e-4_ema999]="--epochs 5 --learning-rate 1e-4 --set ema_decay=0.999"
    [e8_lr5e-5_ema999]="--epochs 8 --learning-rate 5e-5 --set ema_decay=0.999"
  )
fi

for name in "${!RECIPES[@]}"; do
  rm -rf "${OUT:?}/$name"
  # shellcheck disable=SC2086  # AID, the recipe and EXTRA are argument lists
  $AID train --data "$DATA/train.jsonl" --data "$DATA/extra_train.jsonl" "${MORE[@]}" --output "$OUT/$name" \
    --base-model "$BASE" --batch-size 64 --max-length 256 ${RECIPES[$name]} $EXTRA \
    --set source_weights=argugpt=0.5,fastdetect_main=2.0 --set eval_every=100 --set patience=100 \
    --set max_minutes="$MINUTES" --set num_threads="$THREADS" --set device=auto \
    > "$OUT/$name.log" 2>&1 &
done
failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done

python3 - "$OUT" <<'EOF'
import json, pathlib, shutil, sys
out = pathlib.Path(sys.argv[1])
runs = {}
for manifest in sorted(out.glob("*/manifest.json")):
    if manifest.parent.name in ("best", "soup"):
        continue
    m, metrics = json.loads(manifest.read_text()), json.loads((manifest.parent / "metrics.json").read_text())
    runs[manifest.parent.name] = {
        "valid_auroc": metrics["valid"]["auroc"], "steps": m["steps"], "stopped_early": m["stopped_early"],
        "train_seconds": m["train_seconds"], "history": [(h["step"], round(h["valid_auroc"], 4)) for h in metrics["history"]],
    }
best = max(runs, key=lambda name: runs[name]["valid_auroc"])
shutil.rmtree(out / "best", ignore_errors=True)
shutil.copytree(out / best, out / "best")
(out / "summary.json").write_text(json.dumps({"chosen": best, "rule": "highest validation AUROC", "runs": runs}, indent=1))
print(json.dumps({name: (r["valid_auroc"], r["steps"], r["train_seconds"]) for name, r in runs.items()}), "->", best)
EOF
if [ -n "${SOUP:-}" ]; then  # the greedy soup of all runs (model/soup.py), in OUT/soup
  members=()
  for manifest in "$OUT"/*/manifest.json; do
    case $manifest in */best/*|*/soup/*) continue ;; esac
    members+=(--model "$(dirname "$manifest")")
  done
  for extra in ${SOUP_WITH:-}; do members+=(--model "$extra"); done
  # shellcheck disable=SC2086
  $AID soup "${members[@]}" --data "$DATA/train.jsonl" --data "$DATA/extra_train.jsonl" "${MORE[@]}" \
    --output "$OUT/soup" \
    > "$OUT/soup.json" || failed=1
fi
exit $failed
