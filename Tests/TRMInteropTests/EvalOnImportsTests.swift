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

@Suite("Voting on imported ARC data")
struct ImportedARCVotingTests {
    /// Every version of a test input, undone, must give the same answer grid: this checks the
    /// identifier names, the puzzle boundaries and the reference's transform numbering at once.
    @Test("every version's label undoes to one answer per test input; voting scores pass@1/pass@2")
    func votingOnImportedARC() throws {
        let dir = referenceDatasets.appendingPathComponent("arc")
        guard FileManager.default.fileExists(atPath: dir.path) else { return }
        let data = try ReferenceDataset.load(dir, split: "test")
        let rows = try #require(ReferenceDataset.arcRowVersions(data))
        #expect(rows.allSatisfy { $0 != nil }, "every test row names its task version")
        var answers: [String: Set<ARCGrid>] = [:]
        var versions: [String: Set<ARCVersion>] = [:]
        for (i, v) in rows.enumerated() {
            let v = try #require(v)
            let label = data.label(i).map { $0 == PuzzleDataset.ignoreLabel ? ARCCanvas.padToken : $0 }
            let grid = try #require(ARCCanvas.crop(label), "row \(i) has an answer grid")
            answers["\(v.task)#\(v.testIndex)", default: []].insert(v.version.undo(grid))
            versions["\(v.task)#\(v.testIndex)", default: []].insert(v.version)
        }
        #expect(answers.values.allSatisfy { $0.count == 1 }, "all versions of an input agree once undone")
        #expect(versions.values.contains { $0.count > 1 }, "the fixture holds several versions of an input")
        // A set cut short (trm eval --limit) still names its rows' versions.
        let cut = try #require(ReferenceDataset.arcRowVersions(data.prefix(5)))
        #expect(cut.count == 5 && cut.allSatisfy { $0 != nil })

        var c = ModelConfig()
        c.seqLen = data.seqLen; c.vocabSize = data.vocabSize; c.puzzleIdentifiers = data.numPuzzleIdentifiers
        c.hidden = 32; c.heads = 2; c.layers = 1; c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingWidth = 32; c.puzzleEmbeddingLength = 1
        let model = try ReasoningModel(config: c, seed: 0)
        let result = try ARCVotingEvaluator.evaluate(model: model, dataset: data,
                                                     rows: rows.map { $0.map { ARCRowVersion(taskID: $0.task, testIndex: $0.testIndex, version: $0.version) } },
                                                     options: ARCVotingOptions(batchSize: 16))
        #expect(result.predictions == data.count)
        #expect(result.testInputs == answers.count)
        #expect((0...1).contains(result.passAt1.score) && result.passAt2.score >= result.passAt1.score)
    }
}
