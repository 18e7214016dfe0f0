// swift-tools-version: 6.0
// swift-trm: Tiny Recursive Models and Hierarchical Reasoning Models in Swift.
// Dependency direction: CDNNL, CTRMKernels -> TRMTensor -> TRMNN -> TRMModels -> TRMTraining -> trm
//                       TRMPuzzles (independent of the engine) -> TRMTraining -> trm
//                       TRMTraining -> TRMServe (Hummingbird, MCP) -> trm
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
        .library(name: "TRMTraining", targets: ["TRMTraining"]),
        .library(name: "TRMServe", targets: ["TRMServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
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
        .target(name: "TRMNN", dependencies: ["TRMTensor"]),
        .target(name: "TRMModels", dependencies: ["TRMNN"]),
        .target(name: "TRMPuzzles"),
        .target(name: "TRMTraining", dependencies: ["TRMModels", "TRMNN", "TRMPuzzles",
                                                     .product(name: "Logging", package: "swift-log")]),
        // HTTP server, load generator and MCP tools over the inference session.
        .target(name: "TRMServe", dependencies: [
            "TRMTraining", "TRMModels", "TRMPuzzles",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "trm", dependencies: [
            "TRMTraining", "TRMServe",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TRMTensorTests", dependencies: ["TRMTensor"]),
        .testTarget(name: "TRMPuzzlesTests", dependencies: ["TRMPuzzles"]),
        .testTarget(name: "TRMModelsTests", dependencies: ["TRMModels", "TRMTraining"]),
        .testTarget(name: "TRMNNTests", dependencies: ["TRMNN"]),
        .testTarget(name: "TRMTrainingTests", dependencies: ["TRMTraining"]),
        .testTarget(name: "TRMServeTests", dependencies: [
            "TRMServe", "TRMTraining", "TRMModels", "TRMNN", "TRMPuzzles",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "MCP", package: "swift-sdk"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
