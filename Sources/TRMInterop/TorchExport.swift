// TorchExport: one of our models as the reference's checkpoint directory: `step_N` (a torch.save
// zip of a dict of float32 CPU tensors under `_orig_mod.model.inner.*`, the keys the reference's
// `load_checkpoint` expects) and `all_config.yaml` (its run configuration). Each file is written
// atomically; nothing is written when the model cannot be expressed.
import Foundation
import TRMFiles
import TRMModels
import TRMNN

public enum TorchExport {
    public struct Result: Sendable {
        public var checkpoint: URL
        public var config: URL
        public var tensors: Int
        public var bytes: Int
    }

    /// The reference-named tensors of `model` (float32, row-major).
    public static func referenceTensors(_ model: ReasoningModel) -> [(String, SafeTensorEntry)] {
        model.state.map { (ReferenceNames.referenceName(ours: $0.0), SafeTensorEntry(floats: $0.1.scalars, shape: $0.1.shape)) }
    }

    /// Writes `directory/step_<step>` and `directory/all_config.yaml`.
    public static func write(_ model: ReasoningModel, run: RunConfig, step: Int, to directory: URL) throws(InteropError) -> Result {
        if run.model.mixer == .attention && run.model.positionEncoding == .rope2d {
            throw InteropError(file: directory.path, problem: "the model uses positionEncoding rope2d (RoPE by grid row and column), swift-trm's own; the reference has only rope and none, so it could not run this model. Export it as safetensors (`trm export` without --format torch)")
        }
        let name = "step_\(max(step, 0))"
        let ckpt = directory.appendingPathComponent(name), yamlURL = directory.appendingPathComponent("all_config.yaml")
        let zip: Data, yaml: String
        do {
            zip = try TorchStateDict.serialize(referenceTensors(model), archiveName: name)
            var cfg = ReferenceRunConfig(run)
            cfg.checkpoint_path = directory.path
            yaml = try cfg.yamlText()
        } catch let e as InteropError {
            throw e
        } catch {
            throw InteropError(file: ckpt.path, problem: "cannot encode (\(error))")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try AtomicFile.write(zip, to: ckpt)
            try AtomicFile.write(yaml, to: yamlURL)
        } catch {
            throw InteropError(file: directory.path, problem: "cannot write (\(error))")
        }
        return Result(checkpoint: ckpt, config: yamlURL, tensors: model.state.count, bytes: zip.count)
    }
}
