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

# Wall time of one process, in seconds.
wall() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
# min and median of the numbers on stdin.
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f\n", v[1], m }'; }

analyze_times=() start_times=()
for ((i = 0; i < repeats; i++)); do  # interleaved, so both see the same machine load
  analyze_times+=("$(wall dotnet "$dll" analyze "$dir" --json)")
  start_times+=("$(wall dotnet "$dll" --help)")
done
read -r a_min a_med < <(printf '%s\n' "${analyze_times[@]}" | stats)
read -r s_min s_med < <(printf '%s\n' "${start_times[@]}" | stats)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $repeats repeats each, interleaved"
echo "selfinterp analyze DIR --json (2 models): min ${a_min} s, median ${a_med} s"
echo "selfinterp --help (process start):        min ${s_min} s, median ${s_med} s"
echo "analyze paper-sized (2 models): wall_s=${a_med} (process start alone: ${s_med})"
