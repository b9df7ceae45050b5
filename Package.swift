// swift-tools-version:6.1
// mi-tools: small Unix-style tools for China's medical-insurance payment reform.
import PackageDescription

// Release builds leave out the run-time exclusivity checks of class properties: the record loops touch such
// properties per field, and the checks cost 5–6% of a run (perf). Debug builds, where the tests run, keep them.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// The tools, the one list of them: each is a product and an executable target `Sources/<name>` on MICommandLine
/// and the domain libraries named here, with a man page `man/<name>.1`. The tests and the scripts find the tools
/// from `man/` (README, "Adding a tool").
let tools: [(name: String, libraries: [Target.Dependency])] = [
  ("mi-catalog", ["MIReference", "MIGrouping", "MIScoring", "MIClearing", "MICapitation", "MIAudit"]),
  ("mi-gen", ["MISynth"]),
  ("mi-group", ["MIGrouping"]),
  ("mi-score", ["MIScoring"]),
  ("mi-clear", ["MIClearing"]),
  ("mi-capita", ["MICapitation"]),
  ("mi-audit", ["MIAudit"]),
]

/// The libraries and the system modules under them.
let libraries: [Target] = [
  // System zlib for reading `.gz` input (modelled on SwiftPM's SPMSQLite3).
  .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
  // System libcrypto (OpenSSL) for SHA-256 at the processor's speed: the input digest of every --post run.
  .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
  // The small common module every tool stands on.
  .target(
    name: "MICore",
    dependencies: ["CZlib", "CCrypto", .product(name: "GRDB", package: "GRDB.swift"), "TOMLKit"], swiftSettings: fast),
  // Shared flags and the shared main(); kept apart so MICore does not import ArgumentParser.
  .target(
    name: "MICommandLine",
    dependencies: ["MICore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
    swiftSettings: fast),
  // Domain libraries: they depend on MICore and on each other only downwards.
  .target(name: "MIGrouping", dependencies: ["MICore"], swiftSettings: fast),
  .target(name: "MIScoring", dependencies: ["MICore", "MIGrouping"], swiftSettings: fast),
  .target(name: "MIClearing", dependencies: ["MICore"], swiftSettings: fast),
  .target(name: "MICapitation", dependencies: ["MICore", "MIClearing"], swiftSettings: fast),
  // Reference-data tables as mi-catalog reads, compares and exports them.
  .target(name: "MIReference", dependencies: ["MICore"], swiftSettings: fast),
  // Audit rules over cases and fee lines, the knowledge-point tables, findings (issue 14).
  .target(name: "MIAudit", dependencies: ["MICore"], swiftSettings: fast),
  // Seeded synthetic data (mi-gen's generators).
  .target(name: "MISynth", dependencies: ["MICore", "TOMLKit"], swiftSettings: fast),
]

/// The benchmark and the test targets; CLITests depends on every tool so that `swift test` builds them.
let testsAndBenchmarks: [Target] = [
  // Benchmark of the core alone (scripts/bench-core.sh): read, scan money, re-emit.
  .executableTarget(name: "mi-bench-core", dependencies: ["MICommandLine"], swiftSettings: fast),
  // Tests.
  .target(name: "MITestSupport", dependencies: ["MICore"], path: "Tests/MITestSupport"),
  .testTarget(name: "MICoreTests", dependencies: ["MICore", "MITestSupport"]),
  .testTarget(name: "MIGroupingTests", dependencies: ["MIGrouping", "MITestSupport"]),
  .testTarget(name: "MIScoringTests", dependencies: ["MIScoring", "MITestSupport"]),
  .testTarget(name: "MIClearingTests", dependencies: ["MIClearing", "MITestSupport"]),
  .testTarget(name: "MICapitationTests", dependencies: ["MICapitation", "MITestSupport"]),
  .testTarget(name: "MIAuditTests", dependencies: ["MIAudit", "MITestSupport"]),
  .testTarget(
    name: "CLITests",
    dependencies: ["MITestSupport", "mi-bench-core"] + tools.map { .target(name: $0.name) },
    exclude: ["Cases"]),
]

let package = Package(
  name: "mi-tools",
  platforms: [.macOS(.v13)],
  products: tools.map { .executable(name: $0.name, targets: [$0.name]) },
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
  ],
  targets: libraries
    + tools.map {
      .executableTarget(name: $0.name, dependencies: ["MICommandLine"] + $0.libraries, swiftSettings: fast)
    }
    + testsAndBenchmarks,
  swiftLanguageModes: [.v6]
)
