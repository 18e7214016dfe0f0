// `trm solve`'s library side: the step view with changed-cell markers, the halting confidence and
// the validator's verdict; the JSON form; mismatched puzzles rejected with a reason.
import Foundation
import Testing
import TRMRuntime
@testable import TRMServe

@Suite struct ConsoleSolveTests {
    /// A random trm-att-sudoku-small model: the console plumbing is under test, not the weights.
    static let model: LoadedModel = try! ModelLoading.random(preset: "trm-att-sudoku-small")

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ s: String) { lock.withLock { lines.append(s) } }
        var all: [String] { lock.withLock { lines } }
    }

    @Test func stepViewShowsEveryStepAndTheVerdict() throws {
        let out = Lines()
        let r = try ConsoleSolve.run(.init(text: PuzzleParser.defaultSudoku, kind: .auto, threshold: 0.5, maxSteps: 3,
                                           json: false, style: .plain), model: Self.model, output: out.add)
        let text = out.all.joined(separator: "\n")
        #expect(text.contains("step 1/3  halting confidence"))
        #expect(text.contains("step 3/3"))
        #expect(text.contains("81 cells changed"))
        #expect(text.contains("verdict: INVALID"))
        #expect(text.contains("(--tries 8 solves up to 7 other versions"), "an invalid answer points to --tries")
        #expect(text.contains("*"))               // plain markers for changed cells
        #expect(!text.contains("\u{1B}["))        // no ANSI in plain mode
        #expect(r.stepsUsed == 3 && r.steps?.count == 3)
    }

    @Test func jsonModePrintsOneObject() throws {
        let out = Lines()
        _ = try ConsoleSolve.run(.init(text: PuzzleParser.defaultSudoku, kind: .sudoku, threshold: nil, maxSteps: 2,
                                       json: true, style: .plain), model: Self.model, output: out.add)
        #expect(out.all.count == 1)
        let r = try APICoding.decoder.decode(SolveResponse.self, from: Data(out.all[0].utf8))
        #expect(r.stepsUsed == 2 && r.verdict.status == .invalid && r.steps?.count == 2)
    }

    /// Random weights pass no try: every try is spent, and the answer shown and returned is the
    /// last try's (as `POST /v1/solve` gives it), named as such, not the first try's under the last
    /// try's number.
    @Test func whenNoTryPassesTheLastTrysAnswerIsGivenAndNamed() throws {
        let out = Lines()
        let r = try ConsoleSolve.run(.init(text: PuzzleParser.defaultSudoku, kind: .sudoku, threshold: nil, maxSteps: 2,
                                           json: false, style: .plain, tries: 3), model: Self.model, output: out.add)
        let text = out.all.joined(separator: "\n")
        #expect(text.contains("try 2 of 3") && text.contains("try 3 of 3") && text.contains("try 3: 2 steps"), "\(text)")
        #expect(r.tries == 3 && r.verdict.status == .invalid)
        let q = try PuzzleParser.parse(PuzzleParser.defaultSudoku, kind: .sudoku, gridSpec: Self.model.gridSpec)
        let third = try #require(VersionTries(question: q, tries: 3).versions?.last)
        let policy = HaltingPolicy(threshold: nil, maxSteps: 2)
        let solved = try solvePuzzles(model: Self.model.model, inputs: [third.apply(q.tokens)], policy: policy, batchSize: 1,
                                      keepSteps: false)[0].mappedBack(by: third)
        let first = try solvePuzzles(model: Self.model.model, inputs: [q.tokens], policy: policy, batchSize: 1, keepSteps: false)[0]
        #expect(r.answer == q.answerRows(solved.prediction), "the third try's answer, read back")
        #expect(solved.prediction != first.prediction, "random weights answer the versions differently (else the check above proves nothing)")
    }

    @Test func aMazeForASudokuModelIsRefusedWithAReason() {
        do {
            _ = try ConsoleSolve.run(.init(text: "####\n#S #\n# G#\n####", kind: .auto, threshold: 0.5, maxSteps: 1,
                                           json: false, style: .plain), model: Self.model) { _ in }
            Issue.record("accepted a maze")
        } catch {
            #expect(String(describing: error).contains("solves sudoku"))
        }
    }

    @Test func aRope2dModelSolvesAMazeOfAnotherSide() throws {
        let maze5 = Fixtures.maze5
        let out = Lines()
        let r = try ConsoleSolve.run(.init(text: maze5, kind: .maze, threshold: nil, maxSteps: 2, json: false, style: .plain),
                                     model: Fixtures.maze4(.rope2d), output: out.add)
        let text = out.all.joined(separator: "\n")
        #expect(text.contains("trained on 4x4, run on 5x5 with rope2d positions"), "\(text)")
        #expect(r.stepsUsed == 2 && r.answer.count == 5 && r.answer.allSatisfy { $0.count == 5 }, "\(r.answer)")
        // The reference's 1-D RoPE: its positions would mean other cells, so the puzzle is refused.
        #expect { try ConsoleSolve.run(.init(text: maze5, kind: .maze, threshold: nil, maxSteps: 2, json: false, style: .plain),
                                       model: Fixtures.maze4(.rope)) { _ in } } throws: { "\($0)".contains("takes 16 cells (e.g. 4x4), this puzzle has 25") }
    }
}
