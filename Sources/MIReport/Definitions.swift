/// Where an indicator's inputs come from: its column is shown only when such records were read.
enum Source: Sendable {
  case cases, outpatient, clearing, capitation, previous, registry
}

/// One indicator: its column, its formula and where the definition comes from (`--explain`).
public struct IndicatorDefinition: Sendable {
  /// The column (field name and labels).
  public var column: Column
  /// The formula in Chinese and in English, with the rounding.
  public var formula: (zh: String, en: String)
  /// The source of the definition (DOMAIN.md section and the policy text it cites).
  public var source: String
  let from: Source

  init(_ key: String, _ zh: String, _ en: String, _ fzh: String, _ fen: String, _ source: String, _ from: Source) {
    column = Column(key, zh, en)
    formula = (fzh, fen)
    self.source = source
    self.from = from
  }
}

/// The indicators of `mi-report indicators`, in column order. Ratios are exact quotients of integer totals rounded
/// once half up (四舍五入) to 4 decimals (shown as a percentage with 2); money means are fen rounded half up.
public enum Indicators {
  /// Every indicator.
  public static let all: [IndicatorDefinition] = [
    .init(
      "cases", "住院病例数", "inpatient cases", "住院结算记录数 (med_type 21–29、52)",
      "inpatient settlement records (med_type 21–29, 52)",
      "SCHEMA.md med_type", .cases),
    .init(
      "grouping_rate", "入组率", "grouping rate", "入组病例数 ÷ 经分组的住院病例数 (group_status = grouped)",
      "grouped cases ÷ inpatient cases with a group_status", "DOMAIN.md §6 (seed 000 阜新: ≥ 90%)", .cases),
    .init(
      "fund_share", "基金支出占比", "fund share", "按病种付费(有 points 的病例)统筹基金支出 ÷ 住院统筹基金支出 (hifp_pay)",
      "hifp_pay of cases paid by DRG/DIP (scored, with points) ÷ hifp_pay of all inpatient cases",
      "DOMAIN.md §6 (seed 000: ≥ 70%)", .cases),
    .init(
      "cmi", "CMI", "CMI", "Σ(病组权重或分值) ÷ 入组病例数, 4 位小数 (DIP 分值为 ×1000 标度)",
      "Σ weight (RW or DIP score) ÷ grouped cases, 4 decimals (DIP scores on their ×1000 scale)",
      "DOMAIN.md §7 (DIP3 pp.102–103)", .cases),
    .init(
      "time_index", "时间消耗指数", "time index", "Σ(住院天数 ÷ 该病组区域平均住院天数) ÷ 病例数; 每组一项取 8 位小数, 结果 4 位",
      "Σ(days ÷ the group's mean days over the whole input) ÷ cases; each group's term at 8 decimals, result at 4",
      "DOMAIN.md §7 (DIP3 pp.102–103)", .cases),
    .init(
      "cost_index", "费用消耗指数", "cost index", "Σ(病例费用 ÷ 该病组区域平均费用) ÷ 病例数; 每组一项取 8 位小数, 结果 4 位",
      "Σ(cost ÷ the group's mean cost over the whole input) ÷ cases; each group's term at 8 decimals, result at 4",
      "DOMAIN.md §7 (DIP3 pp.102–103)", .cases),
    .init(
      "cost_cv", "费用变异系数", "cost CV", "总体标准差 ÷ 均值 = √(n·Σx² − (Σx)²) ÷ Σx (医疗费总额, 分)",
      "population SD ÷ mean = √(n·Σx² − (Σx)²) ÷ Σx over medfee_sumamt in fen", "DOMAIN.md §7", .cases),
    .init(
      "avg_cost", "次均住院费用", "cost per case", "Σ医疗费总额 ÷ 住院病例数 (分, 四舍五入)",
      "Σ medfee_sumamt ÷ inpatient cases (fen, half up)", "DOMAIN.md §7, §9.9 (seed 004 安阳)", .cases),
    .init(
      "avg_cost_growth", "次均费用增长率", "cost per case growth",
      "(本期次均 − 上期次均) ÷ 上期次均 = (本期Σ × 上期n − 上期Σ × 本期n) ÷ (上期Σ × 本期n); 上期月份加一年比较",
      "(current − previous) ÷ previous mean, exactly (cs·pn − ps·cn) ÷ (ps·cn); --previous months are moved one year on",
      "DOMAIN.md §9.9 (seed 004: 11,080 → 10,468 = −5.52%)", .previous),
    .init(
      "drug_ratio", "药占比", "drug ratio", "(西药费09 + 中药饮片费10 + 中成药费11) ÷ 医疗费总额 (有 item_amts 的病例)",
      "item_amts 09 + 10 + 11 ÷ medfee_sumamt, over cases with item_amts", "SCHEMA.md item_amts", .cases),
    .init(
      "material_ratio", "耗占比", "material ratio", "卫生材料费08 ÷ 医疗费总额 (有 item_amts 的病例)",
      "item_amts 08 ÷ medfee_sumamt, over cases with item_amts", "SCHEMA.md item_amts", .cases),
    .init(
      "high_share", "高倍率病例占比", "high outlier share", "case_class = high ÷ 已计分病例", "high cases ÷ scored cases",
      "DOMAIN.md §2.3, §7 (outlier share)", .cases),
    .init(
      "low_share", "低倍率病例占比", "low outlier share", "case_class = low ÷ 已计分病例", "low cases ÷ scored cases",
      "DOMAIN.md §2.3, §7", .cases),
    .init(
      "special_share", "特例单议占比", "special review share", "case_class = special ÷ 已计分病例",
      "special cases ÷ scored cases", "DOMAIN.md §2.4, §7", .cases),
    .init(
      "points", "病例总点数", "case points", "Σ points (4 位小数)", "Σ points (4 decimals)", "DOMAIN.md §2.3", .cases),
    .init(
      "medfee_sumamt", "医疗费总额", "total cost", "Σ medfee_sumamt", "Σ medfee_sumamt", "SCHEMA.md", .cases),
    .init("hifp_pay", "统筹基金支出", "fund paid", "Σ hifp_pay", "Σ hifp_pay", "SCHEMA.md", .cases),
    .init(
      "outpatient", "门诊人次", "outpatient visits", "门诊结算记录数", "outpatient settlement records", "SCHEMA.md med_type",
      .outpatient),
    .init(
      "opt_ipt_ratio", "门诊住院比", "outpatient/inpatient", "门诊人次 ÷ 住院病例数", "outpatient visits ÷ inpatient cases",
      "issue 15 (门诊住院比)", .outpatient),
    .init(
      "visits_per_person", "人次人头比", "visits per person", "门诊人次 ÷ 门诊就医人数 (不同 psn_no)",
      "outpatient visits ÷ distinct outpatient psn_no", "DOMAIN.md §4 (就医人数)", .outpatient),
    .init(
      "clear_cases", "清算病例数", "cleared cases", "Σ cases (清算记录)", "Σ cases of the clearing records",
      "mi-clear(1) kind clearing", .clearing),
    .init(
      "clear_points", "清算点数", "cleared points", "Σ points (清算记录)", "Σ points of the clearing records",
      "mi-clear(1)", .clearing),
    .init(
      "payable_amt", "应支付额", "payable", "Σ payable_amt", "Σ payable_amt", "DOMAIN.md §3.4", .clearing),
    .init(
      "ffs_amt", "按项目记账额", "fee-for-service", "Σ ffs_amt", "Σ ffs_amt", "DOMAIN.md §3.5", .clearing),
    .init(
      "clearing_amt", "清算金额", "clearing amount", "Σ clearing_amt (应支付 − 预拨 − 周转金 − 质量保证金 + 返还)",
      "Σ clearing_amt (payable − prepaid − turnover − deposit + deposit returned)", "DOMAIN.md §3.4", .clearing),
    .init(
      "settle_ratio", "结算率", "settlement rate",
      "Σ(assessed + carve_out + special_case + surplus_adj) ÷ Σ ffs_amt (按病种支付 ÷ 按项目记账)",
      "Σ(assessed + carve-outs + special cases + surplus/overspend) ÷ Σ ffs_amt (DRG/DIP payment ÷ fee-for-service)",
      "DOMAIN.md §7 (seed 004 安阳: 92% → 100.4%)", .clearing),
    .init(
      "payment_ratio", "医保结算支付比", "settlement payment ratio", "Σ ffs_amt ÷ Σ(按病种支付) (结算率的倒数)",
      "Σ ffs_amt ÷ Σ DRG/DIP payment (the inverse of the settlement rate)", "DOMAIN.md §7 (DIP3 pp.89–93)", .clearing),
    .init(
      "cap_settlements", "按人头结算人次", "capitation visits", "Σ setl_cnt (按人头记录)",
      "Σ setl_cnt of the capitation records", "mi-capita(1)", .capitation),
    .init(
      "cap_payout_amt", "按人头支付额", "capitation payout", "Σ payout_amt", "Σ payout_amt", "DOMAIN.md §4", .capitation),
    .init(
      "cap_clearing_amt", "按人头清算额", "capitation clearing", "Σ clearing_amt (按人头记录)",
      "Σ clearing_amt of the capitation records", "DOMAIN.md §4", .capitation),
  ]

  /// The explanation `--explain` prints: one paragraph per indicator shown.
  public static func explain(_ keys: [String], lang: ReportLanguage) -> String {
    var out = ""
    for d in all where keys.contains(d.column.key) {
      let f = lang == .zh ? d.formula.zh : d.formula.en
      out += "\(d.column.key) (\(d.column.label(lang))): \(f) [\(d.source)]\n"
    }
    return out
  }
}
