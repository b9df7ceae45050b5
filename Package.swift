// swift-tools-version:6.1
// mi-tools: small Unix-style tools for China's medical-insurance payment reform.
import PackageDescription

let package = Package(
  name: "mi-tools",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "mi-catalog", targets: ["mi-catalog"]),
    .executable(name: "mi-gen", targets: ["mi-gen"]),
    .executable(name: "mi-group", targets: ["mi-group"]),
    .executable(name: "mi-score", targets: ["mi-score"]),
    .executable(name: "mi-clear", targets: ["mi-clear"]),
    .executable(name: "mi-capita", targets: ["mi-capita"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
  ],
  targets: [
    // System zlib for reading `.gz` input (modelled on SwiftPM's SPMSQLite3).
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // The small common module every tool stands on.
    .target(
      name: "MICore",
      dependencies: ["CZlib", .product(name: "GRDB", package: "GRDB.swift"), "TOMLKit"]),
    // Shared flags and the shared main(); kept apart so MICore does not import ArgumentParser.
    .target(
      name: "MICommandLine",
      dependencies: ["MICore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    // Domain libraries: they depend on MICore and on each other only downwards.
    .target(name: "MIGrouping", dependencies: ["MICore"]),
    .target(name: "MIScoring", dependencies: ["MICore", "MIGrouping"]),
    .target(name: "MIClearing", dependencies: ["MICore"]),
    .target(name: "MICapitation", dependencies: ["MICore", "MIClearing"]),
    // Thin executables.
    .executableTarget(name: "mi-catalog", dependencies: ["MICommandLine", "MIGrouping", "MIScoring", "MIClearing", "MICapitation"]),
    .executableTarget(name: "mi-gen", dependencies: ["MICommandLine"]),
    .executableTarget(name: "mi-group", dependencies: ["MICommandLine", "MIGrouping"]),
    .executableTarget(name: "mi-score", dependencies: ["MICommandLine", "MIScoring"]),
    .executableTarget(name: "mi-clear", dependencies: ["MICommandLine", "MIClearing"]),
    .executableTarget(name: "mi-capita", dependencies: ["MICommandLine", "MICapitation"]),
    // Benchmark of the core alone (scripts/bench-core.sh): read, scan money, re-emit.
    .executableTarget(name: "mi-bench-core", dependencies: ["MICommandLine"]),
    // Tests.
    .target(name: "MITestSupport", dependencies: ["MICore"], path: "Tests/MITestSupport"),
    .testTarget(name: "MICoreTests", dependencies: ["MICore", "MITestSupport"]),
    .testTarget(name: "MIGroupingTests", dependencies: ["MIGrouping", "MITestSupport"]),
    .testTarget(name: "MIScoringTests", dependencies: ["MIScoring", "MITestSupport"]),
    .testTarget(name: "MIClearingTests", dependencies: ["MIClearing", "MITestSupport"]),
    .testTarget(name: "MICapitationTests", dependencies: ["MICapitation", "MITestSupport"]),
    .testTarget(
      name: "CLITests",
      dependencies: [
        "MITestSupport", "mi-catalog", "mi-gen", "mi-group", "mi-score", "mi-clear", "mi-capita", "mi-bench-core",
      ],
      exclude: ["Cases"]),
  ],
  swiftLanguageModes: [.v6]
)
