// ModelStore: the one loader every command and the server use. It loads a model for inference from
// a model folder (`config.json` = RunConfig JSON, `model.safetensors` = weights under the model's
// parameter/buffer names, `manifest.json` = their sizes and checksums), a training run directory
// or checkpoint folder (files recorded in `state.json`), or an exported `.safetensors` file
// (RunConfig and checksum in its metadata), verifying every recorded file before use
// (`verify: false` is `--no-verify`); saves model folders with their manifest; finds the bundled
// model.
import Foundation
import TRMFiles
import TRMModels
import TRMNN
import TRMPuzzles

/// A model ready for inference, with what it solves.
public struct LoadedModel: Sendable {
    /// Short name (the directory's last path component).
    public var name: String
    public var directory: String
    public var run: RunConfig
    public var model: ReasoningModel
    /// What kind of puzzle the token layout fits.
    public var kind: PuzzleKind
    /// For `.grid` models: the alphabet and shape (metadata `grid.alphabet`, `grid.rows`, `grid.cols`).
    public var gridSpec: GridTaskSpec?
    /// How the files were checked before loading.
    public var verification: ModelVerification = .unrecorded(reason: "built in memory")
    /// The training step, when loaded from a checkpoint.
    public var step: Int?
    /// The checkpoint folder, when loaded from one (a run's `checkpoint/`).
    public var checkpointDirectory: String?

    public init(name: String, directory: String, run: RunConfig, model: ReasoningModel, kind: PuzzleKind,
                gridSpec: GridTaskSpec? = nil) {
        self.name = name; self.directory = directory; self.run = run; self.model = model
        self.kind = kind; self.gridSpec = gridSpec
    }

    /// The puzzle kind a token layout fits: Sudoku (81 cells, vocab 11), maze (900, vocab 6),
    /// ARC (900, vocab 12), otherwise a user-defined grid task.
    public static func kind(of config: ModelConfig, metadata: [String: String] = [:]) -> PuzzleKind {
        if let k = metadata["puzzle.kind"].flatMap(PuzzleKind.init(rawValue:)) { return k }
        switch (config.seqLen, config.vocabSize) {
        case (81, 11), (16, 6): return .sudoku  // 9x9, and 4x4 (trm-tiny-sudoku4: digits 1...4 -> tokens 2...5)
        case (let n, 6) where n > 1 && Int(Double(n).squareRoot()) * Int(Double(n).squareRoot()) == n: return .maze
        case (900, 12): return .arc
        default: return .grid
        }
    }
}

public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    case missing(path: String, hint: String)
    case unreadable(path: String, reason: String)
    case incompatible(path: String, reason: String)
    /// A file differs from its recorded size or checksum; `remedy` says what to do.
    case damaged(path: String, problem: IntegrityProblem, remedy: String)
    /// The file holding the records (state.json, manifest.json) cannot be parsed; `what` names it.
    case corruptRecords(path: String, what: String, reason: String, remedy: String)
    /// Options that cannot be used together (e.g. --model and --random-preset).
    case conflictingOptions(String)

    public var description: String {
        switch self {
        case let .missing(p, hint): return "no model at \(p): \(hint)"
        case let .unreadable(p, r): return "cannot read model \(p): \(r)"
        case let .incompatible(p, r): return "model \(p) cannot be used: \(r)"
        case let .damaged(p, problem, remedy):
            return DamageAdvice.message(path: p, problem: problem, remedy: remedy, noVerify: "load it")
        case let .corruptRecords(p, what, reason, remedy):
            return DamageAdvice.corrupt(path: p, what: what, reason: reason, remedy: remedy)
        case let .conflictingOptions(message): return message
        }
    }
}

public enum ModelStore {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    /// Where the bundled Sudoku model lives, relative to the repository root: the default model.
    public static let bundledRelativePath = "Models/sudoku"
    /// The bundled model folders by the kind they solve, relative to the repository root. A
    /// command that knows its puzzle's kind and was given no --model runs the bundled model of
    /// that kind; serve and mcp run every one present.
    public static let bundledRelativePaths: [PuzzleKind: String] = [.sudoku: "Models/sudoku", .maze: "Models/maze"]
    /// Bundled models of a kind for the sizes its default does not take, in order of preference: a
    /// puzzle goes to the first model built for its size (10x10 mazes to maze-10x10, 20x20 to
    /// maze-20x20, 30x30 to maze-30x30), else to the first that takes it with the same weights
    /// (12x12 to maze-15x15: ``ModelChoice``).
    /// Serve and mcp run them beside the default; `trm solve` and `trm eval` load them when their
    /// puzzles do not fit the default.
    public static let bundledOtherSizes: [PuzzleKind: [String]] = [.maze: ["Models/maze-15x15", "Models/maze-10x10", "Models/maze-20x20", "Models/maze-30x30"]]
    public static let howToGetOne = howToGet(bundledRelativePath)

    /// What to do when the bundled model at `relative` (e.g. "Models/maze") is not found.
    static func howToGet(_ relative: String) -> String {
        "train one with `trm train` and pass its run directory with --model, "
            + "or run from the repository root so that the bundled model at \(relative) is found "
            + "(from elsewhere: set TRM_MODEL_DIR to the repository's Models folder)"
    }

    /// Loads a model folder, a run directory (its `checkpoint/`), a checkpoint folder, or an
    /// exported safetensors file, after checking every recorded file (unless `verify` is false).
    public static func load(directory path: String, verify: Bool = true) throws(ModelStoreError) -> LoadedModel {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw .missing(path: path, hint: "no such file or folder; " + howToGetOne)
        }
        if !isDir.boolValue { return try loadExported(path, verify: verify) }
        let dir = URL(fileURLWithPath: path)
        let name = dir.standardizedFileURL.lastPathComponent
        if fm.fileExists(atPath: dir.appendingPathComponent(checkpointStateFile).path) {
            return try loadCheckpoint(dir, name: name, verify: verify)
        }
        let checkpoint = dir.appendingPathComponent("checkpoint")
        if !fm.fileExists(atPath: dir.appendingPathComponent(weightsFile).path),
           fm.fileExists(atPath: checkpoint.appendingPathComponent(checkpointStateFile).path) {
            // A training run directory (its config.json is the run's, the weights are in checkpoint/).
            return try loadCheckpoint(checkpoint, name: name, verify: verify)
        }
        if !fm.fileExists(atPath: dir.appendingPathComponent(configFile).path),
           fm.fileExists(atPath: checkpoint.appendingPathComponent(configFile).path) {
            // A run directory whose checkpoint/ is a model folder.
            var model = try load(modelDirectory: checkpoint.path, verify: verify)
            model.name = name
            return model
        }
        let weights = dir.appendingPathComponent(weightsFile).path
        if !fm.fileExists(atPath: dir.appendingPathComponent(configFile).path), fm.fileExists(atPath: weights) {
            // An exported file (config in its metadata) dropped into a folder.
            var model = try loadExported(weights, verify: verify)
            model.name = name
            return model
        }
        return try load(modelDirectory: path, verify: verify)
    }

    /// A checkpoint's state.json: what the loader needs of it (the trainer reads the rest).
    static let checkpointStateFile = "state.json"
    struct CheckpointFiles: Decodable {
        var step: Int?
        var files: [String: FileRecord]
    }

    /// A checkpoint folder: every file state.json lists is checked, then its config and
    /// model.safetensors (the EMA weights when the run kept them) are loaded.
    static func loadCheckpoint(_ dir: URL, name: String, verify: Bool) throws(ModelStoreError) -> LoadedModel {
        let stateURL = dir.appendingPathComponent(checkpointStateFile)
        let remedy = DamageAdvice.checkpointRemedy(dir)
        let state: CheckpointFiles
        do { state = try JSONDecoder().decode(CheckpointFiles.self, from: Data(contentsOf: stateURL)) } catch {
            throw .corruptRecords(path: stateURL.path, what: "checkpoint file", reason: "not a checkpoint manifest: \(JSONText.decodingReason(error))",
                                  remedy: remedy)
        }
        let checked = verify ? try check(state.files, in: dir, remedy: remedy) : nil
        var model = try load(modelDirectory: dir.path, verify: false, verified: checked?.bytes ?? [:])
        model.name = name
        model.verification = checked.map { .verified(files: $0.files) } ?? .skipped
        model.step = state.step
        model.checkpointDirectory = dir.path
        return model
    }

    /// Checks every file of `files` in `dir`; the first mismatch is thrown. Returns the verified
    /// bytes of each file, so the loader parses what it checked instead of reading it again.
    static func check(_ files: [String: FileRecord], in dir: URL, remedy: String) throws(ModelStoreError) -> (files: Int, bytes: [String: Data]) {
        var bytes: [String: Data] = [:]
        for (file, record) in files.sorted(by: { $0.key < $1.key }) {
            let url = dir.appendingPathComponent(file)
            let data = FileManager.default.fileExists(atPath: url.path) ? try? Data(contentsOf: url) : nil
            if let problem = IntegrityProblem.check(data, against: record) {
                throw .damaged(path: url.path, problem: problem, remedy: remedy)
            }
            // Only what the loader parses is kept (not a checkpoint's optimizer state or carry).
            if file == configFile || file == weightsFile { bytes[file] = data }
        }
        return (files.count, bytes)
    }

    /// An exported single file: weights plus the RunConfig JSON in the metadata key "config", and
    /// "checksum" over the config text and the tensor bytes.
    static func loadExported(_ path: String, verify: Bool = true) throws(ModelStoreError) -> LoadedModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(data: data, source: path) } catch {
            throw .unreadable(path: path, reason: String(describing: error))
        }
        guard let json = file.metadata["config"] else {
            throw .incompatible(path: path, reason: "no \"config\" in the safetensors metadata; give a model directory with config.json")
        }
        var verification = ModelVerification.skipped
        if verify {
            if let recorded = file.metadata[exportChecksumKey] {
                let found = exportChecksum(config: json, fileBytes: data)
                guard found == recorded else {
                    throw .damaged(path: path, problem: .checksumMismatch(expected: recorded, found: found),
                                   remedy: DamageAdvice.modelRemedy(path, exportedFile: true))
                }
                verification = .verified(files: 1)
            } else {
                verification = .unrecorded(reason: "the file has no \"\(exportChecksumKey)\" metadata (exported before checksums)")
            }
        }
        let run: RunConfig
        do { run = try decodeConfig(Data(json.utf8)) } catch { throw .unreadable(path: path, reason: "metadata config: \(error)") }
        var model = try make(run: run, file: file, source: path,
                             name: (URL(fileURLWithPath: path).lastPathComponent as NSString).deletingPathExtension, directory: path)
        model.verification = verification
        if let step = file.metadata["step"].flatMap(Int.init) { model.step = step }
        return model
    }

    /// The metadata key of an exported file's checksum.
    public static let exportChecksumKey = "checksum"

    /// The checksum of an exported file: its config text and every byte after the safetensors
    /// header (the tensors), so a flipped bit in either is found.
    public static func exportChecksum(config: String, fileBytes data: Data) -> String {
        guard data.count >= 8 else { return FileChecksum.of(Data(config.utf8)) }
        let headerBytes = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let start = min(data.count, 8 + max(0, min(headerBytes, data.count)))
        return FileChecksum.of([Data(config.utf8), data.subdata(in: start..<data.count)])
    }

    /// `verified`: files already read and checked (by name), parsed as they are instead of read again.
    static func load(modelDirectory directory: String, verify: Bool = true,
                     verified: [String: Data] = [:]) throws(ModelStoreError) -> LoadedModel {
        let dir = URL(fileURLWithPath: directory)
        let configURL = dir.appendingPathComponent(configFile), weightsURL = dir.appendingPathComponent(weightsFile)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .missing(path: directory, hint: "not a directory; " + howToGetOne)
        }
        guard fm.fileExists(atPath: configURL.path) else { throw .missing(path: configURL.path, hint: howToGetOne) }
        guard fm.fileExists(atPath: weightsURL.path) else { throw .missing(path: weightsURL.path, hint: howToGetOne) }
        var verification = ModelVerification.skipped
        var bytes = verified
        if verify {
            let manifestURL = dir.appendingPathComponent(ModelManifest.fileName)
            if fm.fileExists(atPath: manifestURL.path) {
                let manifest: ModelManifest
                do { manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: manifestURL)) } catch {
                    throw .corruptRecords(path: manifestURL.path, what: "model file", reason: "not a model manifest: \(JSONText.decodingReason(error))",
                                          remedy: DamageAdvice.modelRemedy(directory))
                }
                let checked = try check(manifest.files, in: dir, remedy: DamageAdvice.modelRemedy(directory))
                verification = .verified(files: checked.files)
                bytes = checked.bytes
            } else {
                verification = .unrecorded(reason: "the folder has no \(ModelManifest.fileName)")
            }
        }
        let run: RunConfig
        do { run = try decodeConfig(bytes[configFile] ?? Data(contentsOf: configURL)) } catch {
            throw .unreadable(path: configURL.path, reason: String(describing: error))
        }
        let file: SafeTensorsFile
        do {
            file = try bytes[weightsFile].map { try SafeTensorsFile(data: $0, source: weightsURL.path) }
                ?? SafeTensorsFile(contentsOf: weightsURL)
        } catch {
            throw .unreadable(path: weightsURL.path, reason: String(describing: error))
        }
        var model = try make(run: run, file: file, source: weightsURL.path, name: dir.standardizedFileURL.lastPathComponent,
                             directory: directory)
        model.verification = verification
        // An imported folder records the reference checkpoint's step (step_N) in its metadata.
        if let step = file.metadata["step"].flatMap(Int.init), step >= 0 { model.step = step }
        return model
    }

    static func make(run: RunConfig, file: SafeTensorsFile, source: String, name: String,
                     directory: String) throws(ModelStoreError) -> LoadedModel {
        let model: ReasoningModel
        do {
            model = try ReasoningModel(config: run.model, seed: 0)
            try model.load(file.floatTensors(), source: source)
        } catch {
            throw .incompatible(path: directory, reason: String(describing: error))
        }
        let kind = LoadedModel.kind(of: run.model, metadata: file.metadata)
        var spec: GridTaskSpec?
        if kind == .grid, let alphabet = file.metadata["grid.alphabet"] {
            let rows = file.metadata["grid.rows"].flatMap(Int.init) ?? run.model.seqLen
            let cols = file.metadata["grid.cols"].flatMap(Int.init) ?? 1
            if rows * cols == run.model.seqLen { spec = GridTaskSpec(alphabet: alphabet, rows: rows, cols: cols) }
        }
        return LoadedModel(name: name, directory: directory, run: run, model: model, kind: kind, gridSpec: spec)
    }

    /// Accepts a bare RunConfig, or an object holding one under "run" or "config" (checkpoint layouts).
    static func decodeConfig(_ data: Data) throws -> RunConfig {
        let decoder = JSONDecoder()
        if let run = try? decoder.decode(RunConfig.self, from: data) { try run.model.validate(); return run }
        struct Wrapped: Decodable { var run: RunConfig?; var config: RunConfig? }
        if let w = try? decoder.decode(Wrapped.self, from: data), let run = w.run ?? w.config {
            try run.model.validate(); return run
        }
        return try decoder.decode(RunConfig.self, from: data)  // throws the informative error
    }

    /// Writes `config.json`, `model.safetensors` and `manifest.json` (their sizes and checksums)
    /// into `directory` (created if needed); the manifest is written last, so a folder whose
    /// manifest exists is complete. Other files already there (a README) are kept.
    public static func save(_ model: ReasoningModel, run: RunConfig, to directory: String,
                            metadata: [String: String] = [:], source: String? = nil) throws {
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = try run.jsonData()
        let weights = try SafeTensorsFile(tensors: model.state, metadata: metadata).serialized()
        try AtomicFile.write(config, to: dir.appendingPathComponent(configFile))
        try AtomicFile.write(weights, to: dir.appendingPathComponent(weightsFile))
        try writeManifest(in: directory, files: [configFile: config, weightsFile: weights], source: source)
    }

    /// Writes manifest.json for `files` (name -> contents) of the folder.
    public static func writeManifest(in directory: String, files: [String: Data], source: String? = nil) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(enc.encode(ModelManifest(contents: files, source: source)),
                             to: URL(fileURLWithPath: directory).appendingPathComponent(ModelManifest.fileName))
    }

    /// The bundled model for `kind`. `$TRM_MODEL_DIR` comes first (see `environmentDirectory`);
    /// else `Models/<kind>` (a model or run directory, or `Models/<kind>.safetensors`) under the
    /// working directory or any folder above the executable (a build tree inside the repository).
    /// Nil if absent, or when no model of that kind is bundled.
    public static func bundledDirectory(for kind: PuzzleKind = .sudoku,
                                        executable: String = CommandLine.arguments.first ?? "") -> String? {
        bundledDirectory(for: kind, environment: environmentModel, roots: searchRoots(executable: executable))
    }

    /// `environment` (the value of `$TRM_MODEL_DIR`) first, then `roots`.
    static func bundledDirectory(for kind: PuzzleKind, environment: String?, roots: [String]) -> String? {
        if let environment, let picked = environmentDirectory(environment, for: kind) { return picked }
        return bundledDirectory(for: kind, roots: roots)
    }

    /// What `$TRM_MODEL_DIR` gives for `kind`: a folder laid out like `Models/` (`sudoku/`, `maze/`)
    /// gives its model of that kind; one model gives itself for the kind its configuration says it
    /// solves (for every kind when that cannot be told), so the bundled models of other kinds stay
    /// in use; a path that does not exist is returned as it is, so that loading it says so.
    static func environmentDirectory(_ environment: String, for kind: PuzzleKind) -> String? {
        guard FileManager.default.fileExists(atPath: environment) else { return environment }
        if let byKind = modelPath(environment + "/" + kind.rawValue) { return byKind }
        guard let single = modelPath(environment) else { return nil }
        let configs = [single + "/" + configFile, single + "/checkpoint/" + configFile]
        guard let data = configs.lazy.compactMap({ FileManager.default.contents(atPath: $0) }).first,
              let run = try? decodeConfig(data) else { return single }
        return LoadedModel.kind(of: run.model) == kind ? single : nil
    }

    /// `$TRM_MODEL_DIR` when set and not empty.
    static var environmentModel: String? {
        ProcessInfo.processInfo.environment["TRM_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where bundled models are looked for: the working directory, then the executable's folder
    /// and up to seven folders above it.
    static func searchRoots(executable: String) -> [String] {
        var roots = [FileManager.default.currentDirectoryPath]
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            roots.append(url.path)
            let up = url.deletingLastPathComponent()
            if up.path == url.path { break }
            url = up
        }
        return roots
    }

    /// The first `root/Models/<kind>` that holds a model, in the order of `roots`.
    static func bundledDirectory(for kind: PuzzleKind, roots: [String]) -> String? {
        guard let relative = bundledRelativePaths[kind] else { return nil }
        return roots.lazy.compactMap { modelPath($0 + "/" + relative) }.first
    }

    /// `p` when it holds a model (a model folder, a run or checkpoint folder), `p.safetensors`
    /// when that file exists, else nil.
    static func modelPath(_ p: String) -> String? {
        let fm = FileManager.default
        if fm.fileExists(atPath: p + "/" + configFile) || fm.fileExists(atPath: p + "/checkpoint/" + configFile)
            || fm.fileExists(atPath: p + "/" + weightsFile) { return p }
        if p.hasSuffix(".safetensors"), fm.fileExists(atPath: p) { return p }
        if fm.fileExists(atPath: p + ".safetensors") { return p + ".safetensors" }
        return nil
    }

    /// Every bundled model present, one per kind, the default (Sudoku) first: what serve and mcp
    /// run when no --model is given (`$TRM_MODEL_DIR`'s models first, each kind it lacks from
    /// `Models/`).
    public static func bundledDirectories(executable: String = CommandLine.arguments.first ?? "") -> [String] {
        bundledDirectories(environment: environmentModel, roots: searchRoots(executable: executable))
    }

    static func bundledDirectories(environment: String?, roots: [String]) -> [String] {
        var out: [String] = []
        for kind in PuzzleKind.allCases {
            if let p = bundledDirectory(for: kind, environment: environment, roots: roots), !out.contains(p) { out.append(p) }
            for p in bundledOtherSizeDirectories(for: kind, environment: environment, roots: roots) where !out.contains(p) { out.append(p) }
        }
        return out
    }

    /// The bundled models of `kind` for other sizes that are present (``bundledOtherSizes``); none
    /// when `$TRM_MODEL_DIR` gives the kind's model (the user's model then has the kind to itself).
    public static func bundledOtherSizeDirectories(for kind: PuzzleKind, executable: String = CommandLine.arguments.first ?? "") -> [String] {
        bundledOtherSizeDirectories(for: kind, environment: environmentModel, roots: searchRoots(executable: executable))
    }

    static func bundledOtherSizeDirectories(for kind: PuzzleKind, environment: String?, roots: [String]) -> [String] {
        if let environment, environmentDirectory(environment, for: kind) != nil { return [] }
        return (bundledOtherSizes[kind] ?? []).compactMap { relative in roots.lazy.compactMap { modelPath($0 + "/" + relative) }.first }
    }

    /// `directory` if given, else the bundled model for `kind` when there is one, else the
    /// default bundled model (whose kind mismatch the caller reports); a clear error when none exists.
    /// The error names the bundled folder of `kind` (Models/maze for a maze; it named Models/sudoku
    /// whatever the kind).
    public static func resolve(_ directory: String?, kind: PuzzleKind? = nil) throws(ModelStoreError) -> String {
        try resolve(directory, kind: kind, environment: environmentModel,
                    roots: searchRoots(executable: CommandLine.arguments.first ?? ""))
    }

    static func resolve(_ directory: String?, kind: PuzzleKind?, environment: String?,
                        roots: [String]) throws(ModelStoreError) -> String {
        if let directory { return directory }
        if let kind, let bundled = bundledDirectory(for: kind, environment: environment, roots: roots) { return bundled }
        if let bundled = bundledDirectory(for: .sudoku, environment: environment, roots: roots) { return bundled }
        let wanted = kind.flatMap { bundledRelativePaths[$0] } ?? bundledRelativePath
        throw .missing(path: wanted, hint: "no --model given and no bundled model found; " + howToGet(wanted))
    }
}
