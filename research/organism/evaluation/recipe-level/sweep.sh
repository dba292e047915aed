#!/bin/bash
# Issue 27's recipe-level evaluation of the shipped recipes: fresh pretraining seeds 20261201..20261215, fresh run
# seeds 11, 12, 13, sham itraining with permuted targets and with run seed s + 1's targets beside every run, the
# white-box lab on run seed 11 of every pretraining seed.
#   [RECIPES="naive reporter"] research/organism/evaluation/recipe-level/sweep.sh OUT [LAST]
# Interleaved, so every finished pretraining seed has its runs: after each seed, each recipe's evaluation is resumed
# over all seeds so far (complete pretrainings and runs are skipped; the tables are rewritten each time). Stop it
# at any point and run it again: nothing done is redone. OUT/naive and OUT/reporter are the evaluation directories.
# RECIPES=naive runs one recipe's seeds through before the other's (the naive recipe's spread is the wide one).
set -u
OUT=${1:?usage: sweep.sh OUT [LAST (1..15)]}
LAST=${2:-15}
BIN=${BIN:-selfinterp}
seeds=""
for i in $(seq 1 "$LAST"); do
  s=$((20261200 + i)); seeds="${seeds:+$seeds,}$s"
  for recipe in ${RECIPES:-naive reporter}; do
    echo "=== $(date -u +%FT%TZ) $recipe seeds $seeds"
    "$BIN" evaluate-organism --out "$OUT/$recipe" --recipe $recipe --pretrain-seeds $seeds \
      --run-seeds 11,12,13 --preset paper --threads 2 --sham permuted --sham other-seed \
      --white-box --white-box-run-seeds 11 || echo "=== exit $? ($recipe $seeds)"
  done
done
echo "=== sweep done $(date -u +%FT%TZ)"
