#!/bin/bash
# Issue 23's fewer-steps check: the naive recipe on a 1,000-step schedule (naive-1000/recipe.json: the shipped recipe but
# for "steps"; the curriculum, the decay and the accuracy guard are fractions of the steps, the 200-step warm-up is not)
# at the same fresh pretraining seeds as the 3,000-step evaluation (../recipe-level/sweep.sh), with the same run seeds,
# sham and lab, so the two compare paired by seed (../recipe-level/paired.py, decide.py).
#   [RECIPE=DIR] [FIRST=1] research/organism/evaluation/fewer-steps/sweep.sh OUT [LAST (1..15)]
# Seeds 20261200+FIRST .. 20261200+LAST, interleaved and resumable like the recipe-level sweep; OUT/{recipe directory's
# name} is the evaluation directory. RECIPE names another recipe directory to pretrain at the same seeds with the same
# protocol: ../emergent-self-report/naive-1000-unrelated with FIRST=6, the label control of that README.
set -u
OUT=${1:?usage: [RECIPE=DIR] [FIRST=1] sweep.sh OUT [LAST (1..15)]}
LAST=${2:-15}
FIRST=${FIRST:-1}
BIN=${BIN:-selfinterp}
RECIPE=${RECIPE:-$(dirname "$0")/naive-1000}
NAME=$(basename "$RECIPE")
seeds=""
for i in $(seq "$FIRST" "$LAST"); do
  s=$((20261200 + i)); seeds="${seeds:+$seeds,}$s"
  echo "=== $(date -u +%FT%TZ) $NAME seeds $seeds"
  "$BIN" evaluate-organism --out "$OUT/$NAME" --recipe "$RECIPE" --pretrain-seeds $seeds \
    --run-seeds 11,12,13 --preset paper --threads 2 --sham permuted \
    --white-box --white-box-run-seeds 11 || echo "=== exit $? ($NAME $seeds)"
done
echo "=== sweep done $(date -u +%FT%TZ)"
