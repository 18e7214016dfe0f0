// `trm export`: a checkpoint's evaluation weights and config as one safetensors file, as a model
// folder with a manifest of checksums, or (--format torch) in the reference's own checkpoint layout:
// step_N + all_config.yaml.
import ArgumentParser
import Foundation
import TRMInterop
import TRMModels
import TRMRuntime
import TRMTraining

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint's weights (EMA when trained with EMA) as a safetensors file, a model folder or a reference checkpoint.",
        discussion: """
        safetensors (default), --out FILE.safetensors: every parameter and buffer under its reference name (inner.L_level.layers.0...) \
        and, in its metadata, "config" (the RunConfig JSON), "step", "format": "trm", "weights" and "checksum" (over the config and the tensors).
        safetensors, --out FOLDER: a model folder: config.json, model.safetensors, manifest.json (size and checksum of each) and README.md.
        torch: DIR/step_N (torch.save zip, keys _orig_mod.model.inner.*, float32) and DIR/all_config.yaml, which the \
        reference's pretrain.py loads with load_checkpoint; the EMA weights unless --raw. RUN may also be a model folder (e.g. \
        from `trm import`; its step_N is the imported step).
        The source's files are checked (sizes and checksums) before export; every later load checks the export's.

        Examples:
          trm export --model runs/sudoku4 --out sudoku4.safetensors
          trm export --model runs/sudoku4 --out models/sudoku4
          trm export --format torch runs/sudoku4 -o torch/sudoku4
          trm export --format torch --raw runs/sudoku4 -o torch/sudoku4-raw
        """)

    @Argument(help: "A run directory, checkpoint folder or model folder.")
    var source: String?

    @Option(help: "A run directory or checkpoint folder (same as RUN).")
    var model: String?

    @Option(help: "safetensors or torch.")
    var format: String = "safetensors"

    @Option(name: .outputPath, help: "Where to write: a .safetensors file or a model folder (safetensors), or a folder (torch).")
    var out: String

    @Flag(help: "torch: export the trained (raw) weights of a run trained with EMA instead of its EMA weights.")
    var raw = false

    /// --no-verify (the shared group): export even when a file of the source differs from its
    /// recorded size or checksum (the export then records new checksums over the damaged weights).
    @OptionGroup var verify: VerifyOption
    var noVerify: Bool { verify.noVerify }

    func validate() throws {
        guard (source == nil) != (model == nil) else { throw ValidationError("give the run as RUN or --model, once") }
        guard ["safetensors", "torch"].contains(format) else { throw ValidationError("--format must be safetensors or torch, got '\(format)'") }
        if raw && format != "torch" { throw ValidationError("--raw goes with --format torch (safetensors exports hold the evaluation weights)") }
    }

    func run() throws {
        let source = (self.source ?? model)!
        // A bad --out is refused before the source is read.
        let existed = FileManager.default.fileExists(atPath: out)
        if format == "torch" || !out.hasSuffix(".safetensors") {
            try OutputLocation.prepareFolder(out, for: "the export")
        } else {
            try OutputLocation.prepareFile(out, for: "the export")
        }
        do { try export(source) } catch {
            // Leave nothing behind: the folder made for the export goes when the export fails.
            if !existed, (try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: out)
            }
            if let damage = error as? CheckpointError, damage.isDamage, !noVerify {
                throw CommandError(String(damage.description.dropLast()) + ", or pass --no-verify to export it anyway")
            }
            throw error
        }
    }

    func export(_ source: String) throws {
        if format == "torch" {
            let url = URL(fileURLWithPath: source)
            let (modelValue, runConfig, step, weights): (TRMModels.ReasoningModel, TRMModels.RunConfig, Int, String)
            if let contents = try? Checkpoint.readContents(url, verify: !noVerify) {
                let (m, c) = try Checkpoint.loadModel(contents.directory, weights: raw ? .trained : .evaluation, verify: !noVerify)
                (modelValue, runConfig, step, weights) = (m, c.run, c.manifest.step, c.manifest.emaWeights && !raw ? "EMA" : "trained")
            } else {
                if raw {
                    throw CommandError("\(source) is a model folder with one set of weights; --raw needs a run or checkpoint trained with EMA")
                }
                let loaded = try ModelStore.load(directory: source, verify: !noVerify)
                (modelValue, runConfig, step, weights) = (loaded.model, loaded.run, loaded.step ?? 0, "stored")
            }
            let r = try TorchExport.write(modelValue, run: runConfig, step: step, to: URL(fileURLWithPath: out))
            print("wrote \(r.checkpoint.path) (\(r.tensors) tensors, \(r.bytes) bytes, \(weights) weights) and \(r.config.path)")
            return
        }
        if out.hasSuffix(".safetensors") {
            let result = try ModelExport.export(checkpoint: URL(fileURLWithPath: source), to: URL(fileURLWithPath: out), verify: !noVerify)
            print("wrote \(out): \(result.tensors) tensors, \(result.bytes) bytes, \(result.weights) weights of \(result.name) at step \(result.step)")
        } else {
            let result = try ModelExport.exportFolder(checkpoint: URL(fileURLWithPath: source), to: URL(fileURLWithPath: out), verify: !noVerify)
            print("wrote \(out)/: config.json, model.safetensors (\(result.tensors) tensors, \(result.bytes) bytes), manifest.json, README.md: \(result.weights) weights of \(result.name) at step \(result.step)")
        }
    }
}
