# Sourced by the benchmarks that compare this checkout with an earlier commit: builds both CLIs into a temporary
# directory ($work/old, $work/new; removed on exit) and defines measure (one run: "wall cpu" seconds) and median.
# Needs: root (this checkout), base (the earlier commit), and a name for the temporary directory as $1.
work="$(mktemp -d -t "selfinterp-$1-XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/old-src"
git -C "$root" archive "$base" | tar -x -C "$work/old-src"
dotnet build "$work/old-src/src/SelfInterp.Cli" -c Release -o "$work/old" -v q -nologo > /dev/null
dotnet build "$root/src/SelfInterp.Cli" -c Release -o "$work/new" -v q -nologo > /dev/null

# One run: "wall cpu" in seconds.
measure() { local TIMEFORMAT='%R %U %S' r u s; read -r r u s < <({ time "$@" > /dev/null 2>&1; } 2>&1); echo "$r $(echo "$u + $s" | bc -l)"; }
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
