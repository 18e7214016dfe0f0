// Checkpoint: save and load everything a training run needs to continue bit for bit, and what
// evaluation and serving need to use the model.
//
// A run directory holds `checkpoint/` (the latest complete checkpoint) and, after the second save,
// `checkpoint.previous/` (the one before). A checkpoint folder holds:
//   config.json               the RunConfig
//   model.safetensors         weights for evaluation and serving: the EMA copy of the trained
//                             parameters when EMA is on (as the reference saves), plus buffers
//                             (initial y/z, puzzle embeddings)
//   weights-raw.safetensors   the trained (non-EMA) parameters, for resuming; only with EMA
//   ema.safetensors           the EMA shadow (only with EMA)
//   optimizer.safetensors     Adam moments "m.<param>", "v.<param>"
//   carry.safetensors         the ACT carry: y, z [B, L, D]; tokens, labels [B, S]; puzzle_identifiers,
//                             steps, halted [B] (int32)
//   state.json                step, optimizer step, RNG, sample-stream position, elapsed time,
//                             and the byte size and checksum of every file above
// Saving writes a fresh folder next to the old one (every file atomically, state.json last), syncs
// it, moves the current checkpoint to checkpoint.previous and renames the new one into place: a
// crash at any moment leaves a complete checkpoint (or previous) behind. Loading checks sizes and
// checksums, parses every file, and checks every tensor's name and shape against the config.
import Foundation
import TRMFiles
import TRMModels
import TRMNN
import TRMPuzzles
import TRMTensor
import TRMRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Checkpoint {
    public static let directoryName = "checkpoint"
    public static let previousDirectoryName = "checkpoint.previous"

    public enum File {
        public static let config = "config.json"
        public static let state = "state.json"
        public static let model = "model.safetensors"
        public static let rawWeights = "weights-raw.safetensors"
        public static let ema = "ema.safetensors"
        public static let optimizer = "optimizer.safetensors"
        public static let carry = "carry.safetensors"
    }

    // MARK: Saving

    /// Saves `training` as `<runDirectory>/checkpoint`, keeping the one it replaces as
    /// `checkpoint.previous`. Returns the checkpoint folder.
    @discardableResult
    public static func save(_ training: TrainingState, stream: SampleStreamState?, elapsedSeconds: Double,
                            trainingData: [String] = [], inputs: RunInputs? = nil, runDirectory: URL) throws(CheckpointError) -> URL {
        try save(training, stream: stream, elapsedSeconds: elapsedSeconds, trainingData: trainingData, inputs: inputs,
                 runDirectory: runDirectory, beforeSwap: { _ in })
    }

    /// `beforeSwap` runs on the complete new folder before it replaces the current checkpoint
    /// (tests use it to inject a failure at the worst moment).
    static func save(_ training: TrainingState, stream: SampleStreamState?, elapsedSeconds: Double,
                     trainingData: [String], inputs: RunInputs? = nil, runDirectory: URL,
                     beforeSwap: (URL) throws -> Void) throws(CheckpointError) -> URL {
        let fm = FileManager.default
        let final = runDirectory.appendingPathComponent(directoryName)
        let previous = runDirectory.appendingPathComponent(previousDirectoryName)
        let temporary = runDirectory.appendingPathComponent(".checkpoint.tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: runDirectory, withIntermediateDirectories: true)
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw .writeFailed(path: temporary.path, reason: error.localizedDescription)
        }
        do {
            try write(training, stream: stream, elapsedSeconds: elapsedSeconds, trainingData: trainingData, inputs: inputs, into: temporary)
            syncDirectory(temporary)
            try beforeSwap(temporary)
            if fm.fileExists(atPath: final.path) {
                if fm.fileExists(atPath: previous.path) { try? fm.removeItem(at: previous) }
                guard rename(final.path, previous.path) == 0 else {
                    throw CheckpointError.writeFailed(path: final.path, reason: "cannot move the old checkpoint aside: \(String(cString: strerror(errno)))")
                }
            }
            guard rename(temporary.path, final.path) == 0 else {
                let reason = String(cString: strerror(errno))
                // Put the old one back so the run directory keeps a current checkpoint.
                if !fm.fileExists(atPath: final.path) && fm.fileExists(atPath: previous.path) {
                    _ = rename(previous.path, final.path)
                }
                throw CheckpointError.writeFailed(path: final.path, reason: "cannot rename the new checkpoint into place: \(reason)")
            }
            syncDirectory(runDirectory)
            return final
        } catch {
            try? fm.removeItem(at: temporary)
            if let e = error as? CheckpointError { throw e }
            if let e = error as? FileWriteError { throw .writeFailed(path: final.path, reason: e.cause) }
            throw .writeFailed(path: final.path, reason: String(describing: error))
        }
    }

    /// Writes a complete checkpoint into `directory` (which must exist), state.json last.
    public static func write(_ training: TrainingState, stream: SampleStreamState?, elapsedSeconds: Double,
                             trainingData: [String] = [], inputs: RunInputs? = nil, into directory: URL) throws {
        let model = training.model
        var records: [String: CheckpointFileRecord] = [:]
        func put(_ data: Data, _ name: String) throws {
            try AtomicFile.write(data, to: directory.appendingPathComponent(name))
            records[name] = FileRecord(of: data)
        }
        let meta = ["format": "trm", "config": String(decoding: try training.run.jsonData(), as: UTF8.self),
                    "step": String(training.step)]
        try put(training.run.jsonData(), File.config)
        if let ema = training.ema {
            let shadow = model.parameters.map { (name, p) in (name, ema.shadow[name] ?? p) }
            try put(SafeTensorsFile(tensors: shadow + model.buffers, metadata: meta.merging(["weights": "ema"]) { $1 }).serialized(), File.model)
            try put(SafeTensorsFile(tensors: model.state, metadata: meta.merging(["weights": "raw"]) { $1 }).serialized(), File.rawWeights)
            try put(SafeTensorsFile(tensors: shadow).serialized(), File.ema)
        } else {
            try put(SafeTensorsFile(tensors: model.state, metadata: meta.merging(["weights": "raw"]) { $1 }).serialized(), File.model)
        }
        try put(SafeTensorsFile(tensors: training.optimizer.stateTensors.sorted { $0.0 < $1.0 }).serialized(), File.optimizer)
        if let carry = training.carry {
            var file = SafeTensorsFile(tensors: [("y", carry.y), ("z", carry.z)])
            let b = carry.steps.count, s = carry.batch.seqLen
            file.tensors["tokens"] = SafeTensorEntry(int32s: carry.batch.tokens.values, shape: [b, s])
            file.tensors["labels"] = SafeTensorEntry(int32s: carry.batch.labels.values, shape: [b, s])
            file.tensors["puzzle_identifiers"] = SafeTensorEntry(int32s: carry.batch.puzzleIdentifiers, shape: [b])
            file.tensors["steps"] = SafeTensorEntry(int32s: carry.steps.map { Int32($0) }, shape: [b])
            file.tensors["halted"] = SafeTensorEntry(int32s: carry.halted.map { $0 ? 1 : 0 }, shape: [b])
            try put(file.serialized(), File.carry)
        }
        let manifest = CheckpointManifest(
            step: training.step, optimizerStep: training.optimizer.step, rng: training.rng, stream: stream,
            elapsedSeconds: elapsedSeconds, emaWeights: training.ema != nil, hasCarry: training.carry != nil,
            files: records, createdAt: ISO8601DateFormatter().string(from: Date()), trainingData: trainingData, inputs: inputs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(manifest), to: directory.appendingPathComponent(File.state))
    }

    private static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); _ = close(fd) }
    }

    // MARK: Finding

    /// The checkpoint folder for `url`: the folder itself when it holds state.json, else its
    /// `checkpoint/` child, else `checkpoint.previous/` (a save interrupted between renames).
    public static func resolve(_ url: URL) throws(CheckpointError) -> URL {
        let fm = FileManager.default
        for candidate in [url, url.appendingPathComponent(directoryName), url.appendingPathComponent(previousDirectoryName)] {
            if fm.fileExists(atPath: candidate.appendingPathComponent(File.state).path) { return candidate }
        }
        throw .notFound(path: url.path)
    }

    // MARK: Loading

    /// A checkpoint read from disk with every file verified.
    public struct Contents {
        public var directory: URL
        public var run: RunConfig
        public var manifest: CheckpointManifest
        /// False when the user asked not to check sizes and checksums (`--no-verify`).
        public var verify: Bool = true
    }

    /// Reads state.json and config.json of the checkpoint at `url` (resolved as in ``resolve(_:)``).
    /// `verify: false` (`--no-verify`) reads the files without checking their sizes and checksums.
    public static func readContents(_ url: URL, verify: Bool = true) throws(CheckpointError) -> Contents {
        let directory = try resolve(url)
        let stateURL = directory.appendingPathComponent(File.state)
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: stateURL))
        } catch {
            throw .corrupt(path: stateURL.path, reason: "not a checkpoint manifest: \(JSONText.decodingReason(error))")
        }
        guard manifest.format == CheckpointManifest.formatName, manifest.version <= CheckpointManifest.currentVersion else {
            throw .corrupt(path: stateURL.path, reason: "format '\(manifest.format)' version \(manifest.version) is not a checkpoint this build reads")
        }
        let configData = try verified(File.config, in: directory, manifest: manifest, verify: verify)
        let run: RunConfig
        do {
            run = try JSONDecoder().decode(RunConfig.self, from: configData)
            try run.model.validate()
        } catch {
            throw .corrupt(path: directory.appendingPathComponent(File.config).path, reason: String(describing: error))
        }
        return Contents(directory: directory, run: run, manifest: manifest, verify: verify)
    }

    /// The bytes of `name` after checking they are there with the recorded size and checksum.
    static func verified(_ name: String, in directory: URL, manifest: CheckpointManifest, verify: Bool = true) throws(CheckpointError) -> Data {
        let url = directory.appendingPathComponent(name)
        guard let record = manifest.files[name] else {
            throw .corrupt(path: directory.appendingPathComponent(File.state).path, reason: "it lists no file '\(name)'")
        }
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .corrupt(path: url.path, reason: error.localizedDescription) }
        if !verify { return data }
        switch IntegrityProblem.check(data, against: record) {
        case nil: return data
        case .missing: throw .missingFile(path: url.path)
        case let .sizeMismatch(expected, actual)?: throw .sizeMismatch(path: url.path, expectedBytes: expected, actualBytes: actual)
        case let .checksumMismatch(expected, found)?: throw .checksumMismatch(path: url.path, expected: expected, found: found)
        }
    }

    /// Checks every file state.json lists (a damaged file the command would not read is still a
    /// damaged checkpoint: say so before using any of it).
    /// `except`: files the caller checks anyway when it reads them (not read twice).
    public static func verifyFiles(_ contents: Contents, except: Set<String> = []) throws(CheckpointError) {
        for name in contents.manifest.files.keys.sorted() where !except.contains(name) {
            _ = try verified(name, in: contents.directory, manifest: contents.manifest, verify: contents.verify)
        }
    }

    /// The verified, parsed safetensors file `name`.
    static func tensors(_ name: String, in contents: Contents) throws(CheckpointError) -> SafeTensorsFile {
        let data = try verified(name, in: contents.directory, manifest: contents.manifest, verify: contents.verify)
        let path = contents.directory.appendingPathComponent(name).path
        do { return try SafeTensorsFile(data: data, source: path) } catch {
            throw .corrupt(path: path, reason: error.description)
        }
    }

    /// Float tensors of a verified file, by name.
    static func floatTensors(_ name: String, in contents: Contents) throws(CheckpointError) -> [String: Tensor] {
        let file = try tensors(name, in: contents)
        do { return try file.floatTensors() } catch {
            throw .corrupt(path: file.source, reason: String(describing: error))
        }
    }

    /// Which weights to put in the model.
    public enum Weights: Sendable {
        /// model.safetensors: the EMA weights when the run used EMA (evaluation, serving, export).
        case evaluation
        /// The trained weights (weights-raw.safetensors with EMA, else model.safetensors): resume.
        case trained
    }

    /// The model stored in the checkpoint at `url`.
    public static func loadModel(_ url: URL, weights: Weights = .evaluation, verifyAll: Bool = true,
                                 verify: Bool = true) throws -> (model: ReasoningModel, contents: Contents) {
        let contents = try readContents(url, verify: verify)
        let name = weights == .trained && contents.manifest.emaWeights ? File.rawWeights : File.model
        // readContents checked config.json; `name` is checked as it is read below.
        if verifyAll && verify { try verifyFiles(contents, except: [File.config, name]) }
        let model = try ReasoningModel(config: contents.run.model, seed: contents.run.training.seed)
        let tensors = try floatTensors(name, in: contents)
        do { try model.load(tensors, source: contents.directory.appendingPathComponent(name).path) } catch {
            throw CheckpointError.incompatible(path: contents.directory.appendingPathComponent(name).path, reason: String(describing: error))
        }
        return (model, contents)
    }

    /// A training state that continues exactly where the checkpoint at `url` stopped, with the
    /// run configuration `run` (default: the checkpoint's; see ``RunConfig/resumeProblem(from:)``).
    public static func loadTrainingState(_ url: URL, run override: RunConfig? = nil) throws -> (state: TrainingState, contents: Contents) {
        let (model, contents) = try loadModel(url, weights: .trained)
        let dir = contents.directory
        var run = contents.run
        if let override {
            if let problem = override.resumeProblem(from: contents.run) {
                throw CheckpointError.configMismatch(path: dir.path, reason: problem)
            }
            run = override
        }
        let state = TrainingState(run: run, model: model)
        let m = contents.manifest
        state.step = m.step
        state.rng = m.rng
        let shapes = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.0, $0.1.shape) })
        func checkShapes(_ tensors: [String: Tensor], file: String, strip: (String) -> String?) throws(CheckpointError) {
            let path = dir.appendingPathComponent(file).path
            for (key, t) in tensors {
                guard let name = strip(key), let shape = shapes[name] else {
                    throw .incompatible(path: path, reason: "tensor '\(key)' belongs to no parameter of the model")
                }
                guard shape == t.shape else {
                    throw .incompatible(path: path, reason: "tensor '\(key)' has shape \(t.shape), parameter '\(name)' has \(shape)")
                }
            }
        }
        if let ema = state.ema {
            guard m.emaWeights else {
                throw CheckpointError.configMismatch(path: dir.path, reason: "the checkpoint has no EMA weights but the configuration turns EMA on")
            }
            let shadow = try floatTensors(File.ema, in: contents)
            try checkShapes(shadow, file: File.ema) { $0 }
            for name in shapes.keys where shadow[name] == nil {
                throw CheckpointError.incompatible(path: dir.appendingPathComponent(File.ema).path, reason: "tensor '\(name)' is missing")
            }
            ema.restore(shadow)
        }
        let moments = try floatTensors(File.optimizer, in: contents)
        try checkShapes(moments, file: File.optimizer) { k in
            k.hasPrefix("m.") || k.hasPrefix("v.") ? String(k.dropFirst(2)) : nil
        }
        state.optimizer.restore(step: m.optimizerStep, tensors: moments)
        if m.hasCarry {
            state.carry = try loadCarry(contents, model: model)
        }
        return (state, contents)
    }

    static func loadCarry(_ contents: Contents, model: ReasoningModel) throws -> Carry {
        let file = try tensors(File.carry, in: contents)
        let path = file.source
        let c = model.config
        do {
            let tokens = try file.intTensor("tokens"), labels = try file.intTensor("labels")
            let ids = try file.intTensor("puzzle_identifiers"), steps = try file.intTensor("steps")
            let halted = try file.intTensor("halted")
            let y = try file.tensor("y"), z = try file.tensor("z")
            let b = ids.count
            guard tokens.shape == [b, c.seqLen], labels.shape == [b, c.seqLen], steps.count == b, halted.count == b,
                  y.shape == [b, c.totalLength, c.hidden], z.shape == y.shape else {
                throw CheckpointError.incompatible(path: path, reason: "carry shapes tokens \(tokens.shape), y \(y.shape), z \(z.shape) do not fit \(b) rows of \(c.seqLen) cells, \(c.totalLength) positions, hidden \(c.hidden)")
            }
            let batch = try PuzzleBatch(tokens: tokens, labels: labels, puzzleIdentifiers: ids.values)
            var carry = model.initialCarry(for: batch)
            carry.y = y; carry.z = z
            carry.steps = steps.values.map { Int($0) }
            carry.halted = halted.values.map { $0 != 0 }
            return carry
        } catch let e as CheckpointError {
            throw e
        } catch {
            throw CheckpointError.corrupt(path: path, reason: String(describing: error))
        }
    }
}

extension RunConfig {
    /// Why a run with this configuration cannot continue a checkpoint saved with `saved`, or nil.
    /// The model, optimizer, loss, batch size and seed must match; step counts and intervals may change.
    public func resumeProblem(from saved: RunConfig) -> String? {
        // A checkpoint saved before identifier layouts were recorded has none: nothing to compare.
        var mine = model
        if saved.model.puzzleIdentifierLayout == nil { mine.puzzleIdentifierLayout = nil }
        if let a = mine.puzzleIdentifierLayout, let b = saved.model.puzzleIdentifierLayout, a != b {
            return "the training data's ARC identifier layout (\(a)) differs from the checkpoint's (\(b)); resume with the data the run started on"
        }
        if mine != saved.model { return "the model configuration differs from the checkpoint's (\(saved.name))" }
        var a = training, b = saved.training
        for t in [\TrainingConfig.totalSteps, \.evalInterval, \.checkpointInterval] {
            a[keyPath: t] = 0; b[keyPath: t] = 0
        }
        if a.batchSize != b.batchSize {
            return "batch size \(training.batchSize) differs from the checkpoint's \(saved.training.batchSize) (the ACT carry has one row per batch row)"
        }
        if a != b { return "training hyperparameters (optimizer, learning rate, loss, EMA or seed) differ from the checkpoint's" }
        return nil
    }
}
