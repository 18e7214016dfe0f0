// Counting shortest paths, and mazes generated with exactly one: the count against brute force, the
// generator's draws against the unfiltered generator's, and why one path matters under augmentation.

import TRMTestSupport
import Testing
@testable import TRMPuzzles

@Suite struct MazePathCountTests {
    /// Every shortest S-to-G path, enumerated by a depth-first walk that only steps one cell farther
    /// from S each time (so each walk of `shortest` steps ending at G is one shortest path).
    private func bruteForceCount(_ maze: MazeGrid) -> Int {
        let side = maze.side
        let dist = MazeSolver.distances(side: side, from: maze.start) { maze.cells[$0].isPassable }
        let g = maze.goal
        guard dist[g] >= 0 else { return 0 }
        func walk(_ cell: Int) -> Int {
            if cell == g { return 1 }
            let r = cell / side, c = cell % side
            var total = 0
            for (nr, nc) in [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
            where nr >= 0 && nr < side && nc >= 0 && nc < side {
                let n = nr * side + nc
                if maze.cells[n].isPassable && dist[n] == dist[cell] + 1 && dist[n] <= dist[g] { total += walk(n) }
            }
            return total
        }
        return walk(maze.start)
    }

    private func randomMaze(side: Int, wallDensity: Double, rng: inout DeterministicRandom) -> MazeGrid? {
        var cells = (0..<(side * side)).map { _ in rng.unit() < wallDensity ? MazeCell.wall : .open }
        let open = cells.indices.filter { cells[$0] == .open }
        guard open.count >= 2 else { return nil }
        let s = open[rng.below(open.count)]
        var g = open[rng.below(open.count)]
        if g == s { g = open[(open.firstIndex(of: s)! + 1) % open.count] }
        cells[s] = .start
        cells[g] = .goal
        return MazeGrid(side: side, cells: cells)
    }

    @Test func countsMatchBruteForceOnRandomMazes() {
        var rng = DeterministicRandom(seed: 17)
        var seen = Set<Int>()
        for trial in 0..<300 {
            let side = 3 + trial % 4
            guard let maze = randomMaze(side: side, wallDensity: 0.25, rng: &rng) else { continue }
            let count = MazeSolver.shortestPathCount(maze)
            #expect(count == bruteForceCount(maze), "trial \(trial): \(maze.line)")
            seen.insert(count)
        }
        // The trials cover unreachable goals, single paths and many paths.
        #expect(seen.contains(0) && seen.contains(1) && seen.contains { $0 >= 6 })
    }

    @Test func knownCountsAndTheCap() throws {
        // An open 3x3 room corner to corner: choose which 2 of the 4 steps go down, 6 paths.
        let room = try MazeGrid.parse("S       G", allowPath: false).get()
        #expect(MazeSolver.shortestPathCount(room) == 6)
        #expect(MazeSolver.shortestPathCount(room, cap: 2) == 2)
        let corridor = try MazeGrid.parse("S#  #   G", allowPath: false).get()
        #expect(MazeSolver.shortestPathCount(corridor) == 1)
        let walledOff = try MazeGrid.parse("S# ##   G", allowPath: false).get()
        #expect(MazeSolver.shortestPathCount(walledOff) == 0)
        // An open 30x30 room corner to corner: C(58, 29) paths; the cap holds the count.
        let big = MazeGrid(side: 30, cells: (0..<900).map { $0 == 0 ? .start : $0 == 899 ? .goal : .open })
        #expect(MazeSolver.shortestPathCount(big) == 30_067_266_499_541_040)
        #expect(MazeSolver.shortestPathCount(big, cap: 1_000_000) == 1_000_000)
        // A 40x40 room: C(78, 39), about 2.7e22, saturates at Int.max instead of overflowing.
        let huge = MazeGrid(side: 40, cells: (0..<1600).map { $0 == 0 ? .start : $0 == 1599 ? .goal : .open })
        #expect(MazeSolver.shortestPathCount(huge) == Int.max)
    }

    @Test func uniquePathMazesAreTheUnfilteredOnesThatHaveOnePath() throws {
        let plain = MazeGeneratorOptions(side: 8, minPathCells: 16)
        var unique = plain
        unique.uniqueShortestPath = true
        var a = DeterministicRandom(seed: 41), b = DeterministicRandom(seed: 41)
        let drawn = try (0..<150).map { _ in try MazeGenerator.generate(plain, using: &a) }
        let kept = drawn.filter { MazeSolver.shortestPathCount($0.question) == 1 }
        #expect(kept.count >= 5 && kept.count < drawn.count)
        let generated = try kept.indices.map { _ in try MazeGenerator.generate(unique, using: &b) }
        #expect(generated == kept)
        for m in generated {
            #expect(MazeSolver.answerProblem(question: m.question, answer: m.answer) == nil)
            #expect((m.rating ?? 0) + 1 >= 16)
        }
    }

    @Test func oneShortestPathSurvivesEveryDihedralVersion() throws {
        var rng = DeterministicRandom(seed: 3)
        let options = MazeGeneratorOptions(side: 8, minPathCells: 16, uniqueShortestPath: true)
        let ambiguous = try MazeGrid.parse("S       G", allowPath: false).get()
        let ambiguousAnswer = try #require(MazeSolver.solve(ambiguous))
        var tieBreakTurns = false
        for _ in 0..<10 {
            let m = try MazeGenerator.generate(options, using: &rng)
            for d in Dihedral.allCases {
                let q = MazeGrid(side: 8, cells: d.apply(m.question.cells, rows: 8, cols: 8))
                let label = MazeGrid(side: 8, cells: d.apply(m.answer.cells, rows: 8, cols: 8))
                // The transformed label is what solving the transformed maze gives: one right answer.
                #expect(MazeSolver.solve(q) == label)
            }
        }
        // With several shortest paths the fixed tie-break picks, in some version, a path that is not
        // the transformed label: augmented labels would then disagree about the same maze.
        for d in Dihedral.allCases {
            let q = MazeGrid(side: 3, cells: d.apply(ambiguous.cells, rows: 3, cols: 3))
            let label = MazeGrid(side: 3, cells: d.apply(ambiguousAnswer.cells, rows: 3, cols: 3))
            if MazeSolver.solve(q) != label { tieBreakTurns = true }
        }
        #expect(tieBreakTurns)
    }

    @Test func theGeneratorSaysWhenNoMazeHasOnePath() {
        var rng = DeterministicRandom(seed: 1)
        // No walls at all: every 6x6 maze with a 10-cell path is an open room with many paths.
        let options = MazeGeneratorOptions(side: 6, wallDensity: 0, minPathCells: 10, maxAttempts: 30, uniqueShortestPath: true)
        #expect(throws: DataError.self) { try MazeGenerator.generate(options, using: &rng) }
        do {
            _ = try MazeGenerator.generate(options, using: &rng)
        } catch {
            #expect("\(error)".contains("exactly one shortest path"))
        }
    }

    @Test func aMazeDatasetCountsAnyShortestPathAsRight() throws {
        let room = try MazeGrid.parse("S       G", allowPath: false).get()
        let corridor = try MazeGrid.parse("S#  #   G", allowPath: false).get()
        let records = try [room, corridor].map { q in MazeRecord(question: q, answer: try #require(MazeSolver.solve(q))) }
        let data = PuzzleDataset.maze(records)
        #expect(data.rightAnswerRule != nil)
        #expect(data.hasSeveralRightAnswers(0) == true && data.hasSeveralRightAnswers(1) == false)
        // The label, and another shortest path through the room, are right; neither is the other.
        let label = data.label(0)
        let other = try MazeGrid.parse("S  o  ooG", allowPath: true).get().tokens
        #expect(Array(label) != other)
        #expect(data.isRightAnswer(0, prediction: label) == true)
        #expect(data.isRightAnswer(0, prediction: other[...]) == true)
        // A longer path, a broken one, and tokens that are no maze are not.
        let longer = try MazeGrid.parse("So oooo G", allowPath: true).get().tokens
        #expect(data.isRightAnswer(0, prediction: longer[...]) == false)
        let broken = try MazeGrid.parse("So      G", allowPath: true).get().tokens
        #expect(data.isRightAnswer(0, prediction: broken[...]) == false)
        #expect(data.isRightAnswer(1, prediction: [Int32](repeating: 0, count: 9)[...]) == false)
        #expect(data.isRightAnswer(1, prediction: data.label(1)) == true)
        // Sudoku is scored against its label only.
        let sudoku = PuzzleDataset(kind: .sudoku, seqLen: 81, vocabSize: 11, numPuzzleIdentifiers: 1, gridRows: 9, gridCols: 9)
        #expect(sudoku.rightAnswerRule == nil && sudoku.hasSeveralRightAnswers(0) == nil)
    }
}
