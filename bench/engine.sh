#!/usr/bin/env bash
# Engine benchmark: our C# engine against PyTorch eager (2 threads) on the same model and workload, and
# shared-prefix scoring against one full forward per prompt. The machine is shared, so the two sides run
# interleaved in the same invocation (ROUNDS rounds, best of each side), each side reports its fastest step,
# the C# side alternates training steps with passes of the same GEMM shapes alone, and the ratios are what counts.
# Usage: bench/engine.sh [rounds=2] [steps=10]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
STEPS=${2:-10}
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch lives in the system interpreter

dotnet build -c Release bench/SelfInterp.Bench.Engine -v quiet -nologo >/dev/null
BENCH=bench/SelfInterp.Bench.Engine/bin/Release/net10.0/SelfInterp.Bench.Engine

value() { grep -m1 "^$1" | sed 's/.*: //; s/ .*//'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }

cs_rates=(); torch_rates=(); step_gflops=(); gemm_gflops=(); fractions=() peaks=() shares=()
for round in $(seq 1 "$ROUNDS"); do
  out=$("$BENCH" train "$STEPS"); echo "$out" | sed "s/^/[round $round csharp] /"
  cs_rates+=("$(echo "$out" | value 'csharp training tokens/s')")
  step_gflops+=("$(echo "$out" | value 'train step GFLOP/s')")
  gemm_gflops+=("$(echo "$out" | value 'gemm GFLOP/s')")
  fractions+=("$(echo "$out" | value 'train step / gemm GFLOP/s fraction')")
  peaks+=("$(echo "$out" | value 'gemm in-cache peak GFLOP/s')")
  shares+=("$(echo "$out" | value 'train step share of the in-cache gemm peak')")
  out=$("$PYTHON" bench/torch_reference.py "$STEPS"); echo "$out" | sed "s/^/[round $round torch] /"
  torch_rates+=("$(echo "$out" | value 'torch training tokens/s')")
done
scoring=$("$BENCH" scoring); echo "$scoring" | sed "s/^/[scoring] /"

cs=$(best "${cs_rates[@]}"); torch=$(best "${torch_rates[@]}")
# The fraction is the median over rounds of each round's median over adjacent step/GEMM-pass pairs.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "training step GFLOP/s: step=$(best "${step_gflops[@]}") gemm-alone=$(best "${gemm_gflops[@]}") fraction=$(median "${fractions[@]}") (best of $ROUNDS rounds each; fraction from paired samples)"
echo "GEMM peak: in-cache GEMM $(best "${peaks[@]}") GFLOP/s; the training step reaches $(median "${shares[@]}") of it (median of rounds)"
echo "$scoring" | grep '^scoring prompts/s:'
echo "training tokens/s: csharp=$cs torch=$torch ratio=$(awk -v a="$cs" -v b="$torch" 'BEGIN{printf "%.2f", a/b}')"
