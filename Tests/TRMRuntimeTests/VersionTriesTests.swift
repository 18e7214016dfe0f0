// VersionTries: the one loop behind `trm solve --tries`, `POST /v1/solve` and the MCP tools' tries:
// which version comes next, when to stop, and which try the answer given is from.
import Testing
import TRMPuzzles
import TRMRuntime

@Suite struct VersionTriesTests {
    static func sudoku() throws -> (question: PuzzleQuestion, solution: [Int32]) {
        var rng = DeterministicRandom(seed: 5)
        let g = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 30), using: &rng)
        return (.sudoku(g.puzzle), g.solution.tokens)
    }

    @Test func aPassingFirstAnswerEndsAtTryOne() throws {
        let (q, solution) = try Self.sudoku()
        var tries = VersionTries(question: q, tries: 8)
        #expect(tries.next(after: solution) == nil)
        #expect(tries.current == 1 && tries.verdict?.status == .valid)
    }

    @Test func failingAnswersSpendEveryTryAndTheLastIsNamed() throws {
        let (q, _) = try Self.sudoku()
        var tries = VersionTries(question: q, tries: 4)
        var seen: [[Int]] = []
        // The question itself as every answer: incomplete, so never valid.
        while let version = tries.next(after: q.tokens) {
            seen.append(version.gather)
            #expect(tries.current == seen.count + 1, "the try about to be solved")
        }
        #expect(seen.count == 3 && Set(seen).count == 3, "three other versions, all different")
        #expect(tries.current == 4 && tries.verdict?.status == .invalid)
        #expect(tries.next(after: q.tokens) == nil && tries.current == 4, "no tries left")
    }

    /// A solver that gets the puzzle wrong as given and right in any other version: the answer,
    /// read back in the puzzle's frame, passes at try 2.
    @Test func theFirstVersionThatPassesIsKept() throws {
        let (q, solution) = try Self.sudoku()
        var tries = VersionTries(question: q, tries: 5)
        var answer = q.tokens
        var solved = 0
        while let version = tries.next(after: answer) {
            let versionAnswer = version.apply(solution)        // the version's own solution
            answer = version.invert(versionAnswer)
            solved += 1
        }
        #expect(solved == 1 && tries.current == 2 && answer == solution && tries.verdict?.status == .valid)
    }

    @Test func kindsWithoutVersionsAndOneTryStopAtOnce() throws {
        let (q, _) = try Self.sudoku()
        var one = VersionTries(question: q, tries: 1)
        #expect(one.next(after: q.tokens) == nil && one.current == 1 && one.verdict?.status == .invalid)

        var mini = VersionTries(question: .miniSudoku([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), tries: 8)
        #expect(mini.versions == nil && mini.next(after: mini.question.tokens) == nil && mini.current == 1)

        var rng = DeterministicRandom(seed: 6)
        let maze = try MazeGenerator.generate(MazeGeneratorOptions(side: 8, minPathCells: 10), using: &rng)
        var turns = VersionTries(question: .maze(maze.question), tries: 16)
        var count = 0
        while turns.next(after: maze.question.tokens) != nil { count += 1 }
        #expect(count == 7 && turns.current == 8, "a maze has 8 orientations: 7 more tries at most")
    }
}
