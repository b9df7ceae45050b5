#!/usr/bin/env bash
# Fault test of the atomic outputs and the ledger (issue 11 items 3 and 4): kills `mi-score -o` and
# `mi-clear prepay --post -o` at random points, SIGKILL and SIGTERM mixed, and checks after every kill that
# - no partial output appears: the output file is absent or complete (the same bytes as an undisturbed run);
# - no temporary file is left after SIGTERM, and one left by SIGKILL is removed by the next run of that output;
# - the ledger is unchanged or fully posted: one more run whose effective lines are the expected ones;
# - every output (-o, --rejects) and the database are mode 0600.
# Usage: scripts/fault-test.sh [KILLS]   (default 50). The binaries are $MI_BIN, else those of `swift build`
# (built when missing). FAULT_SEED fixes the random kill points; the seed of a run is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
kills=${1:-50}
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${MI_BIN:-}" ]; then
  MI_BIN=$(swift build --show-bin-path)
  for t in mi-catalog mi-gen mi-score mi-clear; do
    [ -x "$MI_BIN/$t" ] || { swift build --product "$t" >&2; }
  done
fi
bin=$MI_BIN
seed=${FAULT_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export MI_DB=$work/mi.db SOURCE_DATE_EPOCH=1700000000
ex=$root/examples
fail() { echo "fault-test: FAIL (seed $seed, kill $i): $*" >&2; exit 1; }

# A workspace, a DIP catalog derived from a history, and a month of grouped cases.
{
  "$bin/mi-catalog" init
  "$bin/mi-catalog" import dx "$ex/dx.tsv" --name dx
  "$bin/mi-catalog" import proc "$ex/proc.tsv" --name proc
  "$bin/mi-catalog" import proc-class "$ex/dip/proc-class.tsv" --name proc-class
  "$bin/mi-catalog" import params "$ex/params-2024.toml" --name params-2024
  for y in 2021 2022 2023; do
    "$bin/mi-gen" cases --count 1500 --seed "$y" --year "$y" --hospitals 10 --dx dx --proc proc
  done > history.ndjson
  "$bin/mi-score" derive --method dip --proc-class proc-class -o dip.ndjson history.ndjson
  "$bin/mi-catalog" import dip dip.ndjson --name dip --proc-class proc-class
  "$bin/mi-gen" cases --count 12000 --seed 2 --year 2024 --hospitals 10 --dx dx --proc proc --bad-rate 0.001 \
    | "$bin/mi-group" --dip dip --rejects /dev/null -o grouped.ndjson
} > setup.log 2>&1 || { cat setup.log >&2; echo "fault-test: setup failed" >&2; exit 1; }

score=("$bin/mi-score" --params params-2024 --catalog dip --rejects score-rejects.ndjson -o scored.ndjson grouped.ndjson)
prepay=("$bin/mi-clear" prepay --month 2024-01 --params params-2024 --post -o prepay.ndjson scored.ndjson)
# Every posted run (--all: superseded ones too), and the lines of the effective run without its run id.
runs() { "$bin/mi-clear" ledger --all --kind prepay; }
ledger() { "$bin/mi-clear" ledger --kind prepay --lines | sed 's/"run_id":[0-9]*,//'; }

# Undisturbed runs: the expected outputs, the expected ledger lines, and how long each run takes.
timed() { # command...: runs it, prints its duration in milliseconds
  local t0 t1
  t0=$(date +%s%N)
  "$@" > /dev/null 2>> runs.log
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
ms_score=$(timed "${score[@]}")
cp scored.ndjson expected-scored.ndjson
cp score-rejects.ndjson expected-score-rejects.ndjson
ms_prepay=$(timed "${prepay[@]}")
cp prepay.ndjson expected-prepay.ndjson
ledger | grep '"ledger-line"' > expected-lines.ndjson
[ -s expected-lines.ndjson ] || { echo "fault-test: the undisturbed prepay posted nothing" >&2; exit 1; }
echo "fault-test: seed $seed; undisturbed runs: mi-score ${ms_score} ms, mi-clear prepay --post ${ms_prepay} ms" >&2

temps() { ls -A | grep -E '^\.(scored|score-rejects|prepay)\.ndjson\.tmp-' || true; }
check_mode() { # file...: each present file is mode 0600
  local f m
  for f in "$@"; do
    [ -e "$f" ] || continue
    m=$(stat -c %a "$f")
    [ "$m" = 600 ] || fail "$f has mode $m, not 600"
  done
}
check_complete() { # file expected: absent, or the same bytes as expected
  [ ! -e "$1" ] || cmp -s "$1" "$2" || fail "$1 is not the complete output ($(wc -c < "$1") bytes)"
}

killed_term=0 killed_kill=0 finished=0 stale_removed=0
left=""  # temporaries a SIGKILL left, which the next run of the same output must remove
for i in $(seq 1 "$kills"); do
  if (( i % 2 )); then tool=score; cmd=("${score[@]}"); ms=$ms_score; else tool=prepay; cmd=("${prepay[@]}"); ms=$ms_prepay; fi
  sig=TERM
  (( RANDOM % 2 )) && sig=KILL
  delay=$(( RANDOM % (ms * 6 / 5 + 1) ))
  before=$(runs | grep -c '"ledger-run"' || true)
  previous=$(temps)
  "${cmd[@]}" > /dev/null 2>> runs.log &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  exec 4>&2 2>/dev/null  # the shell's own notice of a killed job is not ours
  kill -s "$sig" "$pid" 2>/dev/null || true
  status=0
  wait "$pid" || status=$?
  exec 2>&4
  case $status in
    0) finished=$((finished + 1)) ;;
    143) killed_term=$((killed_term + 1)) ;;
    137) killed_kill=$((killed_kill + 1)) ;;
    *) fail "$tool ended with status $status (see $work/runs.log)" ;;
  esac
  # Outputs: absent or complete, and 0600.
  check_complete scored.ndjson expected-scored.ndjson
  check_complete score-rejects.ndjson expected-score-rejects.ndjson
  check_complete prepay.ndjson expected-prepay.ndjson
  check_mode scored.ndjson score-rejects.ndjson prepay.ndjson mi.db
  # Temporaries: only this run's after a SIGKILL; those of earlier SIGKILLs of the same tool are gone once this
  # run got as far as opening its output (a run killed before that could not remove them).
  now=$(temps)
  for t in $now; do
    if [ "$status" = 137 ] && [[ $t == *"-$pid" ]]; then check_mode "$t"; continue; fi
    grep -qx -- "$t" <<< "$previous" || fail "$t left behind (status $status)"
  done
  if [ "$status" != 137 ]; then
    for t in $now; do
      case $t in
        .scored.ndjson.*|.score-rejects.ndjson.*) [ $tool = score ] && [ "$status" = 0 ] && fail "$t not removed by a finished run" ;;
        .prepay.ndjson.*) [ $tool = prepay ] && [ "$status" = 0 ] && fail "$t not removed by a finished run" ;;
      esac
    done
  fi
  for t in $previous; do grep -qx -- "$t" <<< "$now" || stale_removed=$((stale_removed + 1)); done
  # The ledger: unchanged, or one more run whose effective lines are the expected ones.
  if [ $tool = prepay ]; then
    after=$(runs | grep -c '"ledger-run"' || true)
    if [ "$after" = $((before + 1)) ]; then
      ledger | grep '"ledger-line"' | cmp -s - expected-lines.ndjson || fail "the ledger holds a partial run"
    elif [ "$after" != "$before" ]; then
      fail "the ledger went from $before to $after runs"
    fi
    [ "$status" != 0 ] || [ "$after" = $((before + 1)) ] || fail "a finished --post run did not post"
    orphans=$(sqlite3 "$MI_DB" 'SELECT count(*) FROM ledger_line WHERE run_id NOT IN (SELECT id FROM ledger_run)' \
      2>/dev/null || echo 0)
    [ "$orphans" = 0 ] || fail "$orphans ledger lines without their run"
  fi
done

# One undisturbed run of each: every temporary left by a SIGKILL is gone, the outputs are complete.
"${score[@]}" > /dev/null 2>> runs.log
"${prepay[@]}" > /dev/null 2>> runs.log
i=final
[ -z "$(temps)" ] || fail "temporaries left after the final runs: $(temps | tr '\n' ' ')"
cmp -s scored.ndjson expected-scored.ndjson && cmp -s prepay.ndjson expected-prepay.ndjson || fail "final outputs differ"
check_mode scored.ndjson score-rejects.ndjson prepay.ndjson mi.db
ledger | grep '"ledger-line"' | cmp -s - expected-lines.ndjson || fail "final ledger lines differ"
echo "fault-test: $kills kills ($killed_term by SIGTERM, $killed_kill by SIGKILL, $finished finished first), \
$stale_removed stale temporaries removed by a later run: no partial output, no temporary left, ledger whole, \
outputs 0600" >&2
