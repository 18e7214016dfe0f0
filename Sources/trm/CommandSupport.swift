// The option groups every subcommand reuses, one per concern: compute (--threads, --dtype), model
// selection (--model, --no-verify, --random-preset; a repeatable --model for the servers), machine
// output (--json), where files go (-o/--out/--output, one spelling set for every command that
// writes), logging (--log-level, --quiet), and where a run configuration comes from (--preset,
// --config). Puzzle input (--kind, --skip-invalid, --limit, ...) is `PuzzleInputOptions` in
// DataCommand.swift, beside the data commands that define it.
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

    /// Runs `body` with this thread count and the resolved dtype (`DTypeOption.resolved(default:emulate:)`).
    func run<R>(defaultDType: ComputeDType? = nil, emulateBF16: Bool = false, _ body: () throws -> R) rethrows -> R {
        let dtype = compute.resolved(default: defaultDType, emulate: emulateBF16)
        return try ComputeContext.withThreads(count) { try ComputeContext.withDType(dtype, body) }
    }
}

/// --dtype bf16|fp32, part of every computing command's ThreadOptions.
struct DTypeOption: ParsableArguments {
    @Option(help: "Compute dtype: bf16 (matmul inputs, carried states and embeddings in bfloat16, as the reference trains) or fp32 (default: bf16 where it is measured faster, i.e. AMX or AVX512-BF16 on AMD, else fp32; TRM_DTYPE).")
    var dtype: String?

    func validate() throws {
        if let dtype {
            do { _ = try ComputeDType(parsing: dtype) } catch { throw ValidationError("--dtype: \(error)") }
        }
    }

    /// --dtype, else `fallback`, else the platform default; bf16 where this machine has no bf16
    /// matmul becomes fp32 (or, with `emulate`, runs emulated), with one line on standard error
    /// saying so.
    func resolved(default fallback: ComputeDType? = nil, emulate: Bool = false) -> ComputeDType {
        let requested = dtype.flatMap { try? ComputeDType(parsing: $0) } ?? fallback ?? ComputeDType.platformDefault
        let (resolved, note) = ComputeDType.resolve(requested, emulate: emulate)
        if let note { FileHandle.standardError.write(Data("\(emulate ? "note" : "warning"): \(note)\n".utf8)) }
        return resolved
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

/// --no-verify: load weights even when a file differs from what was recorded of it.
struct VerifyOption: ParsableArguments {
    @Flag(help: "Load the model even when a file differs from its recorded size or checksum (not recommended).")
    var noVerify = false

    /// Says on standard error that a model had nothing recorded to check its files against.
    static func warnIfUnchecked(_ loaded: LoadedModel) {
        if case .unrecorded(let reason) = loaded.verification {
            printError("warning: \(loaded.directory): \(reason), so its files were not checked")
        }
    }
}

/// --random-preset NAME: a random-weight model of a preset instead of a trained one.
struct RandomPresetOption: ParsableArguments {
    @Option(help: "Use a random-weight model of this preset instead (answers are noise; for trying the plumbing).")
    var randomPreset: String?
}

/// --model PATH [--no-verify]: the model a command runs, through the one loader that checks every
/// recorded size and checksum first (ModelStore).
struct ModelOptions: ParsableArguments {
    @Option(help: "A model: a model folder (config.json + model.safetensors + manifest.json), a training run directory or checkpoint folder (its EMA weights), or an exported .safetensors file. Default: the bundled model of the puzzle's kind (\(ModelStore.bundledRelativePaths.sorted { $0.key.rawValue > $1.key.rawValue }.map(\.value).joined(separator: ", ")); Sudoku when the kind is not known).")
    var model: String?

    @OptionGroup var verify: VerifyOption

    var noVerify: Bool { verify.noVerify }

    /// The model asked for (by default the bundled one for `kind`, else the bundled Sudoku model),
    /// checked unless --no-verify.
    func load(kind: PuzzleKind? = nil) throws -> LoadedModel {
        let loaded = try ModelStore.load(directory: ModelStore.resolve(model, kind: kind), verify: !noVerify)
        VerifyOption.warnIfUnchecked(loaded)
        return loaded
    }

    /// The bundled models of `kind` for the sizes its default does not take (none when --model is
    /// given: the model asked for keeps the puzzle), checked unless --no-verify.
    func bundledOtherSizes(kind: PuzzleKind) throws -> [LoadedModel] {
        guard model == nil else { return [] }
        return try ModelStore.bundledOtherSizeDirectories(for: kind).map { directory in
            let loaded = try ModelStore.load(directory: directory, verify: !noVerify)
            VerifyOption.warnIfUnchecked(loaded)
            return loaded
        }
    }
}

/// `--model PATH` (repeatable, one per kind and size) or `--random-preset NAME`, [--no-verify]: what serve,
/// mcp and bench serve run.
struct ServedModelOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: "A model folder, training run, checkpoint folder or exported .safetensors file; repeat for several kinds (or sizes of one kind). Default: every bundled model.")
    var directories: [String] = []

    @OptionGroup var random: RandomPresetOption
    @OptionGroup var verify: VerifyOption

    var randomPreset: String? { random.randomPreset }

    /// The models, each checked before use (unless --no-verify); a model with nothing recorded to
    /// check against is loaded with a warning on standard error.
    func load() throws -> [LoadedModel] {
        let loaded = try ModelLoading.models(directories: directories, randomPreset: randomPreset, verify: !verify.noVerify)
        if randomPreset == nil { loaded.forEach(VerifyOption.warnIfUnchecked) }
        return loaded
    }
}

/// The names of every option that says where a command writes: `-o`, `--out` and `--output` all
/// work on every such command (train, eval, export, import, data build/generate/import).
extension NameSpecification {
    static let outputPath: NameSpecification = [.customShort("o"), .customLong("out"), .customLong("output")]
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

    /// A benchmark's first line: the CPU its figures were measured on.
    func printMachine() { printMachineLine(json: json) }
}

/// A benchmark's first line: the CPU its figures were measured on (`{"task": "machine", "cpu": ...,
/// "family": ..., "model": ..., "vendor": ..., "isa": ..., "kernels": ..., "logical_cpus": ...}` in JSON).
func printMachineLine(json: Bool) {
    /// The machine's fields with `"task": "machine"` beside them, in one object.
    struct Line: Encodable {
        let machine: MachineDescription
        enum Key: String, CodingKey { case task }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode("machine", forKey: .task)
            try machine.encode(to: encoder)
        }
    }
    let machine = MachineDescription.current
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: (try? encoder.encode(Line(machine: machine))) ?? Data(), as: UTF8.self))
    } else {
        print("machine: \(machine.summary)")
    }
    fflush(nil)
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
