// ModelFolder: writes an imported model as an ordinary model folder (config.json = RunConfig,
// model.safetensors = weights under our names with the config in its metadata, manifest.json with
// their sizes and checksums, README.md naming where it came from), the layout every command loads
// and checks. The folder appears complete or not at all:
// it is assembled under a temporary name beside the target and renamed into place.
import Foundation
import TRMFiles
import TRMModels
import TRMNN
import TRMRuntime

public enum ModelFolder {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"

    /// Writes `model` and `run` into `directory`, which must not exist yet (or be empty).
    public static func write(_ model: ReasoningModel, run: RunConfig, readme: String, metadata: [String: String] = [:],
                             to directory: URL) throws(InteropError) {
        let fm = FileManager.default
        let target = directory.standardizedFileURL
        if let items = try? fm.contentsOfDirectory(atPath: target.path), !items.isEmpty {
            throw InteropError(file: target.path, problem: "already exists and is not empty; choose another -o or remove it")
        } else if fm.fileExists(atPath: target.path), (try? fm.contentsOfDirectory(atPath: target.path)) == nil {
            throw InteropError(file: target.path, problem: "already exists and is not a folder")
        }
        let parent = target.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            let json = try run.jsonData()
            var meta = metadata
            meta["format"] = "trm"
            meta["config"] = String(decoding: json, as: UTF8.self)
            let weights = try SafeTensorsFile(tensors: model.state, metadata: meta).serialized()
            try AtomicFile.write(json, to: staging.appendingPathComponent(configFile))
            try AtomicFile.write(weights, to: staging.appendingPathComponent(weightsFile))
            try AtomicFile.write(readme, to: staging.appendingPathComponent("README.md"))
            try ModelStore.writeManifest(in: staging.path, files: [configFile: json, weightsFile: weights],
                                         source: metadata["source"] ?? "trm import")
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }  // an empty folder
            try fm.moveItem(at: staging, to: target)
        } catch {
            try? fm.removeItem(at: staging)
            // One short reason, not Foundation's error dump.
            let reason = error is FileWriteError ? String(describing: error) : (error as NSError).localizedDescription
            throw InteropError(file: target.path, problem: "cannot write the model folder (\(reason))")
        }
    }

    /// The README stub of an imported model.
    public static func importReadme(_ m: ImportedModel) -> String {
        let c = m.run.model
        let arch = c.family == .hrm ? "HRM" : (c.mixer == .mlp ? "TRM, MLP token mixer" : "TRM, self-attention")
        var s = """
            # \(m.run.name)

            Imported with `trm import` from a checkpoint of the reference PyTorch implementation.

            - checkpoint: `\(m.checkpoint)`
            - configuration: `\(m.config)`
            - model: \(arch); hidden \(c.hidden), \(c.layers) layer(s) per net, H/L cycles \(c.hCycles)/\(c.lCycles), \
            vocabulary \(c.vocabSize), \(c.seqLen) cells, \(c.puzzleIdentifiers) puzzle identifier(s)
            - stored dtypes: \(m.dtypes.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")) \
            (here: float32)

            """
        for n in m.notes { s += "- \(n)\n" }
        return s
    }
}
