// ModelStore: loads a model directory (`config.json` = RunConfig JSON, `model.safetensors` = weights
// under the model's parameter/buffer names) for inference, saves one, and finds the bundled model.
// Kept small and tolerant: the checkpoint code may replace it.
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
        case (81, 11): return .sudoku
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
        train one with `trm train --preset trm-att-sudoku-small --out runs/sudoku` and pass --model runs/sudoku, \
        or run from the repository root so that the bundled model at \(bundledRelativePath) is found
        """

    /// Loads `directory/config.json` and `directory/model.safetensors`.
    public static func load(directory: String) throws(ModelStoreError) -> LoadedModel {
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
        let model: ReasoningModel
        do {
            model = try ReasoningModel(config: run.model, seed: 0)
            try model.load(file.floatTensors(), source: weightsURL.path)
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
        return LoadedModel(name: dir.standardizedFileURL.lastPathComponent, directory: directory, run: run,
                           model: model, kind: kind, gridSpec: spec)
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

    /// The bundled model directory: `$TRM_MODEL_DIR`, else `Models/sudoku` under the working directory
    /// or under any folder above the executable (a build tree inside the repository). Nil if absent.
    public static func bundledDirectory(executable: String = CommandLine.arguments.first ?? "") -> String? {
        let fm = FileManager.default
        func exists(_ p: String) -> Bool { fm.fileExists(atPath: p + "/" + configFile) }
        if let env = ProcessInfo.processInfo.environment["TRM_MODEL_DIR"], !env.isEmpty { return env }
        let cwd = fm.currentDirectoryPath + "/" + bundledRelativePath
        if exists(cwd) { return cwd }
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = url.appendingPathComponent(bundledRelativePath).path
            if exists(candidate) { return candidate }
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
