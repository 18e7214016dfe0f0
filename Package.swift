// swift-tools-version: 6.0
// swift-trm: Tiny Recursive Models and Hierarchical Reasoning Models in Swift.
// Dependency direction: CBLAS -> TRMTensor -> TRMNN -> TRMModels -> TRMTraining -> trm
//                       TRMPuzzles (independent of the engine) -> TRMTraining -> trm
import PackageDescription

#if os(Linux)
let blasTargets: [Target] = [
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: nil,
                   providers: [.apt(["libopenblas-dev"])])
]
let blasDependency: [Target.Dependency] = ["CBLAS"]
#else
let blasTargets: [Target] = []  // macOS: Accelerate provides cblas_sgemm.
let blasDependency: [Target.Dependency] = []
#endif

let package = Package(
    name: "swift-trm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trm", targets: ["trm"]),
        .library(name: "TRMTensor", targets: ["TRMTensor"]),
        .library(name: "TRMNN", targets: ["TRMNN"]),
        .library(name: "TRMModels", targets: ["TRMModels"]),
        .library(name: "TRMPuzzles", targets: ["TRMPuzzles"]),
        .library(name: "TRMTraining", targets: ["TRMTraining"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: blasTargets + [
        // Kernels are optimised in debug builds too: the test suite runs real models.
        .target(name: "TRMTensor", dependencies: blasDependency,
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
                                .unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "TRMNN", dependencies: ["TRMTensor"]),
        .target(name: "TRMModels", dependencies: ["TRMNN"]),
        .target(name: "TRMPuzzles"),
        .target(name: "TRMTraining", dependencies: ["TRMModels", "TRMNN", "TRMPuzzles",
                                                     .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "trm", dependencies: [
            "TRMTraining",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TRMTensorTests", dependencies: ["TRMTensor"]),
        .testTarget(name: "TRMPuzzlesTests", dependencies: ["TRMPuzzles"]),
        .testTarget(name: "TRMModelsTests", dependencies: ["TRMModels", "TRMTraining"]),
        .testTarget(name: "TRMNNTests", dependencies: ["TRMNN"]),
        .testTarget(name: "TRMTrainingTests", dependencies: ["TRMTraining"]),
    ],
    swiftLanguageModes: [.v6]
)
