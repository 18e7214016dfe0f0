// `trm import`: a checkpoint of the reference PyTorch implementation -> a model folder.
import ArgumentParser
import Foundation
import TRMInterop

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a checkpoint written by the reference PyTorch code (TRM or HRM) as a model folder.",
        discussion: """
        CHECKPOINT is the file pretrain.py saves (torch.save of the state dict, e.g. checkpoints/RUN/step_N), or a \
        safetensors file with the reference's parameter names. The architecture is read from all_config.yaml beside it \
        (or --config); vocabulary and puzzle-identifier count from the tensor shapes. Attention models do not carry the \
        sequence length in their tensors: it is taken from the run's data set when found (data_paths), else from the \
        vocabulary (11: Sudoku 81, 6: maze 900, 12: ARC 900), else from --seq-len.

        Examples:
          trm import checkpoints/trm-att-sudoku/step_1000 -o models/trm-att-sudoku
          trm solve --model models/trm-att-sudoku --puzzle "..."
        """)

    @Argument(help: "The reference checkpoint (step_N; a checkpoint folder: its latest step_N) or a safetensors file with reference names.")
    var checkpoint: String

    @Option(help: "The run's all_config.yaml (default: beside the checkpoint).")
    var config: String?

    @Option(help: "Sequence length, for attention models whose data set is not found.")
    var seqLen: Int?

    @Option(name: .outputPath, help: "The model folder to create (must not exist or be empty).")
    var output: String

    func run() throws {
        // A bad --output is refused before the checkpoint is read.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandError("cannot write the model folder to \(output): a file of that name is in the way; pass --output a new folder")
        }
        let parent = (output as NSString).deletingLastPathComponent
        try OutputLocation.prepareFolder(parent.isEmpty ? "." : parent, for: "the model folder", option: "--output")
        let imported = try ReferenceCheckpoint.load(checkpoint: URL(fileURLWithPath: checkpoint),
                                                    config: config.map { URL(fileURLWithPath: $0) }, seqLen: seqLen)
        var metadata = ["source": imported.checkpoint]
        if let step = imported.step { metadata["step"] = String(step) }  // kept by `trm info` and `trm export --format torch`
        try ModelFolder.write(imported.model, run: imported.run, readme: ModelFolder.importReadme(imported), metadata: metadata,
                              to: URL(fileURLWithPath: output))
        let c = imported.run.model
        print("imported \(imported.checkpoint) -> \(output)")
        print("  \(c.family.rawValue.uppercased()) \(c.mixer), hidden \(c.hidden), layers \(c.layers), cycles \(c.hCycles)/\(c.lCycles), "
              + "vocab \(c.vocabSize), \(c.seqLen) cells, \(c.puzzleIdentifiers) puzzle identifier(s), \(imported.model.state.count) tensors")
        for note in imported.notes { print("  note: \(note)") }
    }
}
