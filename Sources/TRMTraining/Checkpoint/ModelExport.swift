// ModelExport: a checkpoint's evaluation weights (EMA when trained with EMA) and its RunConfig as
// one self-describing safetensors file, and reading such a file back into a model.
import Foundation
import TRMModels
import TRMNN

public enum ModelExport {
    public struct Result: Sendable {
        public var name: String
        public var step: Int
        public var tensors: Int
        public var bytes: Int
        /// "ema" or "raw".
        public var weights: String
    }

    /// Writes `checkpoint`'s model.safetensors, verified, with the config in its metadata.
    public static func export(checkpoint: URL, to url: URL) throws -> Result {
        let (model, contents) = try Checkpoint.loadModel(checkpoint, weights: .evaluation)
        let weights = contents.manifest.emaWeights ? "ema" : "raw"
        let file = SafeTensorsFile(tensors: model.state, metadata: [
            "format": "trm", "config": String(decoding: try contents.run.jsonData(), as: UTF8.self),
            "step": String(contents.manifest.step), "weights": weights,
        ])
        let data = try file.serialized()
        try AtomicFile.write(data, to: url)
        return Result(name: contents.run.name, step: contents.manifest.step, tensors: file.tensors.count, bytes: data.count, weights: weights)
    }

    /// The model in an exported file (its config from the metadata).
    public static func load(_ url: URL) throws -> (run: RunConfig, model: ReasoningModel) {
        let file = try SafeTensorsFile(contentsOf: url)
        guard let json = file.metadata["config"] else {
            throw CheckpointError.corrupt(path: url.path, reason: "no \"config\" in the safetensors metadata; export it with `trm export`")
        }
        let run: RunConfig
        do { run = try JSONDecoder().decode(RunConfig.self, from: Data(json.utf8)); try run.model.validate() } catch {
            throw CheckpointError.corrupt(path: url.path, reason: "metadata config: \(error)")
        }
        let model = try ReasoningModel(config: run.model, seed: run.training.seed)
        do { try model.load(file.floatTensors(), source: url.path) } catch {
            throw CheckpointError.incompatible(path: url.path, reason: String(describing: error))
        }
        return (run, model)
    }
}
