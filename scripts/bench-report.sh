#!/usr/bin/env bash
# Benchmark of mi-report indicators (issue 15): 2,000,000 cases → indicators by institution and month in under
# 15 s, with memory proportional to the cells and groups, not the cases; and the totals checked against an
# independent sum (awk on integer fen). Prints wall and CPU time, peak RSS, for the cases and for a tenth of them.
#
#   scripts/bench-report.sh            # 2,000,000 cases
#   scripts/bench-report.sh 200000     # fewer
#   SCRATCH=.build scripts/bench-report.sh   # reuse the release build of scripts/demo.sh
#
# mi-gen does not group or score: a deterministic awk stand-in adds what the indicators read (group_code from the
# principal diagnosis, group_status, weight, points, case_class, cost_ratio), as scripts/bench-clear.sh does.
# The cases are generated once into $DATA_DIR and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000000}
SCRATCH=${SCRATCH:-.build-release}
DATA_DIR=${DATA_DIR:-${TMPDIR:-/tmp}/mi-bench-report}
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --scratch-path "$SCRATCH" --product mi-gen >&2
swift build -c release --scratch-path "$SCRATCH" --product mi-report >&2
bin=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
score() {
  awk '{
    match($0, /"diag_codes":\["[^"]*"/); dx = substr($0, RSTART + 15, 3)
    match($0, /"medfee_sumamt":[0-9.]+/); cost = substr($0, RSTART + 16, RLENGTH - 16) + 0
    w = 500 + (length(dx) > 0 ? index("ABCDEFGHIJKLMNOPQRSTUVWXYZ", substr(dx, 1, 1)) * 40 : 0)
    r = cost / (w * 12); cls = r > 2 ? "high" : (r < 0.5 ? "low" : "normal")
    printf "%s,\"group_code\":\"%s\",\"group_status\":\"grouped\",\"weight\":%.4f,\"points\":%.4f,\"case_class\":\"%s\",\"cost_ratio\":%.4f}\n", \
      substr($0, 1, length($0) - 1), dx, w, w, cls, r
  }'
}
mkdir -p "$DATA_DIR"
data="$DATA_DIR/cases-$count.ndjson"
tenth="$DATA_DIR/cases-$((count / 10)).tenth.ndjson"
if [ ! -s "$data" ] || [ ! -s "$tenth" ]; then
  echo "generating $count cases into $data" >&2
  "$bin/mi-gen" cases --count "$count" --hospitals 300 --seed 1 --year 2024 | score > "$data.tmp"
  mv "$data.tmp" "$data"
  "$bin/mi-gen" cases --count "$((count / 10))" --hospitals 300 --seed 2 --year 2024 | score > "$tenth.tmp"
  mv "$tenth.tmp" "$tenth"
fi
cat "$data" > /dev/null  # warm the page cache: the figure measures the tool, not the disk
size=$(stat -c %s "$data")
echo "input: $count cases over 300 hospitals, $((size / 1048576)) MiB"
measure() { # name, file, format: indicators by institution and month; prints wall, CPU, RSS
  local name=$1 file=$2 format=$3
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$bin/mi-report" indicators --by fixmedins_code,month \
    --format "$format" "$file" > "$dir/out-$name" 2> "$dir/err-$name" || { cat "$dir/err-$name" >&2; exit 1; }
  read -r wall user sys rss < "$dir/time"
  printf '%-6s %-7s %9d cases %7.2f s wall %7.2f s CPU  peak RSS %6d MiB  %s\n' "$name" "$format" \
    "$(wc -l < "$file")" "$wall" "$(echo "$user + $sys" | bc -l)" "$((rss / 1024))" "$(tail -1 "$dir/err-$name")"
  echo "$wall" > "$dir/t-$name"
  echo "$rss" > "$dir/m-$name"
}
measure tenth "$tenth" ndjson
measure full "$data" ndjson
measure table "$data" table
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (2 shared cores: compare CPU time with wall time)"
# The independent sum: count, medfee and fund per institution and month, in integer fen, by awk.
fen='function fen(s,  p) { p = index(s, "."); if (!p) return s * 100; return substr(s, 1, p - 1) * 100 + substr(substr(s, p + 1) "00", 1, 2) }'
awk "$fen"'{
  match($0, /"fixmedins_code":"[^"]*"/); h = substr($0, RSTART + 18, RLENGTH - 19)
  match($0, /"setl_time":"[0-9-]*/); m = substr($0, RSTART + 13, 7)
  match($0, /"medfee_sumamt":[0-9.]+/); c = fen(substr($0, RSTART + 16, RLENGTH - 16))
  match($0, /"hifp_pay":[0-9.]+/); f = fen(substr($0, RSTART + 11, RLENGTH - 11))
  k = h "|" m; n[k]++; cost[k] += c; fund[k] += f
} END { for (k in n) printf "%s %d %d %d\n", k, n[k], cost[k], fund[k] }' "$data" | sort > "$dir/awk"
grep '"kind":"indicator"' "$dir/out-full" | awk "$fen"'{
  match($0, /"fixmedins_code":"[^"]*"/); h = substr($0, RSTART + 18, RLENGTH - 19)
  match($0, /"month":"[^"]*"/); m = substr($0, RSTART + 9, RLENGTH - 10)
  match($0, /"cases":[0-9]+/); n = substr($0, RSTART + 8, RLENGTH - 8)
  match($0, /"medfee_sumamt":[0-9.]+/); c = fen(substr($0, RSTART + 16, RLENGTH - 16))
  match($0, /"hifp_pay":[0-9.]+/); f = fen(substr($0, RSTART + 11, RLENGTH - 11))
  printf "%s|%s %d %d %d\n", h, m, n, c, f
}' | sort > "$dir/report"
if cmp -s "$dir/awk" "$dir/report"; then
  echo "totals: the same as awk's integer-fen sum in all $(wc -l < "$dir/awk") cells"
else
  echo "totals: DIFFERENT from awk's sum:" >&2
  diff "$dir/awk" "$dir/report" | head >&2
  exit 1
fi
printf 'time for %d cases: %.2f s (limit 15 s: %s); RSS full/tenth: %.2f\n' "$count" "$(cat "$dir/t-full")" \
  "$(awk -v t="$(cat "$dir/t-full")" 'BEGIN { print (t < 15 ? "met" : "NOT met") }')" \
  "$(echo "$(cat "$dir/m-full") / $(cat "$dir/m-tenth")" | bc -l)"
