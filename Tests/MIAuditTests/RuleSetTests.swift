import MICore
import Testing

@testable import MIAudit

/// The rule-set reader: settings, rules, parameters read by key, errors naming the line and key.
@Suite struct RuleSetTests {
  static let text = """
    [settings]
    inpatient_med_types = ["21"]

    [[rule]]
    id = "X01"
    type = "frequency"
    name = "限定频次"
    sev_deg = "可疑"
    amt_mode = "excess"
    codes = ["001"]
    max_count = 2
    rate = 0.5

    [[rule.example]]
    note = "两次"
    fees = '''
    {"feedetl_sn":"F1"}
    '''
    expect = 1
    vola_amt = "3.00"
    """

  @Test func readsSettingsRulesAndExamples() throws {
    let set = try RuleSet(text: RuleSetTests.text, name: "r.toml")
    #expect(set.settings.inpatientMedTypes == ["21"])
    #expect(set.settings.isInpatient("2101"))
    #expect(!set.settings.isInpatient("11"))
    #expect(set.rules.count == 1)
    let r = set.rules[0]
    #expect(r.id == "X01" && r.sevDeg == "可疑" && r.amtMode == .excess && r.line == 4)
    #expect(try r.int("max_count", default: nil) == 2)
    #expect(try r.fixed("rate", scale: 2, default: nil) == Fixed("0.50", scale: 2)!)
    #expect(try r.strings("codes", default: nil) == ["001"])
    #expect(r.examples.count == 1 && r.examples[0].expect == 1 && r.examples[0].volaAmt == 300)
    #expect(r.examples[0].fees.contains("F1"))
    #expect(r.unusedKeys().isEmpty)
  }

  @Test func anUnreadKeyIsNamedWithItsLine() throws {
    let set = try RuleSet(text: RuleSetTests.text, name: "r.toml")
    let r = set.rules[0]
    _ = try r.int("max_count", default: nil)
    #expect(r.unusedKeys() == ["codes", "rate"])
    #expect(r.invalid("rate", "unknown key").message == "r.toml:12: rule X01: key \"rate\": unknown key")
  }

  @Test func aBadValueNamesRuleLineAndKey() throws {
    let set = try RuleSet(text: RuleSetTests.text, name: "r.toml")
    #expect(throws: MIError.usage("r.toml:10: rule X01: key \"codes\": expected an integer")) {
      try set.rules[0].int("codes", default: nil)
    }
  }

  @Test func anUnknownTypeListsTheKnownOnes() throws {
    let set = try RuleSet(
      text: RuleSetTests.text.replacingOccurrences(of: "\"frequency\"", with: "\"nope\""), name: "r.toml")
    do {
      _ = try Registry.build(set.rules[0], RuleContext(knowledge: nil))
      Issue.record("expected an error")
    } catch let e as MIError {
      #expect(e.message.hasPrefix("r.toml:6: rule X01: key \"type\": unknown rule type \"nope\" (known: "))
    }
  }
}
