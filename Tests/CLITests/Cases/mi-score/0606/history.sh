# Three years of history, the same every year (so the weighted means equal the yearly ones):
# - K35.800 + 47.0100: 10 cases at 10,000.00 (30 in all: core);
# - I10.x00, no operation: 10 cases at 5,000.00 (core, 保守治疗);
# - K35.900 + 51.2300 (手术): 2 cases at 8,000.00 (6 in all: below 15 → comprehensive K35_S).
# Pool mean per year = (100,000 + 50,000 + 16,000)/22 = 7,545.454545; 分值 = mean / M × 1000:
# K35.8_47.0100 = 220000/166 = 1325.3012; I10.x_C = 110000/166 = 662.6506; K35_S = 176000/166 = 1060.2410.
n=0
add() {
  n=$((n + 1))
  printf '{"setl_id":"H%d","setl_time":"%d-03-01 09:00:00","hosp_lv":"2","diag_codes":["%s"],"oprn_codes":[%s],"medfee_sumamt":%s}\n' \
    "$n" "$year" "$1" "$2" "$3"
}
for year in 2021 2022 2023; do
  for i in 1 2 3 4 5 6 7 8 9 10; do
    add K35.800 '"47.0100"' 10000.00
    add I10.x00 '' 5000.00
  done
  for i in 1 2; do add K35.900 '"51.2300"' 8000.00; done
done > history.ndjson
