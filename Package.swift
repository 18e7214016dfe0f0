// swift-tools-version: 6.0
// swift-trm: Tiny Recursive Models and Hierarchical Reasoning Models in Swift.
//
// Targets, one concern each; a target imports only targets drawn below it:
//
//   trm            the command line: parses arguments, calls the libraries
//    |-- TRMServe      HTTP server, load generator, MCP tools  -> TRMRuntime (never the trainer)
//    |-- TRMInterop    the reference's formats: PyTorch checkpoints (zip + pickle), NumPy data, YAML
//    |                   -> TRMRuntime, TRMModels, TRMPuzzles (ZIPFoundation, Yams)
//    |-- TRMParity     golden-fixture checker (reference parity) -> TRMTraining
//    |-- TRMTraining   trainer, evaluator, checkpoints with optimizer state, resume
//    |                   -> TRMRuntime, TRMReport
//    |-- TRMReport     progress, metrics log, SVG/PNG plots, eval reports -> TRMFiles
//    |-- TRMRuntime    load a model folder/checkpoint, solve with halting and a step budget,
//    |                 parse and render puzzles: all an app needs to run a model -> TRMModels, TRMPuzzles
//    |-- TRMModels     TRM and HRM, configs and presets, ACT halting -> TRMNN, TRMFiles
//    |-- TRMNN         layers, parameter trees, optimizers, safetensors -> TRMTensor, TRMFiles
//    |-- TRMTensor     tensors, tape autodiff, ops and CPU kernels -> CTRMKernels, CDNNL (oneDNN)
//    |-- TRMPuzzles    Sudoku, maze, ARC, grid tasks, datasets (independent of the engine) -> TRMFiles
//    `-- TRMFiles      atomic file writes, JSON strings for hand-written files (checkpoints, models, datasets, reports),
//                      the reason a JSON file does not decode
import PackageDescription

#if os(Linux)
// oneDNN (Debian's libdnnl-dev 2.6) runs every matrix product, fp32 and bf16.
let blasTargets: [Target] = [
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", pkgConfig: nil,
                   providers: [.apt(["libdnnl-dev"])]),
]
let blasDependency: [Target.Dependency] = ["CDNNL", "CTRMKernels"]
#else
let blasTargets: [Target] = []  // macOS: Accelerate provides cblas_sgemm.
let blasDependency: [Target.Dependency] = ["CTRMKernels"]
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
        .library(name: "TRMRuntime", targets: ["TRMRuntime"]),
        .library(name: "TRMReport", targets: ["TRMReport"]),
        .library(name: "TRMTraining", targets: ["TRMTraining"]),
        .library(name: "TRMParity", targets: ["TRMParity"]),
        .library(name: "TRMServe", targets: ["TRMServe"]),
        .library(name: "TRMInterop", targets: ["TRMInterop"]),
        .library(name: "TRMFiles", targets: ["TRMFiles"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // Hummingbird's own foundations, named because the server uses their types directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: blasTargets + [
        // Our own C kernels, picked at run time where the CPU has AVX-512: SwiGLU (the Swift SIMD
        // kernel otherwise).
        // Always -O3: the test suite runs real models in debug builds too.
        .target(name: "CTRMKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Kernels are optimised in debug builds too: the test suite runs real models.
        .target(name: "TRMTensor", dependencies: blasDependency,
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
                                .unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "TRMFiles"),
        .target(name: "TRMNN", dependencies: ["TRMTensor", "TRMFiles"]),
        .target(name: "TRMModels", dependencies: ["TRMNN", "TRMTensor", "TRMFiles"]),
        .target(name: "TRMPuzzles", dependencies: ["TRMFiles"]),
        .target(name: "TRMRuntime", dependencies: ["TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor", "TRMFiles"]),
        .target(name: "TRMReport", dependencies: ["TRMFiles"]),
        .target(name: "TRMTraining", dependencies: ["TRMRuntime", "TRMReport", "TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor", "TRMFiles",
                                                     .product(name: "Logging", package: "swift-log")]),
        .target(name: "TRMParity", dependencies: ["TRMTraining", "TRMRuntime", "TRMModels", "TRMNN", "TRMTensor"]),
        // HTTP server, load generator and MCP tools over the inference runtime.
        .target(name: "TRMServe", dependencies: [
            "TRMRuntime", "TRMModels", "TRMPuzzles", "TRMTensor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The reference's own formats: PyTorch checkpoints (zip + pickle), NumPy data sets, YAML.
        .target(name: "TRMInterop", dependencies: [
            "TRMRuntime", "TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor", "TRMFiles",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "trm", dependencies: [
            "TRMTraining", "TRMParity", "TRMServe", "TRMRuntime", "TRMReport", "TRMInterop",
            "TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Helpers every test target shares: temporary folders, the built `trm`, ../shared paths.
        .target(name: "TRMTestSupport", path: "Tests/TRMTestSupport"),
        .testTarget(name: "TRMTensorTests", dependencies: ["TRMTensor"]),
        .testTarget(name: "TRMPuzzlesTests", dependencies: ["TRMPuzzles", "TRMTestSupport"]),
        .testTarget(name: "TRMModelsTests", dependencies: ["TRMModels", "TRMNN", "TRMParity", "TRMTensor", "TRMTestSupport"]),
        .testTarget(name: "TRMFilesTests", dependencies: ["TRMFiles", "TRMTestSupport"]),
        .testTarget(name: "TRMNNTests", dependencies: ["TRMNN", "TRMTensor", "TRMTestSupport"]),
        .testTarget(name: "TRMRuntimeTests", dependencies: ["TRMRuntime", "TRMPuzzles", "TRMTestSupport"]),
        .testTarget(name: "TRMReportTests", dependencies: ["TRMReport", "TRMTestSupport"]),
        .testTarget(name: "TRMTrainingTests", dependencies: [
            "TRMTraining", "TRMRuntime", "TRMReport", "TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor", "TRMFiles", "TRMTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TRMInteropTests", dependencies: [
            "TRMInterop", "TRMTraining", "TRMRuntime", "TRMModels", "TRMNN", "TRMPuzzles", "TRMTensor", "TRMTestSupport",
        ]),
        .testTarget(name: "TRMServeTests", dependencies: [
            "TRMServe", "TRMRuntime", "TRMModels", "TRMNN", "TRMPuzzles", "TRMTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
