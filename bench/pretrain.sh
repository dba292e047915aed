#!/usr/bin/env bash
# Pretraining of a shipped recipe (`selfinterp pretrain --recipe models/naive/recipe.json`, the whole command a user
# waits for), this checkout against an earlier commit, side by side on one machine: both built in Release into
# temporary directories, then run in turn A B A B … for the same number of optimizer steps (`--steps`, which keeps
# everything else of the recipe), so both see the same load. The earlier one's whole pretraining is its time per
# step scaled to the recipe's steps when STEPS is below them. Prints wall and cpu seconds per run, the medians and
# the median of the paired ratios (earlier / this: above 1 means this checkout is faster).
# Usage: bench/pretrain.sh [earlier-commit=b80915d] [steps=150] [rounds=3] [recipe=naive] [threads=2]
set -euo pipefail
base="${1:-b80915d}"
steps="${2:-150}"
rounds="${3:-3}"
recipe="${4:-naive}"
threads="${5:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/side-by-side.sh" pretrain
# The recipe without its accuracy guard, which would stop a shortened run at chance (the guard's one evaluation aside,
# every step costs what it costs in the whole pretraining).
full_steps="$(grep -oE '"steps": *[0-9]+' "$root/models/$recipe/recipe.json" | grep -oE '[0-9]+$')"
recipe_file="$work/recipe.json"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r["accuracy_guard"] = []; json.dump(r, open(sys.argv[2], "w"))' \
  "$root/models/$recipe/recipe.json" "$recipe_file"

old=() new=() ratios=()
for ((i = 0; i < rounds; i++)); do
  rm -rf "$work/pt-old" "$work/pt-new"
  o="$(measure dotnet "$work/old/selfinterp.dll" pretrain --recipe "$recipe_file" --steps "$steps" --threads "$threads" --out "$work/pt-old")"
  n="$(measure dotnet "$work/new/selfinterp.dll" pretrain --recipe "$recipe_file" --steps "$steps" --threads "$threads" --out "$work/pt-new")"
  old+=("$o"); new+=("$n")
  ratios+=("$(echo "${o%% *} / ${n%% *}" | bc -l)")
  echo "round $((i + 1)): earlier ${o% *} s wall, ${o#* } s cpu; this ${n% *} s wall, ${n#* } s cpu"
done

col() { printf '%s\n' "${@:2}" | cut -d' ' -f"$1" | median; }
ow="$(col 1 "${old[@]}")" nw="$(col 1 "${new[@]}")" oc="$(col 2 "${old[@]}")" nc="$(col 2 "${new[@]}")"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $recipe recipe, $steps of its $full_steps steps, $threads threads, $rounds rounds, interleaved"
echo "earlier ($base): wall median ${ow} s, cpu median ${oc} s; whole pretraining scaled: $(echo "$ow * $full_steps / $steps" | bc -l | cut -d. -f1) s"
echo "this checkout:   wall median ${nw} s, cpu median ${nc} s"
echo "speed-up (earlier / this): wall $(echo "$ow / $nw" | bc -l | cut -c1-4)×, cpu $(echo "$oc / $nc" | bc -l | cut -c1-4)×, median of paired wall ratios $(printf '%s\n' "${ratios[@]}" | median)×"
