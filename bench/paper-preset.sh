#!/usr/bin/env bash
# The paper preset on the local backend (`selfinterp run --preset paper`, the shipped organism), this checkout
# against an earlier commit, side by side: both built in Release into temporary directories, then run in turn
# A B A B … (each run into a fresh directory, so nothing resumes), so both see the same machine load. Prints
# wall and cpu (user + sys) seconds per run, the medians, the ratio of medians and the median of the ratios
# pair by pair (earlier / this: above 1 means this checkout is faster); checks that both wrote the same files.
# Usage: bench/paper-preset.sh [earlier-commit=HEAD~1] [rounds=3]
set -euo pipefail
base="${1:-HEAD~1}"
rounds="${2:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/bench/side-by-side.sh" paper

old=() new=() ratios=()
for ((i = 0; i < rounds; i++)); do
  rm -rf "$work/run-old" "$work/run-new"
  o="$(measure dotnet "$work/old/selfinterp.dll" run --preset paper --out "$work/run-old")"
  n="$(measure dotnet "$work/new/selfinterp.dll" run --preset paper --out "$work/run-new")"
  old+=("$o"); new+=("$n")
  ratios+=("$(echo "${o%% *} / ${n%% *}" | bc -l)")
  echo "round $((i + 1)): earlier ${o% *} s wall, ${o#* } s cpu; this ${n% *} s wall, ${n#* } s cpu"
done

for f in $(cd "$work/run-old" && find . -name '*.csv' -o -name '*.safetensors' | sort); do
  cmp -s "$work/run-old/$f" "$work/run-new/$f" || echo "differs: $f"
done
col() { printf '%s\n' "${@:2}" | cut -d' ' -f"$1" | median; }
ow="$(col 1 "${old[@]}")" nw="$(col 1 "${new[@]}")" oc="$(col 2 "${old[@]}")" nc="$(col 2 "${new[@]}")"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds, interleaved"
echo "earlier ($base): wall median ${ow} s, cpu median ${oc} s"
echo "this checkout:   wall median ${nw} s, cpu median ${nc} s"
echo "speed-up (earlier / this): wall $(echo "$ow / $nw" | bc -l | cut -c1-4)×, cpu $(echo "$oc / $nc" | bc -l | cut -c1-4)×, median of paired wall ratios $(printf '%s\n' "${ratios[@]}" | median)×"
