#!/usr/bin/env bash
# Continue the shipped transformer on train + extra_train + the whole train pool on one GPU, in one device call of
# about 8 minutes (issue 22: the members were refitted on the pool, the transformer never saw it). Four recipes run
# side by side (gpu_candidates.sh SWEEP=3, each kept at its best validation pass), each is scored with its WiSE-FT
# mix on half of ood_dev (scripts/score_transformers.py: model selection only), and the best comes back in
# 15 MiB parts. Three steps; the device tool sends the working tree (at most 64 MiB) and carries ignored paths:
#   here:   bash scripts/gpu_continue.sh pack ../shared/data   # .gpu/ and .whl/ (git-ignored); trims the tree
#   device: bash scripts/gpu_continue.sh run 2>&1 | tee $OUT/log.txt
#           carry: .gpu .whl and the five rebuilt pool files (data/train_pool/{raidar,absgen,bbc,wpcreativity,lvabstracts}.jsonl.xz)
#   here:   bash scripts/gpu_continue.sh unpack FILES_AT runs/gpu6   # the run, and the tree restored
# Then: aidetector interpolate (if a mix won), the shipped members and `aidetector ensemble --keep-members` on the
# result (the members never read the transformer), and steps 4b-7 of build_shipped_model.sh.
set -euo pipefail
# Tracked files the device does not need: left out of the working tree while it travels (restored by unpack).
TRIM=(data/human_stress data/multilingual tests docs infra_pulumi requirements benchmarks .github)
case ${1:-} in
pack)
  DATA=${2:?usage: pack DATA_DIR}
  mkdir -p .gpu .whl
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || printf '/.gpu/\n/.whl/\n' >> .git/info/exclude
  for f in train extra_train; do xz -9e -T2 -c "$DATA/$f.jsonl" > ".gpu/$f.jsonl.xz"; done
  awk 'NR % 2 == 1' "$DATA/ood_dev.jsonl" | xz -9e -T2 > .gpu/ood_dev_half.jsonl.xz  # half: to fit 64 MiB
  # The device's Python (3.12) lacks these: the versions of this checkout's .venv, as wheels.
  mapfile -t pins < <(.venv/bin/python -m pip freeze | grep -iE \
    '^(pydantic|pydantic[-_]core|pydantic[-_]settings|python-dotenv|typing[-_]inspection|annotated[-_]types|platformdirs|typing[-_]extensions)==')
  .venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux2014_x86_64 -d .whl "${pins[@]}"
  git ls-files -z "${TRIM[@]}" | xargs -0 rm -f
  git ls-files -z model/shipped | grep -z -E 'npz|png|eval_|CARD' | xargs -0 rm -f
  echo "travels: $(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1) bytes tracked + $(du -cb .gpu .whl data/train_pool/*.jsonl.xz | tail -1 | cut -f1) carried (limit 67108864)"
  ;;
run)
  export PYTHONUNBUFFERED=1
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
  mkdir -p .gpu/data
  for f in .gpu/*.jsonl.xz; do xz -dc "$f" > ".gpu/data/$(basename "$f" .xz)"; done
  python3 scripts/data/train_pool_files.py --out .gpu/pool
  AID="python3 -m aidetector.cli" BASE=model/shipped MORE_DATA="$(echo .gpu/pool/*.jsonl)" SWEEP=3 \
    MINUTES=${MINUTES:-3.2} THREADS=3 EXTRA="--set split_together=train.jsonl,extra_train.jsonl" \
    bash scripts/gpu_candidates.sh .gpu/data .gpu/runs || echo "some candidate failed"
  python3 scripts/score_transformers.py --data .gpu/data/ood_dev_half.jsonl --base model/shipped \
    --out "$OUT/scores.json" .gpu/runs/k*/
  cp .gpu/runs/summary.json "$OUT/"
  best=$(python3 -c "import json; s = json.load(open('$OUT/scores.json')); s.pop('base');
print(max(s, key=lambda k: s[k]['auroc']).split('@')[0])")
  tar -cf - -C .gpu/runs --exclude='tokenizer*' "$best" | split -b 15M - "$OUT/best.tar."
  ;;
unpack)
  FROM=${2:?usage: unpack FILES_AT DEST}
  DEST=${3:?usage: unpack FILES_AT DEST}
  git checkout -- "${TRIM[@]}" model/shipped
  mkdir -p "$DEST"
  cat "$FROM"/best.tar.* | tar -xf - -C "$DEST"
  cp "$FROM"/scores.json "$FROM"/summary.json "$DEST"/
  for run in "$DEST"/*/; do cp model/shipped/tokenizer*.json "$run"; done
  ;;
*) echo "usage: $0 pack DATA | run | unpack FILES_AT DEST" >&2; exit 2 ;;
esac
