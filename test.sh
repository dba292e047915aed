#!/usr/bin/env bash
# The tests, on any machine: installs what they need when it can (Debian's OpenBLAS for the tests of the engine's
# optional OpenBLAS GEMM, Debian's Chromium for the report's browser tests), then runs `dotnet test`. .ci/run calls
# this script too.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing=()
ldconfig -p 2>/dev/null | grep -q 'libopenblas' || missing+=(libopenblas0-pthread)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo -n)
    echo "installing ${missing[*]} (Debian packages the tests need)"
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} missing and this user cannot install them (needs root or passwordless sudo)." >&2
    echo "  chromium: the report's browser tests will fail; libopenblas0-pthread: the tests of the optional OpenBLAS GEMM" >&2
    echo "  cannot load it (the default GEMM needs nothing). Install: sudo apt-get install ${missing[*]}" >&2
  fi
fi

# One plain closing line with the totals, whatever dotnet's own output looks like.
log=$(mktemp)
status=0
dotnet test SelfInterp.slnx -c Release "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit $status
