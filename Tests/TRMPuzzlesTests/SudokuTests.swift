// Sudoku: parsing, validation, the exact solver against the shared test set, generation and the
// validity-preserving augmentation.
import TRMTestSupport
import Foundation
import Testing
@testable import TRMPuzzles

private let easy = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
private let easyAnswer = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"

@Suite struct SudokuTests {
    @Test func parsesDotsAndZerosAsBlanks() throws {
        let a = try SudokuGrid.parse(easy).get()
        let b = try SudokuGrid.parse(easy.replacingOccurrences(of: ".", with: "0")).get()
        #expect(a == b)
        #expect(a.clueCount == 30)
        #expect(a.line == easy)
        #expect(SudokuGrid(tokens: a.tokens) == a)
    }

    @Test func solverFindsTheUniqueSolution() throws {
        let result = SudokuSolver.solve(try SudokuGrid.parse(easy).get())
        #expect(result.solutionCount == 1)
        #expect(result.solution?.line == easyAnswer)
    }

    @Test func solverCountsSeveralSolutions() throws {
        var g = try SudokuGrid.parse(easy).get()
        for i in 0..<40 { g.cells[i] = 0 }
        #expect(SudokuSolver.countSolutions(g, limit: 2) == 2)
        #expect(SudokuSolver.countSolutions(.empty, limit: 2) == 2)
    }

    @Test func solverReportsNoSolutionForContradictions() throws {
        // Row 1 holds 1...8, so its last cell must be 9, but column 9 already has a 9 in row 2.
        var g = SudokuGrid.empty
        for c in 0..<8 { g.cells[c] = UInt8(c + 1) }
        g.cells[9 + 8] = 9
        #expect(g.conflict == nil)
        let r = SudokuSolver.solve(g)
        #expect(r.solutionCount == 0)
        #expect(r.solution == nil)
        // A direct clash is also "no solution".
        var clash = SudokuGrid.empty
        clash.cells[0] = 5; clash.cells[1] = 5
        #expect(clash.conflict != nil)
        #expect(SudokuSolver.countSolutions(clash) == 0)
    }

    @Test(.enabled(if: SharedData.exists("sudoku-extreme-lite/test.csv")))
    func solverAgreesWithTheFirst500TestRows() throws {
        let path = try #require(SharedData.path("sudoku-extreme-lite/test.csv"))
        let rows = try PuzzleRowReader.read(path: path).prefix(500)
        #expect(rows.count == 500)
        var totalBacktracks = 0
        for row in rows {
            let record = try SudokuRecord.parse(row, file: path)
            let result = SudokuSolver.solve(record.puzzle, limit: 2)
            #expect(result.isUnique, "line \(row.line) should have exactly one solution")
            #expect(result.solution == record.solution, "line \(row.line): solver disagrees with the answer")
            totalBacktracks += result.backtracks
        }
        #expect(totalBacktracks > 0)  // extreme puzzles need search
    }

    @Test func generatorMakesUniquePuzzlesWithTheRequestedClues() throws {
        var rng = DeterministicRandom(seed: 7)
        for clues in [40, 30, 26] {
            let g = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: clues), using: &rng)
            #expect(g.puzzle.clueCount == clues)
            #expect(g.puzzle.completionProblem(g.solution) == nil)
            #expect(SudokuSolver.countSolutions(g.puzzle) == 1)
            #expect(SudokuSolver.solve(g.puzzle).backtracks == g.backtracks)
        }
    }

    @Test func generatorIsDeterministicPerSeed() throws {
        var a = DeterministicRandom(seed: 3), b = DeterministicRandom(seed: 3)
        let x = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 32), using: &a)
        let y = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 32), using: &b)
        #expect(x == y)
    }

    @Test func generatorRejectsImpossibleRequests() {
        var rng = DeterministicRandom(seed: 1)
        #expect(throws: DataError.self) { try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 16), using: &rng) }
        #expect(throws: DataError.self) {
            try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 80, backtracks: 5...9, maxAttempts: 2), using: &rng)
        }
    }
}

@Suite struct SudokuAugmentationTests {
    /// Puzzles to transform: the shared test set when present, else generated ones.
    static func records() throws -> [SudokuRecord] {
        if let path = SharedData.path("sudoku-extreme-lite/test.csv") {
            return try PuzzleRowReader.read(path: path).prefix(100).map { try SudokuRecord.parse($0, file: path) }
        }
        var rng = DeterministicRandom(seed: 11)
        return try (0..<20).map { _ in
            let g = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 30), using: &rng)
            return SudokuRecord(puzzle: g.puzzle, solution: g.solution)
        }
    }

    @Test func transformsKeepPuzzlesValidAndUnique() throws {
        var rng = DeterministicRandom(seed: 42)
        for (i, record) in try Self.records().enumerated() {
            let t = SudokuTransform.random(using: &rng)
            #expect(Set(t.cellSource).count == 81, "cell map must be a permutation")
            #expect(t.digitMap[0] == 0 && Set(t.digitMap).count == 10)
            let puzzle = t.apply(record.puzzle), solution = t.apply(record.solution)
            #expect(puzzle.clueCount == record.puzzle.clueCount)
            #expect(puzzle.conflict == nil)
            #expect(puzzle.completionProblem(solution) == nil)
            if i < 20 {
                let r = SudokuSolver.solve(puzzle)
                #expect(r.isUnique && r.solution == solution)
            }
        }
    }

    @Test func tokenFormMatchesGridForm() throws {
        var rng = DeterministicRandom(seed: 5)
        let record = try Self.records()[0]
        let t = SudokuTransform.random(using: &rng)
        var out = [Int32](repeating: 0, count: 81)
        let tokens = record.puzzle.tokens
        tokens.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { t.apply(tokens: src.baseAddress!, into: $0.baseAddress!) } }
        #expect(out == t.apply(record.puzzle).tokens)
        // The ignore label and pad pass through untouched.
        let odd: [Int32] = [PuzzleDataset.ignoreLabel] + [Int32](repeating: 0, count: 80)
        odd.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { SudokuTransform.identity.apply(tokens: src.baseAddress!, into: $0.baseAddress!) } }
        #expect(out == odd)
    }

    @Test func everyKindOfTransformIsDrawn() {
        var rng = DeterministicRandom(seed: 9)
        var transposed = 0, identityCells = 0
        let draws = 400
        for _ in 0..<draws {
            let t = SudokuTransform.random(using: &rng)
            // Output cells (0,0) and (0,1) share a source row unless the grid was transposed.
            if t.cellSource[0] % 9 == t.cellSource[1] % 9 { transposed += 1 }
            if t.cellSource == Array(0..<81) { identityCells += 1 }
        }
        #expect(transposed > 50 && transposed < 350, "transpose should happen about half the time")
        #expect(identityCells < 5)
    }
}
