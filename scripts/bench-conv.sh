#!/usr/bin/env bash
# Benchmark of mi-conv from: COUNT settlement rows as a platform CSV extract (setl_d's 100 columns, upper case, then
# the case fields setl_d lacks), converted to canonical NDJSON — against Python's csv module plus json.dumps doing
# the same mapping (upper → lower case, the alias table, null/empty left out, money checked to two decimals, whole
# numbers, times checked), in one run. Python is given the easier output: json.dumps of a dict whose money is a
# float (1234.5, not 1234.50). Wall time and CPU time are both shown: on a shared machine the CPU time is the
# steadier figure.
# Usage: scripts/bench-conv.sh [COUNT]   (default 1,000,000 rows)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
swift build -c release --scratch-path .build-release --product mi-gen >&2
swift build -c release --scratch-path .build-release --product mi-conv >&2
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/mi-gen" cases --count "$count" --seed 1 --year 2024 --layout platform --format csv -o "$dir/x" 2> /dev/null
csv="$dir/x.setl_d.csv"
size=$(stat -c %s "$csv")
echo "input: $count rows of $(head -1 "$csv" | tr ',' '\n' | wc -l) columns, $((size / 1000000)) MB"
cat > "$dir/conv.py" <<'PY'
import csv, json, re, sys
from decimal import Decimal
ALIASES = {"inscp_amt": "inscp_scp_amt", "cash_payamt": "psn_cash_pay", "psn_cashpay": "psn_cash_pay",
  "psn_pay": "psn_part_amt", "othfund_pay": "oth_pay", "hi_type": "insutype", "begndate": "adm_time",
  "enddate": "dscg_time", "begntime": "adm_time", "endtime": "dscg_time", "patn_cert_type": "psn_cert_type",
  "insu_admdvs": "insuplc_admdvs", "ipt_days": "act_ipt_days", "bkkp_sn": "feedetl_sn",
  "bilg_dr_code": "bilg_dr_codg", "acord_dr_code": "acord_dr_codg"}
MONEY = set("medfee_sumamt fulamt_ownpay_amt overlmt_selfpay preselfpay_amt inscp_scp_amt act_pay_dedc hifp_pay "
  "hifmi_pay hifob_pay cvlserv_pay hifes_pay maf_pay oth_pay fund_pay_sumamt psn_part_amt acct_pay psn_cash_pay "
  "hosp_part_amt hv_mcs_amt special_amt pric_uplmt_amt det_item_fee_sumamt overlmt_amt".split())
INTS = set("age nwb_age nwb_bir_wt nwb_adm_wt act_ipt_days".split())
TIMES = set("setl_time adm_time dscg_time fee_ocur_time".split())
TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
TWO = Decimal("0.01")
reader = csv.reader(open(sys.argv[1], newline="", encoding="utf-8-sig"))
names = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in next(reader)]
out = sys.stdout
for row in reader:
  rec = {}
  for name, v in zip(names, row):
    if v == "" or v.lower() == "null":
      continue
    if name in MONEY:
      d = Decimal(v)
      if d != d.quantize(TWO): raise ValueError(name)
      rec[name] = float(d)
    elif name in INTS:
      rec[name] = int(Decimal(v))
    elif name in TIMES:
      if not TIME.match(v): raise ValueError(name)
      rec[name] = v
    else:
      rec[name] = v
  out.write(json.dumps(rec, ensure_ascii=False))
  out.write("\n")
PY
measure() { # name, command...: prints seconds and peak RSS
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/rss" "$@" > "$dir/out-$name" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  local secs
  secs=$(echo "$t1 - $t0" | bc -l)
  local rss user sys
  read -r rss user sys < "$dir/rss"
  printf '%-8s %8.3f s (cpu %7.2f s)  %10.0f rows/s  %7.1f MB/s  peak RSS %6d KB  %d lines\n' "$name" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$count / $secs" | bc -l)" "$(echo "$size / $secs / 1000000" | bc -l)" \
    "$rss" "$(wc -l < "$dir/out-$name")"
  echo "$secs" > "$dir/t-$name"
}
measure python python3 "$dir/conv.py" "$csv"
measure mi-conv "$bin/mi-conv" from "$csv"
tail -1 "$dir/err"
printf 'mi-conv from is %.1fx faster than Python csv + json.dumps\n' \
  "$(echo "$(cat "$dir/t-python") / $(cat "$dir/t-mi-conv")" | bc -l)"
