#!/bin/bash
# Self- versus cross-prediction with the cross model from ANOTHER pretraining seed's organism (a follow-up chosen after
# the test's criterion 3, README.md): for each seed of FIRST..LAST in EVAL (an evaluation directory with pretrain-*/),
# the cross-prediction experiment at run seed 11, paper preset, whose cross model is fine-tuned from the next seed's
# organism (LAST's from FIRST's), then the table of cross_other_seed.py.
#   research/organism/evaluation/emergent-self-report/cross_other_seed.sh EVAL OUT FIRST LAST
# --keep-going: the reply checks off, as evaluate-organism runs them (some seeds write mostly off-scale reports, which
# the analysis counts as bad and which would otherwise stop the run).
set -u
EVAL=${1:?usage: cross_other_seed.sh EVAL OUT FIRST LAST}; OUT=${2:?}; FIRST=${3:?}; LAST=${4:?}
BIN=${BIN:-selfinterp}
for s in $(seq "$FIRST" "$LAST"); do
  n=$(( s == LAST ? FIRST : s + 1 ))
  echo "=== $(date -u +%FT%TZ) self $s, cross model from $n"
  "$BIN" run --experiment cross-prediction --backend local --base-model "$EVAL/pretrain-$s" --cross-base-model "$EVAL/pretrain-$n" \
    --preset paper --seed 11 --keep-going --out "$OUT/pretrain-$s-11-cross-from-$n" || echo "=== exit $? ($s)"
done
python3 "$(dirname "$0")/cross_other_seed.py" "$OUT"
