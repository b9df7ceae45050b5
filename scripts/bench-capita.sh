#!/usr/bin/env bash
# Benchmark of mi-capita settle on a generated city-year (issue 6): 30,000,000 outpatient settlements of
# 5,000,000 persons at 2,000 institutions must clear in under 60 s, with memory proportional to institutions and
# distinct persons (never to settlements). Prints wall time, peak RSS, throughput and the pools' check.
#
#   scripts/bench-capita.sh                 # full size
#   COUNT=3000000 PERSONS=500000 scripts/bench-capita.sh   # a county
#
# The data (about 10 GB at full size) is generated once into $DATA_DIR and reused while its parameters match;
# BUILD=dir uses another release scratch path.
. "$(dirname "$0")/bench-lib.sh"

COUNT=${COUNT:-30000000}
PERSONS=${PERSONS:-5000000}
INSTITUTIONS=${INSTITUTIONS:-2000}
SEED=${SEED:-1}
YEAR=${YEAR:-2024}
DATA_DIR=${DATA_DIR:-${TMPDIR:-/tmp}/mi-bench-capita}
bench_need bc
bench_build mi-capita mi-gen
bench_tmpdir

mkdir -p "$DATA_DIR"
DATA="$DATA_DIR/opt-$COUNT-$PERSONS-$INSTITUTIONS-$SEED-$YEAR.ndjson"
if [ ! -s "$DATA" ]; then
  echo "generating $COUNT settlements into $DATA" >&2
  TIMEFORMAT='generated in %R s'
  time "$bin/mi-gen" outpatient --count "$COUNT" --persons "$PERSONS" --institutions "$INSTITUTIONS" \
    --seed "$SEED" --year "$YEAR" > "$DATA.tmp"
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")

# Warm the page cache once so that the figure measures the tool, not the disk.
cat "$DATA" > /dev/null

bench_run settle "$bin/mi-capita" settle --year "$YEAR" --params examples/params-2024.toml --prepaid computed "$DATA"
echo "input:      $COUNT settlements, $PERSONS persons, $INSTITUTIONS institutions, $((BYTES / 1048576)) MiB"
read -r _ USER_S SYS_S < "$dir/time"
echo "settle:     ${secs} s wall (${USER_S} s user, ${SYS_S} s system), peak RSS $((rss / 1024)) MiB"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the cores: compare CPU time with wall time)"
awk -v n="$COUNT" -v b="$BYTES" -v s="$secs" \
  'BEGIN { printf "throughput: %.0f settlements/s, %.0f MiB/s; limit 60 s: %s\n", n / s, b / s / 1048576, (s < 60 ? "met" : "NOT met") }'
echo "summary:    $(tail -1 "$dir/err")"
grep '"kind":"pool"' "$dir/out" | sed -E 's/.*"pool":"([^"]*)".*"persons":([0-9]+).*"point_value":([0-9.]+).*"check":"([a-z]+)".*/pool \1: persons \2, point value \3, check \4/'
