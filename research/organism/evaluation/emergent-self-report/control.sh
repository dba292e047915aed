#!/bin/bash
# The label control of the naive recipe at 1,000 steps (README.md, "A candidate found on the way", criterion 5):
# naive-1000-unrelated/recipe.json at the test seeds 20261206..20261215 with the protocol of ../fewer-steps/sweep.sh,
# interleaved and resumable; OUT/naive-1000-unrelated is the evaluation directory.
#   research/organism/evaluation/emergent-self-report/control.sh OUT [LAST (1..10)]
set -u
OUT=${1:?usage: control.sh OUT [LAST (1..10)]}
LAST=${2:-10}
BIN=${BIN:-selfinterp}
RECIPE=$(dirname "$0")/naive-1000-unrelated
seeds=""
for i in $(seq 1 "$LAST"); do
  s=$((20261205 + i)); seeds="${seeds:+$seeds,}$s"
  echo "=== $(date -u +%FT%TZ) naive-1000-unrelated seeds $seeds"
  "$BIN" evaluate-organism --out "$OUT/naive-1000-unrelated" --recipe "$RECIPE" --pretrain-seeds $seeds \
    --run-seeds 11,12,13 --preset paper --threads 2 --sham permuted \
    --white-box --white-box-run-seeds 11 || echo "=== exit $? (naive-1000-unrelated $seeds)"
done
echo "=== control done $(date -u +%FT%TZ)"
