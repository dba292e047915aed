#!/usr/bin/env bash
# Our engine against llama.cpp (LLamaSharp 0.30, CPU build) on a random Qwen2.5-0.5B-shaped model, F32 weights in
# both (ours converted from BF16 shards on load, llama.cpp's from an F32 GGUF of the same numbers), the same threads:
# prefill (one pass over PROMPT tokens) and greedy decode (DECODE tokens). Each side runs in its own process, so each
# one's memory is its own. Usage: bench/hf-vs-llamacpp.sh [threads=2] [prompt=128] [decode=32] [dir=/tmp/selfinterp-bench-qwen05b]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; prompt=${2:-128}; decode=${3:-32}; dir=${4:-/tmp/selfinterp-bench-qwen05b}
dotnet build bench/SelfInterp.Bench.HuggingFace -c Release -v quiet -nologo >/dev/null
bin=bench/SelfInterp.Bench.HuggingFace/bin/Release/net10.0/SelfInterp.Bench.HuggingFace
mkdir -p "$dir"
[ -f "$dir/model.gguf" ] || "$bin" gen "$dir"
ours=$("$bin" engine "$dir" "$threads" "$prompt" "$decode")
theirs=$("$bin" llamacpp "$dir" "$threads" "$prompt" "$decode")
value() { echo "$1" | awk -F': ' -v k="$2" '$1 == k { print $2 }'; }
printf '%-28s %12s %12s\n' "threads=$threads prompt=$prompt" "engine" "llama.cpp"
for k in load_seconds rss_gb_after_load peak_rss_gb prefill_tokens_per_second decode_ms_per_token; do
  printf '%-28s %12s %12s\n' "$k" "$(value "$ours" $k)" "$(value "$theirs" $k)"
done
awk -v a="$(value "$ours" prefill_tokens_per_second)" -v b="$(value "$theirs" prefill_tokens_per_second)" \
    -v c="$(value "$ours" decode_ms_per_token)" -v d="$(value "$theirs" decode_ms_per_token)" \
    'BEGIN { printf "prefill throughput ratio (engine / llama.cpp): %.2f\ndecode speed ratio (engine / llama.cpp): %.2f\n", a / b, d / c }'
