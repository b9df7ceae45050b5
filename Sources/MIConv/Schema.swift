import Foundation
import MICore

/// How a canonical field's text becomes JSON (SCHEMA.md): codes stay strings, money becomes yuan with two decimals.
public enum FieldKind: Sendable, Equatable {
  /// Text, codes included (`"0101"` keeps its zero).
  case text
  /// Yuan with at most two decimals, written with exactly two (`1234.50`).
  case money
  /// A whole number (`age`, `act_ipt_days`); `69.0` is read as 69.
  case integer
  /// A decimal number written as read (`cnt`, `pric`: the platform keeps 4–6 places).
  case decimal
  /// `yyyy-MM-dd HH:mm:ss`, from the forms extracts use.
  case time
  /// `yyyy-MM-dd`.
  case date
  /// An array of codes (`diag_codes`), `;`-separated in a table.
  case codes
  /// A JSON object kept as JSON text in a table (`item_amts`).
  case object
}

/// One canonical field: its kind and its Chinese label (`--labels zh`).
public struct FieldInfo: Sendable {
  /// The kind.
  public var kind: FieldKind
  /// The label, the bureau's own term (SCHEMA.md).
  public var label: String
}

/// The canonical record fields of SCHEMA.md and the platform's extraction names that map to them.
public enum Schema {
  /// Every canonical field of the case and fee records (SCHEMA.md), with its kind and label.
  public static let fields: [String: FieldInfo] = {
    var f: [String: FieldInfo] = [:]
    func add(_ kind: FieldKind, _ pairs: [(String, String)]) {
      for (name, label) in pairs { f[name] = FieldInfo(kind: kind, label: label) }
    }
    add(
      .text,
      [
        ("setl_id", "结算ID"), ("mdtrt_id", "就诊ID"), ("psn_no", "人员编号"), ("psn_name", "姓名"), ("certno", "证件号码"),
        ("psn_cert_type", "证件类型"), ("fixmedins_code", "定点医药机构编号"), ("fixmedins_name", "定点医药机构名称"),
        ("hosp_lv", "医院等级"), ("insutype", "险种类型"), ("psn_type", "人员类别"), ("med_type", "医疗类别"),
        ("insuplc_admdvs", "参保地医保区划"), ("fix_blng_admdvs", "定点归属医保区划"), ("refd_setl_flag", "退费结算标志"),
        ("init_setl_id", "原结算ID"), ("gend", "性别"), ("adm_caty", "入院科别"), ("dscg_caty", "出院科别"),
        ("dscg_way", "离院方式"), ("days_rinp_flag_31", "出院31天内再住院计划"), ("chfpdr_code", "主诊医师代码"),
        ("feedetl_sn", "费用明细流水号"), ("init_feedetl_sn", "原费用流水号"), ("med_list_codg", "医保目录编码"),
        ("medins_list_codg", "医药机构目录编码"), ("list_type", "目录类别"), ("med_chrgitm_type", "医疗收费项目类别"),
        ("chrgitm_lv", "收费项目等级"), ("bilg_dept_codg", "开单科室编码"), ("bilg_dr_codg", "开单医生编码"),
        ("acord_dr_codg", "受单医生编码"), ("hosp_appr_flag", "医院审批标志"),
      ])
    add(
      .money,
      [
        ("medfee_sumamt", "医疗费总额"), ("fulamt_ownpay_amt", "全自费金额"), ("overlmt_selfpay", "超限价自费费用"),
        ("preselfpay_amt", "先行自付金额"), ("inscp_scp_amt", "符合政策范围金额"), ("act_pay_dedc", "实际支付起付线"),
        ("hifp_pay", "基本医疗保险统筹基金支出"), ("hifmi_pay", "大病补充医疗保险基金支出"), ("hifob_pay", "大额医疗补助基金支出"),
        ("cvlserv_pay", "公务员医疗补助资金支出"), ("hifes_pay", "企业补充医疗保险基金支出"), ("maf_pay", "医疗救助基金支出"),
        ("oth_pay", "其他支出"), ("fund_pay_sumamt", "基金支付总额"), ("psn_part_amt", "个人负担总金额"),
        ("acct_pay", "个人账户支出"), ("psn_cash_pay", "个人现金支出"), ("hosp_part_amt", "医院负担金额"),
        ("hv_mcs_amt", "高值医用耗材金额"), ("special_amt", "门诊特殊费用"), ("pric_uplmt_amt", "最高限价"),
        ("det_item_fee_sumamt", "明细项目费用总额"), ("overlmt_amt", "超限价金额"),
      ])
    add(
      .integer,
      [
        ("age", "年龄"), ("nwb_age", "新生儿年龄"), ("nwb_bir_wt", "新生儿出生体重"), ("nwb_adm_wt", "新生儿入院体重"),
        ("act_ipt_days", "实际住院天数"),
      ])
    add(.decimal, [("cnt", "数量"), ("pric", "单价")])
    add(.time, [("setl_time", "结算时间"), ("adm_time", "入院时间"), ("dscg_time", "出院时间"), ("fee_ocur_time", "费用发生时间")])
    add(.date, [("brdy", "出生日期")])
    add(.codes, [("diag_codes", "诊断代码"), ("oprn_codes", "手术操作代码")])
    add(.object, [("item_amts", "收费项目金额")])
    return f
  }()

  /// Platform extraction names (lower case) that differ from the canonical names, for every table.
  ///
  /// SCHEMA.md's alias table, plus the differences between the extraction tables' columns
  /// (`../shared/reference/platform/*.columns`) and the interface names: setl_d's `insu_admdvs` is the 参保地医保区划
  /// the 2207 settlement result calls `insuplc_admdvs`; mdtrt_d's `begntime`/`endtime`/`ipt_days` are the case's
  /// `adm_time`/`dscg_time`/`act_ipt_days`; fee_list_d's `bkkp_sn` (记账流水号) is the 2301/5204 `feedetl_sn`, and
  /// its doctors' `_code` columns are the interface's `_codg`.
  public static let aliases: [String: String] = [
    "inscp_amt": "inscp_scp_amt", "cash_payamt": "psn_cash_pay", "psn_cashpay": "psn_cash_pay",
    "psn_pay": "psn_part_amt", "othfund_pay": "oth_pay", "hi_type": "insutype", "begndate": "adm_time",
    "enddate": "dscg_time", "begntime": "adm_time", "endtime": "dscg_time", "patn_cert_type": "psn_cert_type",
    "insu_admdvs": "insuplc_admdvs", "ipt_days": "act_ipt_days", "bkkp_sn": "feedetl_sn",
    "bilg_dr_code": "bilg_dr_codg", "acord_dr_code": "acord_dr_codg",
  ]

  /// Aliases that hold only in a fee-line table: there `overlmt_selfpay` is the line's 超限价金额 (`overlmt_amt`),
  /// while in a settlement it is the canonical case field of the same name.
  public static let feeAliases: [String: String] = ["overlmt_selfpay": "overlmt_amt"]

  /// Columns of the platform's extraction tables that have no canonical counterpart and are kept under their own
  /// name, deliberately: bookkeeping (`rid`, `crter_id`, `updt_time`), names beside codes, the settlement list's
  /// own columns that `mi-conv cases` reads (`diag_code`, `maindiag_flag`, `setl_list_sn`), and fields no tool
  /// uses yet. `ownpay_hosp_part` (自费中医院负担部分) is not `hosp_part_amt` (医院负担金额) and is not mapped to it.
  /// Kept columns are text. A test checks every column of the reference lists is canonical, aliased or here.
  public static let kept: Set<String> = [
    "acct_mulaid_pay", "acct_used_flag", "acord_dept_codg", "acord_dept_name", "acord_dr_name", "addr", "adm_bed",
    "adm_cond_type", "adm_dept_codg", "adm_dept_name", "adm_diag_dscr", "afil_indu", "afil_rlts", "anst_begntime",
    "anst_dr_code", "anst_dr_name", "anst_endtime", "anst_way", "ars_year_ipt_flag", "balc", "bas_medn_flag",
    "bilg_dept_name", "bilg_dr_name", "birctrl_matn_date", "birctrl_type", "bydise_setl_payamt", "cal_ipt_cnt",
    "chfpdr_name", "chld_medc_flag", "chrg_bchno", "clct_grde", "clr_optins", "clr_type", "clr_way", "comb_no",
    "coner_name", "cop_flag", "crt_dedc", "crte_optins_no", "crte_time", "crter_id", "crter_name",
    "cvlserv_bedfee_amt", "cvlserv_flag", "cvlserv_lv", "dedc_hosp_lv", "dedc_std", "diag_code", "diag_name",
    "diag_type", "die_date", "dise_codg", "dise_name", "dise_no", "dise_type_code", "dosform_name", "drt_reim_flag",
    "dscg_bed", "dscg_dept_codg", "dscg_dept_name", "dscg_maindiag_code", "dscg_maindiag_name", "dscg_tkdrug_flag",
    "econ_type", "emp_mgt_type", "emp_name", "emp_no", "emp_type", "etip_flag", "etip_hosp_code",
    "exct_item_fund_payamt", "fetts", "fetus_cnt", "flxempe_flag", "fpsc_no", "geso_val", "hi_agre_sumfee",
    "hi_nego_drug_flag", "hifdm_pay", "hilist_code", "hilist_name", "hosp_prep_flag", "inhosp_stas", "invono",
    "ipt_otp_no", "latechb_flag", "list_sp_item_flag", "lmt_used_flag", "lmtpric_hosp_lv", "main_cond_dscr",
    "main_oprn_flag", "maindiag_flag", "manl_reim_rea", "matn_fee_flag", "matn_type", "mdtrt_cert_no",
    "mdtrt_cert_type", "medc_way_dscr", "medins_disc_amt", "medins_list_name", "medins_setl_id", "medrcdno", "memo",
    "mid_setl_flag", "naty", "nwb_flag", "oper_dr_code", "oper_dr_name", "oprn_oprt_begntime", "oprn_oprt_code",
    "oprn_oprt_date", "oprn_oprt_endtime", "oprn_oprt_name", "opt_time", "opter_id", "opter_name", "optins_no",
    "otp_diag_info", "ownpay_hosp_part", "pay_loc", "pool_prop_selfpay", "poolarea_no", "prcu_drug_flag", "prd_days",
    "pre_pay_flag", "pret_flag", "prey_time", "prodname", "prodplac_type", "psn_insu_rlts_id", "psn_setlway", "pt",
    "quts_type", "refl_old_mdtrt_id", "reim_prop", "rid", "rloc_type", "rx_circ_flag", "rx_drord_no",
    "same_dise_adm_flag", "selfpay_prop", "setl_cashpay_way", "setl_list_diag_id", "setl_list_oprn_id",
    "setl_list_sn", "setl_type", "sin_dos_dscr", "sp_psn_type", "sp_psn_type_lv", "spec", "tcmdrug_used_way", "tel",
    "traf_dept_flag", "trt_dcla_detl_sn", "ttp_pay_flag", "ttp_pay_prop", "updt_time", "used_frqu_dscr", "vali_flag",
    "wardarea_bed", "year",
  ]

  /// The canonical name of an extract's column: `--map` first, then the aliases (the fee-line ones when `fee`),
  /// then the lower-cased name itself.
  public static func canonical(_ column: String, fee: Bool, map: [String: String] = [:]) -> String {
    let trimmed = column.trimmingCharacters(in: .whitespaces)
    if let m = map[trimmed] ?? map[trimmed.lowercased()] { return m }
    let lower = trimmed.lowercased()
    if fee, let a = feeAliases[lower] { return a }
    return aliases[lower] ?? lower
  }

  /// The platform name a canonical field is written under in `table`'s layout (the inverse of `canonical`), or
  /// nil when the table has no such column.
  public static func platformName(of field: String, in columns: [String], fee: Bool) -> String? {
    columns.first { canonical($0, fee: fee) == field }
  }
}
