// `trm export`: a checkpoint's evaluation weights and config as one safetensors file or as a model
// folder with a manifest of checksums.
import ArgumentParser
import Foundation
import TRMTraining
import TRMRuntime

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint's weights (EMA when trained with EMA) and config as one safetensors file or a model folder.",
        discussion: """
        --out FILE.safetensors: one file holding every parameter and buffer under its reference name (inner.L_level.layers.0...) and, in its metadata, "config" (the RunConfig JSON), "step", "format": "trm", "weights" and "checksum" (over the config and the tensors).
        --out FOLDER: a model folder: config.json, model.safetensors, manifest.json (size and checksum of each) and README.md.
        Every load (solve, eval, serve, mcp, info) checks the checksums first. The checkpoint's own files are checked before export.

        Examples:
          trm export --model runs/sudoku4 --out sudoku4.safetensors
          trm export --model runs/sudoku4 --out models/sudoku4
        """)

    @Option(help: "A run directory or checkpoint folder.")
    var model: String

    @Option(help: "Where to write: a .safetensors file, or a folder for a model folder.")
    var out: String

    func run() throws {
        if out.hasSuffix(".safetensors") {
            let result = try ModelExport.export(checkpoint: URL(fileURLWithPath: model), to: URL(fileURLWithPath: out))
            print("wrote \(out): \(result.tensors) tensors, \(result.bytes) bytes, \(result.weights) weights of \(result.name) at step \(result.step)")
        } else {
            let result = try ModelExport.exportFolder(checkpoint: URL(fileURLWithPath: model), to: URL(fileURLWithPath: out))
            print("wrote \(out)/: config.json, model.safetensors (\(result.tensors) tensors, \(result.bytes) bytes), manifest.json, README.md: \(result.weights) weights of \(result.name) at step \(result.step)")
        }
    }
}
