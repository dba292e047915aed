#!/usr/bin/env bash
# Times `selfinterp analyze DIR --json` as a whole process (start, JIT, reading, 400 regressions, writing) on a
# paper-sized run with two base models, side by side with `selfinterp --help` (process start alone).
# The run: `selfinterp run --backend simulated --preset paper` (100 instilled scenarios × 50 selections, 100 native
# × 100, six report files of 10 reports per scenario), whose model files are copied under a second model prefix
# so that the analysis finds two base models.
# Usage: bench/analyze.sh [repeats]   (default 9)
set -euo pipefail
repeats="${1:-9}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

dotnet build src/SelfInterp.Cli -c Release -v q -nologo > /dev/null
dll="$root/src/SelfInterp.Cli/bin/Release/net10.0/selfinterp.dll"

work="$(mktemp -d -t selfinterp-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT
dir="$work/paper"
dotnet "$dll" run --backend simulated --preset paper --out "$dir" > "$work/run.log" 2>&1
model="simulated-base" twin="simulated-twin"
for f in "$dir/${model}"_*; do cp "$f" "$dir/${twin}_${f##*/${model}_}"; done

models="$(dotnet "$dll" analyze "$dir" --json | grep -c '"base_model"')"
[ "$models" = 2 ] || { echo "expected 2 base models in the analysis, found $models" >&2; exit 1; }

# One process: "wall cpu" in seconds (cpu = user + sys, all threads; less sensitive than wall to a loaded machine).
measure() { local TIMEFORMAT='%R %U %S' r u s; read -r r u s < <({ time "$@" > /dev/null 2>&1; } 2>&1); echo "$r $(echo "$u + $s" | bc -l)"; }
# min and median of the numbers on stdin.
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f\n", v[1], m }'; }

analyze=() start=()
for ((i = 0; i < repeats; i++)); do  # interleaved, so both see the same machine load
  analyze+=("$(measure dotnet "$dll" analyze "$dir" --json)")
  start+=("$(measure dotnet "$dll" --help)")
done
column() { printf '%s\n' "${@:2}" | cut -d' ' -f"$1" | stats; }
read -r a_min a_med < <(column 1 "${analyze[@]}")
read -r ac_min ac_med < <(column 2 "${analyze[@]}")
read -r s_min s_med < <(column 1 "${start[@]}")
read -r sc_min sc_med < <(column 2 "${start[@]}")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $repeats repeats each, interleaved"
echo "selfinterp analyze DIR --json (2 models): wall min ${a_min} s, median ${a_med} s; cpu min ${ac_min} s, median ${ac_med} s"
echo "selfinterp --help (process start):        wall min ${s_min} s, median ${s_med} s; cpu min ${sc_min} s, median ${sc_med} s"
echo "analyze paper-sized (2 models): wall_s=${a_med} (process start alone: ${s_med})"
