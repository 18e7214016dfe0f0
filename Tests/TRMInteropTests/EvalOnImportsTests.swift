// `trm eval --model IMPORTED --data IMPORTED.trmd` for Sudoku, maze and ARC: the evaluator accepts
// imported data sets (puzzle identifiers preserved, up to 72 for the ARC fixture) with models of the
// matching shape, the imported Sudoku checkpoint among them.
import Foundation
import Testing
@testable import TRMInterop
import TRMModels
import TRMPuzzles
import TRMTraining

@Suite("Evaluating on imported data")
struct EvalOnImportsTests {
    @Test("the imported Sudoku checkpoint evaluates on the imported Sudoku test split")
    func sudoku() throws {
        let ckpt = torchCheckpoints.appendingPathComponent("trm-att-sudoku/step_1000")
        guard FileManager.default.fileExists(atPath: ckpt.path),
              FileManager.default.fileExists(atPath: referenceDatasets.appendingPathComponent("sudoku").path) else { return }
        let model = try ReferenceCheckpoint.load(checkpoint: ckpt).model
        let data = try ReferenceDataset.load(referenceDatasets.appendingPathComponent("sudoku"), split: "test").prefix(8)
        let r = try Evaluator.evaluate(model: model, dataset: data, options: EvaluationOptions(maxSteps: 2))
        #expect(r.puzzleCount == 8 && r.tokenCount == 8 * 81)
    }

    @Test("maze and ARC test splits evaluate with models of their shape", arguments: ["maze", "arc"])
    func mazeAndARC(name: String) throws {
        let dir = referenceDatasets.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: dir.path) else { return }
        let data = try ReferenceDataset.load(dir, split: "test")
        var c = ModelConfig()
        c.seqLen = data.seqLen; c.vocabSize = data.vocabSize; c.puzzleIdentifiers = data.numPuzzleIdentifiers
        c.hidden = 32; c.heads = 2; c.layers = 1; c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingWidth = 32; c.puzzleEmbeddingLength = 1
        let model = try ReasoningModel(config: c, seed: 0)
        // The ARC rows carry identifiers of augmented versions (up to 72), which the model's 73
        // puzzle-embedding rows must accept.
        let sample = data.prefix(4)
        let r = try Evaluator.evaluate(model: model, dataset: sample, options: EvaluationOptions(maxSteps: 2))
        #expect(r.puzzleCount == 4)
        if name == "arc" { #expect(sample.puzzleIdentifiers.allSatisfy { $0 > 0 }, "test rows name their task version") }
    }
}
