#!/bin/bash
# Issue 23's fewer-steps check: the naive recipe on a 1,000-step schedule (naive-1000/recipe.json: the shipped recipe but
# for "steps"; the curriculum, the decay and the accuracy guard are fractions of the steps, the 200-step warm-up is not)
# at the same fresh pretraining seeds as the 3,000-step evaluation (research/organism/evaluation/recipe-level/sweep.sh), with the same run seeds,
# sham and lab, so the two compare paired by seed (../recipe-level/paired.py).
#   research/organism/evaluation/fewer-steps/sweep.sh OUT [LAST (1..15)]
# Interleaved and resumable like the recipe-level sweep; OUT/naive-1000 is the evaluation directory.
set -u
OUT=${1:?usage: sweep.sh OUT [LAST (1..15)]}
LAST=${2:-15}
BIN=${BIN:-selfinterp}
RECIPE=$(dirname "$0")/naive-1000
seeds=""
for i in $(seq 1 "$LAST"); do
  s=$((20261200 + i)); seeds="${seeds:+$seeds,}$s"
  echo "=== $(date -u +%FT%TZ) naive-1000 seeds $seeds"
  "$BIN" evaluate-organism --out "$OUT/naive-1000" --recipe "$RECIPE" --pretrain-seeds $seeds \
    --run-seeds 11,12,13 --preset paper --threads 2 --sham permuted \
    --white-box --white-box-run-seeds 11 || echo "=== exit $? (naive-1000 $seeds)"
done
echo "=== sweep done $(date -u +%FT%TZ)"
