// The README's embedding example: an app that solves a Sudoku with TRMRuntime alone (this test
// target depends on nothing of training or serving, so the example proves the runtime stands on
// its own). Kept word for word in sync with the README's snippet.
import Foundation
import Testing
import TRMRuntime
import TRMTestSupport

@Suite("An app on the runtime alone")
struct EmbeddingExampleTests {
    /// The README's snippet, as a function.
    func solveWithTheBundledModel(_ modelFolder: String) throws -> (answer: String, verdict: Verdict) {
        let loaded = try ModelStore.load(directory: modelFolder)
        let question = try PuzzleParser.parse(PuzzleParser.defaultSudoku, kind: .sudoku)
        let result = try solvePuzzles(model: loaded.model, inputs: [question.tokens],
                                      policy: HaltingPolicy(threshold: 0.5, maxSteps: loaded.run.model.haltMaxSteps))[0]
        let answer = StepRenderer.grid(question, prediction: result.prediction, changed: [], style: .plain)
        return (answer, question.verdict(result.prediction))
    }

    @Test("the bundled model solves the embedded Sudoku through TRMRuntime only")
    func bundledModelSolves() throws {
        let folder = Repository.root.appendingPathComponent("Models/sudoku").path
        let (answer, verdict) = try solveWithTheBundledModel(folder)
        #expect(verdict.status == .valid, "\(verdict)")
        #expect(answer.contains("| 4 8 3 | 9 2 1 | 6 5 7 |"), "first row of the known solution:\n\(answer)")
    }
}
