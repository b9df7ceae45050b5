#!/usr/bin/env bash
# The newcomer's demo: installs what is missing, builds release, creates a demo workspace from examples/,
# generates a year of data, and runs the pipeline that exists so far, printing its summaries.
# Usage: scripts/demo.sh [DIR]   (default: ./demo; the database is DIR/mi.db)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
echo "== building (release)" >&2
swift build -c release >&2
bin=$(swift build -c release --show-bin-path)
export PATH="$bin:$PATH"
demo=${1:-demo}
mkdir -p "$demo"
cd "$demo"
export MI_DB=$PWD/mi.db
rm -f mi.db
ex=$root/examples

echo "== workspace and reference data" >&2
mi-catalog init
mi-catalog import dx "$ex/dx.tsv" --name dx-demo
mi-catalog import proc "$ex/proc.tsv" --name proc-demo
mi-catalog import dict "$ex/dict.tsv" --name dict-demo
mi-gen hospitals --hospitals 20 --year 2024 -o hospitals.csv
mi-catalog import hospitals hospitals.csv --name hospitals-2024
mi-catalog list

echo "== generated data: three years of history and the current year" >&2
for y in 2021 2022 2023; do
  mi-gen cases --count 20000 --seed "$y" --year "$y" --hospitals 20 --dx dx-demo --proc proc-demo
done > history.ndjson
# The current year arrives as a bureau hands it over: the platform's extracts (settlements in setl_d's columns,
# the settlement list's long diagnosis and operation tables) in GB18030 CSV, joined by mi-conv into case records.
# Without the platform layouts (../shared/reference/platform) the cases are generated as NDJSON directly.
layouts=$root/../shared/reference/platform
if [ -f "$layouts/setl_d.columns" ]; then
  mi-gen cases --count 20000 --seed 2024 --year 2024 --hospitals 20 --dx dx-demo --proc proc-demo \
    --layout platform --format csv --encoding gb18030 --layouts "$layouts" -o extract-2024
  mi-conv cases --encoding gb18030 --settlements extract-2024.setl_d.csv \
    --diagnoses extract-2024.setl_list_diag_d.csv --operations extract-2024.setl_list_oprn_d.csv > cases-2024.ndjson
else
  mi-gen cases --count 20000 --seed 2024 --year 2024 --hospitals 20 --dx dx-demo --proc proc-demo > cases-2024.ndjson
fi
mi-gen outpatient --count 100000 --persons 20000 --institutions 20 --seed 2024 --year 2024 > outpatient-2024.ndjson
echo "history: $(wc -l < history.ndjson) cases; 2024: $(wc -l < cases-2024.ndjson) cases, $(wc -l < outpatient-2024.ndjson) outpatient settlements" >&2

# --- pipeline steps (each tool adds its step below) ---
echo "== DIP: derive a catalog from the history, group 2024 with it" >&2
mi-catalog import proc-class "$ex/dip/proc-class.tsv" --name proc-class-demo
mi-score derive --method dip --proc-class proc-class-demo -o dip-2024.ndjson history.ndjson
mi-catalog import dip dip-2024.ndjson --name dip-2024 --proc-class proc-class-demo
mi-group --dip dip-2024 cases-2024.ndjson > cases-2024.dip.ndjson
echo "== scoring: 分值, coefficients, outlier classes and points of the 2024 cases" >&2
mi-catalog import params "$ex/params-2024.toml" --name params-2024
mi-score --params params-2024 --catalog dip-2024 cases-2024.dip.ndjson > cases-2024.scored.ndjson
echo "== clearing: prepay January to March to the ledger (March twice: the ledger keeps one run), settle 2024" >&2
for m in 01 02 03 03; do
  mi-clear prepay --month "2024-$m" --params params-2024 --post cases-2024.scored.ndjson > /dev/null
done
mi-clear ledger >&2
mi-clear settle --year 2024 --params params-2024 --adjustments "$ex/adjustments.ndjson" cases-2024.scored.ndjson \
  > clearing-2024.ndjson
grep '"kind":"pool"' clearing-2024.ndjson | cut -c1-200 >&2
echo "== DRG: the example scheme, with the trace of one case; CHS-DRG 1.1 when ../shared/reference is there" >&2
mi-catalog import drg-scheme "$ex/drg-mini" --name drg-mini
mi-group --scheme drg-mini "$ex/drg-mini/samples.jsonl" > drg-mini.grouped.ndjson
grep '"M002"' "$ex/drg-mini/samples.jsonl" | mi-group --scheme drg-mini --explain 2>/dev/null | grep -o '"group_trace".*' >&2
if [ -d "$root/../shared/reference/drg/chs-drg-1.1" ]; then
  mi-catalog import drg-scheme "$root/../shared/reference/drg/chs-drg-1.1" --name chs-drg-1.1
  mi-group --scheme chs-drg-1.1 cases-2024.ndjson > cases-2024.drg.ndjson
fi
echo "== capitation (Lishui): prepay January and February to the ledger, clear the year" >&2
for m in 01 02; do
  mi-capita prepay --month "2024-$m" --params params-2024 --post outpatient-2024.ndjson > /dev/null
done
mi-capita settle --year 2024 --params params-2024 --draft-date 2025-02-10 outpatient-2024.ndjson \
  > capitation-2024.ndjson
grep '"kind":"pool"' capitation-2024.ndjson | cut -c1-160 >&2
echo "== audit: a year of fee lines with planted violations, the example rules over the knowledge points," \
  "doctor points to the ledger, the 明确违规 findings as deductions into a second clearing of 2024" >&2
kp="$ex/audit/kp-mini"
if [ -d "$root/../shared/reference/audit" ]; then kp="$root/../shared/reference/audit"; fi
mi-catalog import kp "$kp" --name kp-demo
mi-catalog import audit-rules "$ex/audit/rules.toml" --name rules-demo --kp kp-demo
mi-gen fees --count 4000 --seed 2024 --year 2024 --hospitals 20 --inject 0.02 --kp kp-demo --rules rules-demo \
  --manifest audit-manifest-2024.ndjson --cases-out audit-cases-2024.ndjson \
  --previous-out audit-previous-2024.ndjson -o audit-fees-2024.ndjson
mi-audit run --rules rules-demo --kp kp-demo --hospitals hospitals-2024 --cases audit-cases-2024.ndjson \
  --previous audit-previous-2024.ndjson --fees audit-fees-2024.ndjson -o findings-2024.ndjson
mi-audit summary --by rule findings-2024.ndjson > audit-summary-2024.ndjson
grep '"by":"total"' audit-summary-2024.ndjson >&2
mi-audit doctors --year 2024 --rules rules-demo --auto --cases audit-cases-2024.ndjson --post findings-2024.ndjson \
  > doctor-points-2024.ndjson
mi-audit summary --as-adjustments --period 2024 --hospitals hospitals-2024 findings-2024.ndjson \
  | mi-clear settle --year 2024 --params params-2024 --adjustments - cases-2024.scored.ndjson \
  > clearing-2024.audited.ndjson
grep '"kind":"pool"' clearing-2024.audited.ndjson | cut -c1-200 >&2
# --- end of pipeline steps ---
# --- report (mi-report): each hospital's clearing as a table for the terminal, and the HTML report ---
echo "== report: each hospital's clearing, and report.html (charts, drill-down to the cases)" >&2
mi-report indicators --hospitals hospitals-2024 --tables indicator \
  --columns fixmedins_code,fixmedins_name,clear_cases,clear_points,clearing_amt,settle_ratio clearing-2024.ndjson
mi-report indicators --format html -o report.html --hospitals hospitals-2024 --params params-2024 \
  cases-2024.scored.ndjson clearing-2024.ndjson capitation-2024.ndjson outpatient-2024.ndjson
echo "report: $PWD/report.html" >&2
echo "== done: the demo workspace is $PWD" >&2
