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

    @Test("the README's snippet is this function's body")
    func readmeSnippetIsInSync() throws {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```swift\nimport TRMRuntime\n"))
        let end = try #require(readme[start.upperBound...].range(of: "```"))
        let snippet = readme[start.upperBound..<end.lowerBound].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // Every snippet line appears here, up to the model path (a parameter here) and the two
        // prints (returned here instead).
        for line in snippet where !line.isEmpty {
            let here = line.replacingOccurrences(of: "\"Models/sudoku\"", with: "modelFolder")
                .replacingOccurrences(of: "print(StepRenderer.grid(", with: "let answer = StepRenderer.grid(")
            if here.hasPrefix("print(question.verdict(result.prediction))") { continue }
            let expected = here.hasPrefix("let answer = ") ? String(here.dropLast()) : here
            #expect(source.contains(expected), "README line not in the compiled example: \(line)")
        }
        #expect(snippet.count >= 6)
    }

    @Test("the bundled model solves the embedded Sudoku through TRMRuntime only")
    func bundledModelSolves() throws {
        let folder = Repository.root.appendingPathComponent("Models/sudoku").path
        let (answer, verdict) = try solveWithTheBundledModel(folder)
        #expect(verdict.status == .valid, "\(verdict)")
        #expect(answer.contains("| 4 8 3 | 9 2 1 | 6 5 7 |"), "first row of the known solution:\n\(answer)")
    }
}
