// `trm export`: one safetensors file with a checkpoint's evaluation weights and its config.
import ArgumentParser
import Foundation
import TRMTraining

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a checkpoint's weights (EMA when trained with EMA) and config as one safetensors file.",
        discussion: """
        The file holds every parameter and buffer under its reference name (inner.L_level.layers.0...) and, in its metadata, "config" (the RunConfig JSON), "step", "format": "trm" and "weights".

        Examples:
          trm export --model runs/sudoku4 --out sudoku4.safetensors
        """)

    @Option(help: "A run directory or checkpoint folder.")
    var model: String

    @Option(help: "The safetensors file to write.")
    var out: String

    func validate() throws {
        guard out.hasSuffix(".safetensors") else { throw ValidationError("--out should end in .safetensors") }
    }

    func run() throws {
        let result = try ModelExport.export(checkpoint: URL(fileURLWithPath: model), to: URL(fileURLWithPath: out))
        print("wrote \(out): \(result.tensors) tensors, \(result.bytes) bytes, \(result.weights) weights of \(result.name) at step \(result.step)")
    }
}
