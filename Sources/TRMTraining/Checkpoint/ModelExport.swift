// ModelExport: a checkpoint's evaluation weights (EMA when trained with EMA) and its RunConfig,
// either as one self-describing safetensors file (config and checksum in its metadata) or as a
// model folder (config.json + model.safetensors + manifest.json + README.md). Both load with
// ModelStore, which checks them first.
import Foundation
import TRMFiles
import TRMModels
import TRMNN
import TRMRuntime

public enum ModelExport {
    public struct Result: Sendable {
        public var name: String
        public var step: Int
        public var tensors: Int
        public var bytes: Int
        /// "ema" or "raw".
        public var weights: String
    }

    /// Writes `checkpoint`'s model.safetensors, verified, with the config and a checksum in its
    /// metadata, to the file `url`.
    /// `verify: false` (`--no-verify`) exports without checking the checkpoint's sizes and checksums.
    public static func export(checkpoint: URL, to url: URL, verify: Bool = true) throws -> Result {
        let (model, contents) = try Checkpoint.loadModel(checkpoint, weights: .evaluation, verify: verify)
        let weights = contents.manifest.emaWeights ? "ema" : "raw"
        let config = String(decoding: try contents.run.jsonData(), as: UTF8.self)
        var metadata = ["format": "trm", "config": config, "step": String(contents.manifest.step), "weights": weights]
        // The checksum covers the tensor bytes, which do not depend on the metadata: serialise once
        // without it to learn them, then once more with it.
        let draft = try SafeTensorsFile(tensors: model.state, metadata: metadata).serialized()
        metadata[ModelStore.exportChecksumKey] = ModelStore.exportChecksum(config: config, fileBytes: draft)
        let file = SafeTensorsFile(tensors: model.state, metadata: metadata)
        let data = try file.serialized()
        try AtomicFile.write(data, to: url)
        return Result(name: contents.run.name, step: contents.manifest.step, tensors: file.tensors.count, bytes: data.count, weights: weights)
    }

    /// Writes `checkpoint`'s evaluation weights as a model folder at `directory`: config.json,
    /// model.safetensors, manifest.json (sizes and checksums) and a README saying where it came from.
    public static func exportFolder(checkpoint: URL, to directory: URL, verify: Bool = true) throws -> Result {
        let (model, contents) = try Checkpoint.loadModel(checkpoint, weights: .evaluation, verify: verify)
        let weights = contents.manifest.emaWeights ? "ema" : "raw"
        let source = "\(contents.directory.path) at step \(contents.manifest.step) (\(weights) weights)"
        try ModelStore.save(model, run: contents.run, to: directory.path,
                            metadata: ["format": "trm", "step": String(contents.manifest.step), "weights": weights], source: source)
        let readme = """
            # \(contents.run.name)

            Exported by `trm export` from \(source).
            Load it with any command that takes `--model` (`trm solve --model \(directory.lastPathComponent)`,
            `trm eval`, `trm serve`, `trm info`); manifest.json records the size and checksum of every
            file, checked before each load.

            """
        try AtomicFile.write(Data(readme.utf8), to: directory.appendingPathComponent("README.md"))
        let bytes = (try? Data(contentsOf: directory.appendingPathComponent(ModelStore.weightsFile)).count) ?? 0
        return Result(name: contents.run.name, step: contents.manifest.step, tensors: model.state.count, bytes: bytes, weights: weights)
    }

    /// The model in an exported file (its config from the metadata), checked first.
    public static func load(_ url: URL) throws -> (run: RunConfig, model: ReasoningModel) {
        let loaded = try ModelStore.load(directory: url.path)
        return (loaded.run, loaded.model)
    }
}
