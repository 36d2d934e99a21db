// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "btrfs-steward",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "btrfs-steward", targets: ["btrfs-steward"]),
    .library(name: "Btrfs", targets: ["Btrfs"]),
    .library(name: "Steward", targets: ["Steward"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
  ],
  targets: [
    .target(name: "CBtrfs"),
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .target(
      name: "Btrfs",
      dependencies: [
        "CBtrfs",
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .target(
      name: "Steward",
      dependencies: [
        "Btrfs",
        "CBtrfs",
        "CYAML",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .executableTarget(
      name: "btrfs-steward",
      dependencies: [
        "Btrfs",
        "Steward",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      plugins: ["VersionStamp"]
    ),
    .plugin(name: "VersionStamp", capability: .buildTool()),
    .executableTarget(
      name: "steward-bench",
      dependencies: [
        "Btrfs",
        "Steward",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "BtrfsTests", dependencies: ["Btrfs", "CBtrfs"]),
    .testTarget(
      name: "StewardTests", dependencies: ["Steward", "Btrfs"],
      exclude: ["Support/png-colours.py"]),
    .testTarget(
      name: "IntegrationTests",
      dependencies: ["Btrfs", "Steward", "btrfs-steward"],
      exclude: ["Support/validate-json.py"]
    ),
  ]
)
