#!/usr/bin/env bash
# Issue 17: runs the tools on Apache Spark (scripts/spark/mi_spark.py, master local[2]) over a generated
# city-year and compares every output with the single-machine pipeline byte for byte: the DIP catalog derived from
# the history, the grouped and scored cases, clearing (prepay of three months, the year's settle) and capitation
# (a month's prepay, the year's settle), the indicators (mi-report indicators over the scored cases and the
# outpatient settlements) and an audit (mi-audit run over generated cases and fee lines partitioned by psn_no, with
# the per-record and per-person rules of the example rule set: scripts/spark/person_rules.py; its findings are
# compared after LC_ALL=C sort on both sides, mi-audit(1) PARTITIONING). Then three runs that must fail: a mapper
# that exits 1 in one partition after writing half its output, a bad settlement in one partition of a capitation
# run, and a bad case in one partition of an audit.
# Installs pyspark from PyPI into .build-spark/venv (about 450 MB) when python3 lacks it; needs Java 17.
# Prints the wall times of the single-machine pipeline and of the Spark job; the run is kept in .build-spark/run.
# Usage: scripts/test-spark.sh
#   MI_BIN=DIR         the binaries (default: the debug build, built when missing)
#   MI_SPARK_SCALE=N   N times the data (default 1: 12,000 history cases, 4,000 cases, 20,000 settlements,
#                      4,000 audited cases with their fee lines)
#   MI_SPARK_VENV=DIR  a virtualenv holding pyspark to use (default .build-spark/venv, made when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="/opt/swift/usr/bin:$PATH"
scripts/setup.sh

py=python3
if ! python3 -c 'import pyspark' 2> /dev/null; then
  py=${MI_SPARK_VENV:-$root/.build-spark/venv}/bin/python
  if ! "$py" -c 'import pyspark' 2> /dev/null; then
    echo "== installing pyspark into .build-spark/venv" >&2
    python3 -m venv .build-spark/venv
    .build-spark/venv/bin/pip install -q pyspark >&2
  fi
fi
if ! command -v java > /dev/null; then
  echo "== installing Java 17 for Spark" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >&2
fi
if [ -z "${MI_BIN:-}" ]; then
  swift build >&2
  MI_BIN=$(swift build --show-bin-path)
fi
export PATH="$MI_BIN:$PATH" SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"
scale=${MI_SPARK_SCALE:-1}
ex=$root/examples
work=$root/.build-spark/run
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export MI_DB=$work/mi.db
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "== workspace and a generated city-year (scale $scale)" >&2
{
  mi-catalog init
  mi-catalog import dx "$ex/dx.tsv" --name dx-demo
  mi-catalog import proc "$ex/proc.tsv" --name proc-demo
  mi-catalog import proc-class "$ex/dip/proc-class.tsv" --name proc-class-demo
  mi-catalog import params "$ex/params-2024.toml" --name params-2024
  mi-catalog import kp "$ex/audit/kp-mini" --name kp-demo
  mi-catalog import audit-rules "$ex/audit/rules.toml" --name rules-demo --kp kp-demo
} 2> /dev/null
for y in 2021 2022 2023; do
  mi-gen cases --count $((4000 * scale)) --seed "$y" --year "$y" --hospitals 20 --dx dx-demo --proc proc-demo
done > history.ndjson 2> /dev/null
mi-gen cases --count $((4000 * scale)) --seed 2024 --year 2024 --hospitals 20 --dx dx-demo --proc proc-demo \
  2> /dev/null | gzip -n > cases-2024.ndjson.gz
mi-gen outpatient --count $((20000 * scale)) --persons $((4000 * scale)) --institutions 20 --seed 2024 --year 2024 \
  > outpatient-2024.ndjson 2> /dev/null
mi-gen fees --count $((4000 * scale)) --seed 2024 --year 2024 --hospitals 20 --inject 0.02 --kp kp-demo \
  --rules rules-demo --manifest audit-manifest-2024.ndjson --cases-out audit-cases-2024.ndjson \
  -o audit-fees-2024.ndjson 2> /dev/null
# The rules that may run partitioned by psn_no (per record or per person), stored in the workspace database so
# that they travel with it to the executors.
python3 "$root/scripts/spark/person_rules.py" "$ex/audit/rules.toml" > rules-person.toml 2> /dev/null
mi-catalog import audit-rules rules-person.toml --name rules-person --kp kp-demo > /dev/null 2>&1
# The catalog both runs group with, and prepayments in the ledger that both settles take (the demo's order).
mi-score derive --method dip --proc-class proc-class-demo --import dip-2024 history.ndjson > /dev/null 2>&1
mi-group --dip dip-2024 cases-2024.ndjson.gz 2> /dev/null | mi-score --params params-2024 --catalog dip-2024 \
  > posted.ndjson 2> /dev/null
for m in 01 02; do
  mi-clear prepay --month "2024-$m" --params params-2024 --post posted.ndjson > /dev/null 2>&1
  mi-capita prepay --month "2024-$m" --params params-2024 --post outpatient-2024.ndjson > /dev/null 2>&1
done
echo "history $(wc -l < history.ndjson) cases, 2024 $(gzip -dc cases-2024.ndjson.gz | wc -l) cases (gzip)," \
  "$(wc -l < outpatient-2024.ndjson) outpatient settlements," \
  "audit $(wc -l < audit-cases-2024.ndjson) cases with $(wc -l < audit-fees-2024.ndjson) fee lines" >&2

echo "== single machine" >&2
t0=$(now)
mkdir single
(
  cd single
  mi-score derive --method dip --proc-class proc-class-demo ../history.ndjson > dip-2024.ndjson
  mi-group --dip dip-2024 ../cases-2024.ndjson.gz | mi-score --params params-2024 --catalog dip-2024 > scored.ndjson
  for m in 01 02 03; do
    mi-clear prepay --month "2024-$m" --params params-2024 scored.ndjson > "prepay-2024-$m.ndjson"
  done
  mi-clear settle --year 2024 --params params-2024 --adjustments "$ex/adjustments.ndjson" scored.ndjson \
    > clearing-2024.ndjson
  mi-capita prepay --month 2024-03 --params params-2024 ../outpatient-2024.ndjson > capitation-prepay-2024-03.ndjson
  mi-capita settle --year 2024 --params params-2024 --draft-date 2025-02-10 ../outpatient-2024.ndjson \
    > capitation-2024.ndjson
  mi-report indicators --format ndjson --params params-2024 scored.ndjson ../outpatient-2024.ndjson \
    > indicators-2024.ndjson
  mi-audit run --rules rules-person --kp kp-demo --cases ../audit-cases-2024.ndjson \
    --fees ../audit-fees-2024.ndjson -o findings-person-2024.ndjson
) 2> single.log
t1=$(now)

echo "== Spark, local[2]" >&2
spark() {
  "$py" "$root/scripts/spark/mi_spark.py" --master 'local[2]' --db "$MI_DB" "$@"
}
steps=(
  --input hist=history.ndjson --input cases=cases-2024.ndjson.gz --input opt=outpatient-2024.ndjson
  --map 'scored=cases: mi-group --threads 1 --dip dip-2024 | mi-score --threads 1 --params params-2024
    --catalog dip-2024'
  --aggregate 'dip-2024.ndjson=hist: mi-score derive --method dip --proc-class proc-class-demo'
)
for m in 01 02 03; do
  steps+=(--aggregate "prepay-2024-$m.ndjson=scored: mi-clear prepay --month 2024-$m --params params-2024")
done
steps+=(
  --aggregate "clearing-2024.ndjson=scored: mi-clear settle --year 2024 --params params-2024
    || --adjustments $ex/adjustments.ndjson"
  --aggregate 'capitation-prepay-2024-03.ndjson=opt by psn_no: mi-capita prepay --month 2024-03 --params params-2024'
  --aggregate 'capitation-2024.ndjson=opt by psn_no: mi-capita settle --year 2024 --params params-2024
    || --draft-date 2025-02-10'
  --aggregate 'indicators-2024.ndjson=scored+opt: mi-report indicators || --format ndjson --params params-2024'
  --input acases=audit-cases-2024.ndjson --input afees=audit-fees-2024.ndjson
  --audit "findings-person-2024=afees with acases by psn_no: mi-audit run --rules rules-person
    --kp kp-demo"
)
t2=$(now)
spark --bin "$MI_BIN" --out spark "${steps[@]}" 2> spark.log || {
  tail -n 30 spark.log >&2
  echo "test-spark: FAILED: the Spark job failed" >&2
  exit 1
}
t3=$(now)

failed=0
same() {
  if cmp -s "$1" "$2"; then
    echo "same bytes: $3 ($(wc -l < "$1") records)" >&2
  else
    echo "test-spark: FAILED: $3 differs: cmp $1 $2" >&2
    failed=1
  fi
}
cat spark/scored/part-* > spark-scored.ndjson
same single/scored.ndjson spark-scored.ndjson "grouping and scoring ($(ls spark/scored/part-* | wc -l) parts)"
for f in dip-2024 prepay-2024-01 prepay-2024-02 prepay-2024-03 clearing-2024 capitation-prepay-2024-03 \
  capitation-2024 indicators-2024; do
  same "single/$f.ndjson" "spark/$f.ndjson" "$f"
done
# A partition's findings are in rule, key and input order, the parts are not interleaved in that order: both
# sides are sorted by bytes (mi-audit(1), PARTITIONING).
LC_ALL=C sort single/findings-person-2024.ndjson > single-findings-sorted.ndjson
cat spark/findings-person-2024/part-* | LC_ALL=C sort > spark-findings-sorted.ndjson
same single-findings-sorted.ndjson spark-findings-sorted.ndjson \
  "per-person audit findings, sorted ($(ls spark/findings-person-2024/part-* | wc -l) parts)"
[ "$(wc -l < single/findings-person-2024.ndjson)" -gt 0 ] || {
  echo "test-spark: FAILED: no audit findings" >&2 && failed=1
}
[ "$(wc -l < single/scored.ndjson)" -gt 0 ] || { echo "test-spark: FAILED: nothing scored" >&2 && failed=1; }

echo "== a mapper failing in one partition after half its output must fail the job" >&2
mkdir fail-bin
cp "$MI_BIN/mi-group" fail-bin/
cat > fail-bin/mi-score << EOF
#!/bin/sh
# Partition 1 passes half its lines through unscored and exits 1; the others score.
case "\$*" in *part-00001*) awk 'NR % 2' ; echo "mi-score: injected failure" >&2; exit 1 ;; esac
exec "$MI_BIN/mi-score" "\$@"
EOF
chmod +x fail-bin/mi-score
set +e
spark --bin fail-bin --out fail1 --input cases=cases-2024.ndjson.gz \
  --map 'scored=cases: mi-group --dip dip-2024 | mi-score --params params-2024 --catalog dip-2024' 2> fail1.log
status=$?
set -e
if [ "$status" -eq 1 ] && grep -q '^mi-spark: cases-part-00001: mi-score exited with status 1:$' fail1.log \
  && grep -q '^mi-score: injected failure' fail1.log && [ ! -e fail1/scored/_SUCCESS ]; then
  echo "failed as it must: status 1, $(grep -m1 '^mi-spark: .*exited with status' fail1.log)" >&2
else
  echo "test-spark: FAILED: a failing mapper gave status $status (fail1.log)" >&2
  failed=1
fi

echo "== a bad settlement in one partition must fail the job with the tool's message" >&2
awk 'NR == 777 { sub(/"fixmedins_code":"[^"]*"/, "\"fixmedins_code\":1001") } { print }' \
  outpatient-2024.ndjson > bad-outpatient.ndjson
set +e
spark --bin "$MI_BIN" --out fail2 --input opt=bad-outpatient.ndjson \
  --aggregate 'capitation-2024.ndjson=opt: mi-capita settle --year 2024 --params params-2024' 2> fail2.log
status=$?
set -e
if [ "$status" -eq 1 ] && grep -q '^mi-capita: opt-part-0000[0-9]:777: field "fixmedins_code"' fail2.log \
  && [ ! -e fail2/capitation-2024.ndjson ]; then
  echo "failed as it must: status 1, $(grep -m1 -o 'opt-part-[^ ]*: field "fixmedins_code".*' fail2.log)" >&2
else
  echo "test-spark: FAILED: a bad settlement gave status $status (fail2.log)" >&2
  failed=1
fi

echo "== a bad case in one partition of an audit must fail the job, naming the partition's cases file" >&2
awk 'NR == 555 { sub(/"medfee_sumamt":[^,]*/, "\"medfee_sumamt\":\"x\"") } { print }' audit-cases-2024.ndjson \
  > bad-audit-cases.ndjson
set +e
spark --bin "$MI_BIN" --out fail3 --input acases=bad-audit-cases.ndjson --input afees=audit-fees-2024.ndjson \
  --audit 'findings=afees with acases by psn_no: mi-audit run --rules rules-person --kp kp-demo' 2> fail3.log
status=$?
set -e
if [ "$status" -eq 1 ] && grep -q '^mi-audit: .*/acases-part-0000[0-9]\.ndjson:[0-9]*: field "medfee_sumamt"' fail3.log \
  && [ ! -e fail3/findings/_SUCCESS ]; then
  echo "failed as it must: status 1, $(grep -m1 -o 'acases-part-[^ ]*: field "medfee_sumamt"' fail3.log)" >&2
else
  echo "test-spark: FAILED: a bad audit case gave status $status (fail3.log)" >&2
  failed=1
fi

echo "wall times, the same data: single machine $(secs "$t0" "$t1") s, Spark local[2] $(secs "$t2" "$t3") s" \
  "(binaries: $MI_BIN)" >&2
[ "$failed" -eq 0 ] || exit 1
echo "test-spark: all outputs identical, failures fail the job" >&2
