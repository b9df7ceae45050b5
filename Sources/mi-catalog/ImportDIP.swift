import ArgumentParser
import MICommandLine
import MIGrouping
import MIReference

/// `mi-catalog import dip`: a DIP catalog version (groups, 分值, auxiliary entries, hospital-level coefficients).
struct ImportDIP: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dip",
    abstract: "Import a DIP catalog (病种, 分值, scale; NDJSON, CSV or TSV).",
    discussion: """
      NDJSON (.ndjson, .jsonl): the review file of 'mi-score derive', or a
      bureau's catalog in that shape: one "kind":"catalog-entry" object per
      line, "entry" being one of
        version    scale (1000, 100 or 1)
        group      dip_code, dip_name, dip_kind (core, comprehensive, basic),
                   dx_key (亚目 K35.8; 类目 K35 for comprehensive), oprn_expr
                   (core: '/' any of, '+' all of, principal first; empty =
                   保守治疗), oprn_class (comprehensive: 相关手术, 治疗性操作,
                   诊断性操作, 内科诊疗), score (分值)
        aux        aux_code, aux_name, aux_type (severity, tumour, age, icu,
                   cci), groups ([] = all core), min_age_days, max_age_days,
                   min_icu_days, max_icu_days, min_cci, max_cci, sec_dx,
                   dscg_way, min_los, coef (辅助分型调节系数)
        hosp-coef  hosp_lv, coef (医疗机构调节系数)
      CSV/TSV: a header naming dip_code, dip_kind, dx_key, score (dip_name,
      oprn_expr, oprn_class optional): groups only, scale from --scale.
      --proc-class copies an operation-class version into the catalog, so
      that 'mi-group --dip' finds comprehensive groups from the catalog alone.

      Example:
        mi-catalog import proc-class examples/dip/proc-class.tsv --name pc
        mi-catalog import dip examples/dip/catalog.ndjson --name dip-ex \\
          --proc-class pc
      """)

  @Argument(help: ArgumentHelp("The catalog file (NDJSON, CSV or TSV).", valueName: "file")) var file: String
  @Option(help: ArgumentHelp("Operation-class dictionary version (kind proc-class) to carry.", valueName: "name"))
  var procClass: String?
  @Option(help: ArgumentHelp("Score scale for a CSV/TSV catalog: 1000, 100 or 1.", valueName: "n"))
  var scale: Int64 = 1000
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    guard DIPCatalog.scales.contains(scale) else { throw ValidationError("--scale must be 1000, 100 or 1") }
    try ReferenceImport.dip(file, name: options.name, replace: options.replace, scale: scale, procClass: procClass) {
      try common.workspace(.create)
    }
  }
}
