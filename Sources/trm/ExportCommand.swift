// `trm export`: one safetensors file with a checkpoint's evaluation weights and its config, or
// (--format torch) the reference's own checkpoint layout: step_N + all_config.yaml.
import ArgumentParser
import Foundation
import TRMInterop
import TRMModels
import TRMTraining

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint's weights (EMA when trained with EMA) as one safetensors file or as a reference checkpoint.",
        discussion: """
        safetensors (default): every parameter and buffer under its reference name (inner.L_level.layers.0...) and, in \
        its metadata, "config" (the RunConfig JSON), "step", "format": "trm" and "weights".
        torch: DIR/step_N (torch.save zip, keys _orig_mod.model.inner.*, float32) and DIR/all_config.yaml, which the \
        reference's pretrain.py loads with load_checkpoint. RUN may also be a model folder (e.g. from `trm import`).

        Examples:
          trm export --model runs/sudoku4 --out sudoku4.safetensors
          trm export --format torch runs/sudoku4 -o torch/sudoku4
        """)

    @Argument(help: "A run directory, checkpoint folder or model folder.")
    var source: String?

    @Option(help: "A run directory or checkpoint folder (same as RUN).")
    var model: String?

    @Option(help: "safetensors or torch.")
    var format: String = "safetensors"

    @Option(name: [.customShort("o"), .long], help: "The safetensors file (or, for torch, the folder) to write.")
    var out: String

    func validate() throws {
        guard (source == nil) != (model == nil) else { throw ValidationError("give the run as RUN or --model, once") }
        switch format {
        case "safetensors": guard out.hasSuffix(".safetensors") else { throw ValidationError("--out should end in .safetensors") }
        case "torch": break
        default: throw ValidationError("--format must be safetensors or torch")
        }
    }

    func run() throws {
        let source = (self.source ?? model)!
        if format == "torch" {
            let url = URL(fileURLWithPath: source)
            let (modelValue, runConfig, step, weights): (TRMModels.ReasoningModel, TRMModels.RunConfig, Int, String)
            if let contents = try? Checkpoint.readContents(url) {
                let (m, c) = try Checkpoint.loadModel(contents.directory, weights: .evaluation)
                (modelValue, runConfig, step, weights) = (m, c.run, c.manifest.step, c.manifest.emaWeights ? "EMA" : "trained")
            } else {
                let loaded = try ModelStore.load(directory: source)
                (modelValue, runConfig, step, weights) = (loaded.model, loaded.run, 0, "stored")
            }
            let r = try TorchExport.write(modelValue, run: runConfig, step: step, to: URL(fileURLWithPath: out))
            print("wrote \(r.checkpoint.path) (\(r.tensors) tensors, \(r.bytes) bytes, \(weights) weights) and \(r.config.path)")
            return
        }
        let result = try ModelExport.export(checkpoint: URL(fileURLWithPath: source), to: URL(fileURLWithPath: out))
        print("wrote \(out): \(result.tensors) tensors, \(result.bytes) bytes, \(result.weights) weights of \(result.name) at step \(result.step)")
    }
}
