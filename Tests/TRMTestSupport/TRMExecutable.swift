// TRMExecutable: the built `trm`, for tests that drive the command line as a user would.
//
// Found as TRM_EXECUTABLE, else next to the test bundle (the scratch path this `swift test`
// built), else <repo>/.build/debug/trm or <repo>/.build-*/debug/trm. Tests that need it are
// enabled only when it exists, and say so when skipped.
import Foundation
import Testing

public enum TRMExecutable {
    public static let url: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["TRM_EXECUTABLE"] { candidates.append(URL(fileURLWithPath: env)) }
        var bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {  // next to the runner, or above it inside an .xctest bundle
            candidates.append(bundleDirectory.appendingPathComponent("trm"))
            bundleDirectory = bundleDirectory.deletingLastPathComponent()
        }
        candidates.append(Repository.root.appendingPathComponent(".build/debug/trm"))
        let scratch = (try? fm.contentsOfDirectory(atPath: Repository.root.path))?.filter { $0.hasPrefix(".build") }.sorted() ?? []
        candidates += scratch.map { Repository.root.appendingPathComponent("\($0)/debug/trm") }
        return candidates.first { fm.isExecutableFile(atPath: $0.path) && !isDirectory($0) }
    }()

    /// The path, when found.
    public static var path: String? { url?.path }

    /// The reason to give when a test that needs the executable is skipped.
    public static let missing: Comment = "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"

    private static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Runs trm with `arguments` (one kernel thread unless `environment` says otherwise); returns
    /// (exit status, standard output + standard error). A run past `timeoutSeconds` is terminated
    /// (status 15, SIGTERM) so that a command that should have failed cannot hang a test.
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, timeoutSeconds: Double = 600) throws -> (Int32, String) {
        try ChildProcess.run(url!, arguments, environment: ["TRM_THREADS": "1"].merging(environment) { $1 },
                             currentDirectory: currentDirectory, timeoutSeconds: timeoutSeconds)
    }
}

/// Runs a program to its end for a test.
public enum ChildProcess {
    /// Runs `executable` with `arguments`, this process's environment plus `environment`; returns
    /// (exit status, standard output + standard error). A run past `timeoutSeconds` is terminated
    /// (status 15, SIGTERM).
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, timeoutSeconds: Double = 600) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
        defer { watchdog.cancel() }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
