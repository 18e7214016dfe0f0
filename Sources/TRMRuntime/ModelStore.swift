// ModelStore: loads a model for inference from a directory (`config.json` = RunConfig JSON,
// `model.safetensors` = weights under the model's parameter/buffer names), a training run directory
// (its `checkpoint/` folder), or an exported `.safetensors` file (RunConfig in the "config" metadata);
// saves a model directory, and finds the bundled model. Kept small and tolerant: the checkpoint code
// may replace it.
import Foundation
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

    public var description: String {
        switch self {
        case let .missing(p, hint): return "no model at \(p): \(hint)"
        case let .unreadable(p, r): return "cannot read model \(p): \(r)"
        case let .incompatible(p, r): return "model \(p) cannot be used: \(r)"
        }
    }
}

public enum ModelStore {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    /// Where the bundled model lives, relative to the repository root.
    public static let bundledRelativePath = "Models/sudoku"
    public static let howToGetOne = """
        train one with `trm train` and pass its run directory with --model, \
        or run from the repository root so that the bundled model at \(bundledRelativePath) is found
        """

    /// Loads a model directory, a run directory (its `checkpoint/`), or an exported safetensors file.
    public static func load(directory path: String) throws(ModelStoreError) -> LoadedModel {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { return try loadExported(path) }
        let direct = URL(fileURLWithPath: path).appendingPathComponent(configFile).path
        let checkpoint = URL(fileURLWithPath: path).appendingPathComponent("checkpoint").path
        let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        if !fm.fileExists(atPath: direct), fm.fileExists(atPath: checkpoint + "/" + configFile) {
            var model = try load(modelDirectory: checkpoint)
            model.name = name
            return model
        }
        let weights = URL(fileURLWithPath: path).appendingPathComponent(weightsFile).path
        if !fm.fileExists(atPath: direct), fm.fileExists(atPath: weights) {
            // An exported file (config in its metadata) dropped into a folder.
            var model = try loadExported(weights)
            model.name = name
            return model
        }
        return try load(modelDirectory: path)
    }

    /// An exported single file: weights plus the RunConfig JSON in the metadata key "config".
    static func loadExported(_ path: String) throws(ModelStoreError) -> LoadedModel {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: String(describing: error))
        }
        guard let json = file.metadata["config"] else {
            throw .incompatible(path: path, reason: "no \"config\" in the safetensors metadata; give a model directory with config.json")
        }
        let run: RunConfig
        do { run = try decodeConfig(Data(json.utf8)) } catch { throw .unreadable(path: path, reason: "metadata config: \(error)") }
        return try make(run: run, file: file, source: path,
                        name: (URL(fileURLWithPath: path).lastPathComponent as NSString).deletingPathExtension, directory: path)
    }

    static func load(modelDirectory directory: String) throws(ModelStoreError) -> LoadedModel {
        let dir = URL(fileURLWithPath: directory)
        let configURL = dir.appendingPathComponent(configFile), weightsURL = dir.appendingPathComponent(weightsFile)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw .missing(path: directory, hint: "not a directory; " + howToGetOne)
        }
        guard fm.fileExists(atPath: configURL.path) else { throw .missing(path: configURL.path, hint: howToGetOne) }
        guard fm.fileExists(atPath: weightsURL.path) else { throw .missing(path: weightsURL.path, hint: howToGetOne) }
        let run: RunConfig
        do { run = try decodeConfig(Data(contentsOf: configURL)) } catch {
            throw .unreadable(path: configURL.path, reason: String(describing: error))
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: weightsURL) } catch {
            throw .unreadable(path: weightsURL.path, reason: String(describing: error))
        }
        return try make(run: run, file: file, source: weightsURL.path, name: dir.standardizedFileURL.lastPathComponent,
                        directory: directory)
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

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public static func save(_ model: ReasoningModel, run: RunConfig, to directory: String,
                            metadata: [String: String] = [:]) throws {
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(run.jsonData(), to: dir.appendingPathComponent(configFile))
        try SafeTensorsFile(tensors: model.state, metadata: metadata).write(to: dir.appendingPathComponent(weightsFile))
    }

    /// The bundled model: `$TRM_MODEL_DIR`, else `Models/sudoku` (a model or run directory, or
    /// `Models/sudoku.safetensors`) under the working directory or any folder above the executable
    /// (a build tree inside the repository). Nil if absent.
    public static func bundledDirectory(executable: String = CommandLine.arguments.first ?? "") -> String? {
        let fm = FileManager.default
        func exists(_ p: String) -> Bool {
            fm.fileExists(atPath: p + "/" + configFile) || fm.fileExists(atPath: p + "/checkpoint/" + configFile)
                || fm.fileExists(atPath: p + "/" + weightsFile) || fm.fileExists(atPath: p + ".safetensors")
        }
        if let env = ProcessInfo.processInfo.environment["TRM_MODEL_DIR"], !env.isEmpty { return env }
        func found(_ p: String) -> String? {
            guard exists(p) else { return nil }
            return fm.fileExists(atPath: p + ".safetensors") && !fm.fileExists(atPath: p) ? p + ".safetensors" : p
        }
        if let p = found(fm.currentDirectoryPath + "/" + bundledRelativePath) { return p }
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            if let p = found(url.appendingPathComponent(bundledRelativePath).path) { return p }
            let up = url.deletingLastPathComponent()
            if up.path == url.path { break }
            url = up
        }
        return nil
    }

    /// `directory` if given, else the bundled model; a clear error when neither exists.
    public static func resolve(_ directory: String?) throws(ModelStoreError) -> String {
        if let directory { return directory }
        if let bundled = bundledDirectory() { return bundled }
        throw .missing(path: bundledRelativePath, hint: "no --model given and no bundled model found; " + howToGetOne)
    }
}
