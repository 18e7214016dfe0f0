// The import commands end to end through the built `trm`: `trm import` of a reference checkpoint,
// its README stub, `trm info` on the folder, `trm data import`, `trm train --init` from the import
// (fresh optimizer state, step 1 reached), `trm export --format torch` keeping the imported step,
// and an ARC chain: data import -> tiny model -> torch export -> import -> `trm eval` with voting.
import Foundation
import TRMTestSupport
import Testing
import TRMModels
import TRMNN
import TRMRuntime

private let attCheckpoint = torchCheckpoints.appendingPathComponent("trm-att-sudoku/step_1000")
private var haveFixtures: Bool {
    FileManager.default.fileExists(atPath: attCheckpoint.path)
        && FileManager.default.fileExists(atPath: referenceDatasets.appendingPathComponent("sudoku/train/dataset.json").path)
        && FileManager.default.fileExists(atPath: referenceDatasets.appendingPathComponent("arc/test/dataset.json").path)
}

/// Runs trm, records a failure with its output when the status is not 0; returns the output.
@discardableResult
private func trm(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let (status, output) = try TRMExecutable.run(args)
    #expect(status == 0, "trm \(args.joined(separator: " ")) exited \(status): \(output)", sourceLocation: sourceLocation)
    return output
}

@Suite("The import commands through the built trm", .enabled(if: TRMExecutable.url != nil && haveFixtures, "no built trm or no fixtures"))
struct CLIImportTests {
    @Test("trm import -> README stub, trm info, trm train --init (fresh optimizer, step 1), trm export keeps step 1000")
    func importInfoTrainExport() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let model = scratch.path("model").path
        var out = try trm(["import", attCheckpoint.path, "-o", model])
        #expect(out.contains("imported \(attCheckpoint.path) -> \(model)"), "\(out)")
        #expect(out.contains("TRM attention, hidden 64, layers 2, cycles 3/6, vocab 11, 81 cells, 2 puzzle identifier(s)"), "\(out)")

        // The README stub names the checkpoint, the configuration and the architecture.
        let readme = try String(contentsOf: scratch.path("model/README.md"), encoding: .utf8)
        #expect(readme.contains("- checkpoint: `\(attCheckpoint.path)`"), "\(readme)")
        #expect(readme.contains("- configuration: `\(attCheckpoint.deletingLastPathComponent().appendingPathComponent("all_config.yaml").path)`"), "\(readme)")
        #expect(readme.contains("- model: TRM, self-attention; hidden 64, 2 layer(s) per net, H/L cycles 3/6"), "\(readme)")
        #expect(readme.contains("stored dtypes: BF16 x2, F32 x"), "\(readme)")
        #expect(readme.contains("forward_dtype bfloat16"), "\(readme)")

        out = try trm(["info", "--model", model])
        #expect(out.hasPrefix("model: \(model) (sudoku puzzles)"), "\(out)")
        #expect(out.contains("files: verified"), "\(out)")
        #expect(out.contains("step: 1000"), "the step of step_1000 is kept: \(out)")

        let train = scratch.path("train.trmd").path
        out = try trm(["data", "import", referenceDatasets.appendingPathComponent("sudoku").path, "--split", "train", "-o", train])
        #expect(out.contains("wrote \(train):") && out.contains("examples of sudoku (81 cells, vocab 11)"), "\(out)")

        let run = scratch.path("run").path
        out = try trm(["train", "--init", model, "--data", train, "--steps", "1", "--batch-size", "4", "--eval-interval", "0",
                       "--checkpoint-interval", "0", "--out", run])
        #expect(out.contains("initialised from \(model): fresh optimizer state"), "\(out)")
        #expect(out.contains("steps 1..1") || out.contains("steps 0..1"), "step 1 is reached: \(out)")
        out = try trm(["info", "--model", run])
        #expect(out.contains("step: 1 "), "\(out)")

        // Exporting the imported folder writes step_1000 again, and no eval_interval the
        // reference would divide by zero with.
        let torch = scratch.path("torch")
        out = try trm(["export", "--format", "torch", model, "-o", torch.path])
        #expect(FileManager.default.fileExists(atPath: torch.appendingPathComponent("step_1000").path), "\(out)")
        let yaml = try String(contentsOf: torch.appendingPathComponent("all_config.yaml"), encoding: .utf8)
        #expect(yaml.contains("eval_interval: 5000"), "the imported run's interval divides its epochs: \(yaml)")
        #expect(yaml.contains("epochs: 65000"), "\(yaml)")
    }

    @Test("ARC: trm data import -> tiny model -> trm export --format torch -> trm import -> trm eval --limit votes")
    func arcChain() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let test = scratch.path("arc-test.trmd").path
        var out = try trm(["data", "import", referenceDatasets.appendingPathComponent("arc").path, "--split", "test", "-o", test])
        #expect(out.contains("examples of arc (900 cells, vocab 12), 73 puzzle identifier(s)"), "\(out)")

        // A tiny model of the data set's shape (untrained: the chain, not the accuracy, is tested).
        var c = ModelConfig()
        c.seqLen = 900; c.vocabSize = 12; c.puzzleIdentifiers = 73
        c.hidden = 32; c.heads = 2; c.layers = 1; c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingWidth = 32; c.puzzleEmbeddingLength = 1
        var training = TrainingConfig()
        training.evalInterval = 0  // ours: never; must not reach the reference's YAML as 0
        let tiny = scratch.path("tiny").path
        try ModelStore.save(try ReasoningModel(config: c, seed: 1), run: RunConfig(name: "tiny-arc", model: c, training: training), to: tiny)

        let torch = scratch.path("torch")
        out = try trm(["export", "--format", "torch", tiny, "-o", torch.path])
        let yaml = try String(contentsOf: torch.appendingPathComponent("all_config.yaml"), encoding: .utf8)
        #expect(!yaml.contains("eval_interval"), "eval interval 0 is left out (None), not written as 0: \(yaml)")
        let imported = scratch.path("imported").path
        out = try trm(["import", torch.appendingPathComponent("step_0").path, "-o", imported])
        #expect(out.contains("vocab 12, 900 cells, 73 puzzle identifier(s)"), "\(out)")

        // --limit cuts the set short; the voting still runs over the rows kept.
        out = try trm(["eval", "--model", imported, "--data", test, "--limit", "12", "--max-steps", "1", "--predictions",
                       "--out", scratch.path("report").path])
        #expect(out.contains("on 12 puzzles"), "\(out)")
        #expect(out.contains("ARC voting: pass@1 "), "\(out)")
        #expect(out.contains("12 predictions"), "\(out)")
        // --predictions: one JSON line per evaluated row, numbered in data order.
        let lines = try String(contentsOf: scratch.path("report/predictions.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 12 && lines.first?.hasPrefix("{\"index\": 0,") == true && lines.last?.hasPrefix("{\"index\": 11,") == true)
        #expect(out.contains("(12 puzzles, "), "\(out)")
    }
}
