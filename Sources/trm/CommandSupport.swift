// The option groups every subcommand reuses, one per concern: threads (--threads), model selection
// (--model, --no-verify), machine output (--json), logging (--log-level, --quiet), and where a run
// configuration comes from (--preset, --config).
import ArgumentParser
import Foundation
import Logging
import TRMModels
import TRMPuzzles
import TRMRuntime
import TRMTensor

/// --threads N (default: TRM_THREADS, else the number of cores) and --dtype bf16|fp32.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Worker threads for kernels and matrix products (default: TRM_THREADS, else all cores).")
    var threads: Int?

    @OptionGroup var compute: DTypeOption

    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1...1024, got \(threads)") }
    }

    var count: Int { threads ?? ComputeContext.defaultThreads }

    /// Runs `body` with this thread count and the resolved dtype (`DTypeOption.resolved(default:)`).
    func run<R>(defaultDType: ComputeDType? = nil, _ body: () throws -> R) rethrows -> R {
        let dtype = compute.resolved(default: defaultDType)
        return try ComputeContext.withThreads(count) { try ComputeContext.withDType(dtype, body) }
    }
}

/// --log-level, --quiet.
struct LogOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info; TRM_LOG_LEVEL).")
    var logLevel: String?

    @Flag(name: .shortAndLong, help: "Only warnings and errors; no progress bar.")
    var quiet = false

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("unknown --log-level '\(logLevel)'; use trace, debug, info, notice, warning, error or critical")
        }
    }

    var level: Logger.Level {
        if let logLevel, let l = Logger.Level(rawValue: logLevel.lowercased()) { return l }
        if quiet { return .warning }
        if let env = ProcessInfo.processInfo.environment["TRM_LOG_LEVEL"], let l = Logger.Level(rawValue: env.lowercased()) { return l }
        return .info
    }

    /// Routes swift-log to standard error at the chosen level and returns a logger.
    func makeLogger(_ label: String) -> Logger {
        let level = self.level
        LoggingBootstrap.once(level: level)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()
    static func once(level: Logger.Level) {
        lock.lock(); defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// --model PATH [--no-verify]: the model a command runs, through the one loader that checks every
/// recorded size and checksum first (ModelStore).
struct ModelOptions: ParsableArguments {
    @Option(help: "A model: a model folder (config.json + model.safetensors + manifest.json), a training run directory or checkpoint folder (its EMA weights), or an exported .safetensors file. Default: the bundled model of the puzzle's kind (\(ModelStore.bundledRelativePaths.sorted { $0.key.rawValue > $1.key.rawValue }.map(\.value).joined(separator: ", ")); Sudoku when the kind is not known).")
    var model: String?

    @Flag(help: "Load the model even when a file differs from its recorded size or checksum (not recommended).")
    var noVerify = false

    /// The model asked for (by default the bundled one for `kind`, else the bundled Sudoku model),
    /// checked unless --no-verify.
    func load(kind: PuzzleKind? = nil) throws -> LoadedModel {
        let loaded = try ModelStore.load(directory: ModelStore.resolve(model, kind: kind), verify: !noVerify)
        if case .unrecorded(let reason) = loaded.verification {
            printError("warning: \(loaded.directory): \(reason), so its files were not checked")
        }
        return loaded
    }
}

/// --threads 1,2: the thread counts a benchmark measures.
struct ThreadListOptions: ParsableArguments {
    @Option(help: "Thread counts to measure (comma-separated, each in 1...1024).")
    var threads: String = "1,2"

    func validate() throws { _ = try counts() }

    /// The counts, in the order given.
    func counts() throws -> [Int] {
        let parts = threads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Int.init)
        guard !values.isEmpty, values.count == parts.count, values.allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--threads must be a comma-separated list of counts in 1...1024, e.g. 1,2; got '\(threads)'")
        }
        return values
    }
}

/// --json: machine-readable output.
struct JSONOutputOptions: ParsableArguments {
    @Flag(help: "Print JSON for programs (one object, or one line per record) instead of text.")
    var json = false
}

/// --preset NAME | --config FILE.
struct RunConfigOptions: ParsableArguments {
    @Option(help: "A named configuration: \(RunConfig.presetNames.joined(separator: ", ")).")
    var preset: String?

    @Option(help: "A run configuration JSON file (see `trm info --preset NAME --json` for the format).")
    var config: String?

    func validate() throws {
        if preset != nil && config != nil { throw ValidationError("give --preset or --config, not both") }
        if let preset, !RunConfig.presetNames.contains(preset) {
            throw ValidationError("unknown preset '\(preset)'; known presets: \(RunConfig.presetNames.joined(separator: ", "))")
        }
    }

    var isGiven: Bool { preset != nil || config != nil }

    /// The configuration asked for, or nil when neither option was given.
    func load() throws -> RunConfig? {
        if let preset { return try RunConfig.preset(preset) }
        if let config { return try RunConfig.load(from: URL(fileURLWithPath: config)) }
        return nil
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Compact JSON for one object, keys sorted.
func jsonLine(_ object: [String: Any]) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// An error found while running (not while parsing): printed as "Error: <description>" without usage.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
