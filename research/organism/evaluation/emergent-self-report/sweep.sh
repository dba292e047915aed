#!/bin/bash
# Issue 28's evaluation of the emergent-self-report recipes, with issue 27's protocol: fresh pretraining seeds
# 20261301..20261310 (none used for design), fresh run seeds 11, 12, 13 at the paper preset, sham itraining with
# permuted targets and self- versus cross-prediction beside every run, the white-box lab on run seed 11 of each seed.
#   [RECIPES="…"] [THREADS=n] [ARCHIVE=DIR] research/organism/evaluation/emergent-self-report/sweep.sh OUT [LAST (1..10)]
# OUT/{recipe} is each recipe's evaluation directory. Interleaved: after each pretraining seed every recipe's evaluation
# is resumed over the seeds so far, so a stop at any point leaves every recipe with about as many seeds as the others
# and nothing done is redone when it is run again. The default recipes are the three designs of issue 28, each beside
# its control, then the second held-out family (self-description-hold-lottery and its control, each also measured on the
# lottery families it never reports: --held-out-family); RECIPES="self-description-1 self-description-3 self-description-7"
# adds the supervised-family counts. THREADS (default 2) is each evaluation's thread count: the bytes do not depend on
# it, so two sweeps of one recipe each at THREADS=1 side by side fill both cores, where one at 2 threads leaves a third idle.
# ARCHIVE (default: archive/ beside this script, kept in the repository) carries the sweep from one machine to the next:
# a recipe with no OUT/{recipe} yet starts from a copy of ARCHIVE/{recipe}, and after each evaluation what it has
# finished is archived there (`evaluate-organism --archive-to`: no models or replies, about half a megabyte a seed).
set -u
OUT=${1:?usage: sweep.sh OUT [LAST (1..10)]}
LAST=${2:-10}
BIN=${BIN:-selfinterp}
THREADS=${THREADS:-2}
ARCHIVE=${ARCHIVE:-$(cd "$(dirname "$0")" && pwd)/archive}
RECIPES=${RECIPES:-self-description-15 self-description-permuted self-prediction self-prediction-shuffled structure-3attr structure-3attr-permuted self-description-hold-lottery self-description-hold-lottery-permuted}
# Whether OUT/{recipe} already holds a pretraining (finished or stopped by its guard) of a seed after the i-th: then the
# i-th pass is left to a later one, which covers all its seeds. A pass over fewer seeds than the evaluation holds would
# drop the others' rows from its tables, and evaluate-organism refuses one that would drop an archived run's row.
later_seed_done() {
  local j
  for j in $(seq $(($2 + 1)) "$LAST"); do
    [ -f "$1/pretrain-$((20261300 + j))/pretrain_complete.txt" ] || [ -f "$1/pretrain-$((20261300 + j))/pretrain_failed.txt" ] && return 0
  done
  return 1
}
seeds=""
for i in $(seq 1 "$LAST"); do
  s=$((20261300 + i)); seeds="${seeds:+$seeds,}$s"
  for recipe in $RECIPES; do
    echo "=== $(date -u +%FT%TZ) $recipe seeds $seeds"
    extra=()
    case "$recipe" in self-description-hold-lottery*) extra=(--held-out-family lottery_a --held-out-family lottery_c) ;; esac
    if [ ! -d "$OUT/$recipe" ] && [ -d "$ARCHIVE/$recipe" ]; then mkdir -p "$OUT" && cp -r "$ARCHIVE/$recipe" "$OUT/$recipe"; fi
    if later_seed_done "$OUT/$recipe" "$i"; then echo "=== left to a later pass: $OUT/$recipe holds later seeds"; continue; fi
    "$BIN" evaluate-organism --out "$OUT/$recipe" --recipe "$recipe" --pretrain-seeds "$seeds" \
      --run-seeds 11,12,13 --preset paper --threads "$THREADS" --sham permuted --cross-prediction \
      --white-box --white-box-run-seeds 11 "${extra[@]}" || echo "=== exit $? ($recipe $seeds)"
    "$BIN" evaluate-organism --out "$OUT/$recipe" --archive-to "$ARCHIVE/$recipe" --white-box --white-box-run-seeds 11 "${extra[@]}" \
      || echo "=== archive exit $? ($recipe)"
  done
done
echo "=== sweep done $(date -u +%FT%TZ)"
