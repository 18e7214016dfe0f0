// Mazes: parsing, BFS solver against every shared test row, the answer validator, generation and
// the 8 dihedral augmentations.
import TRMTestSupport
import Foundation
import Testing
@testable import TRMPuzzles

/// A small hand-made 5x5 maze whose only shortest path takes 8 steps.
private let smallMaze = """
S   #\
 ## #\
 #   \
 # # \
   #G
"""

@Suite struct MazeTests {
    @Test func solvesASmallMaze() throws {
        let q = try MazeGrid.parse(smallMaze, allowPath: false).get()
        #expect(q.side == 5)
        #expect(MazeSolver.shortestPathLength(q) == 8)
        let a = try #require(MazeSolver.solve(q))
        #expect(a.cells.filter { $0 == .path }.count == 7)
        #expect(MazeSolver.answerProblem(question: q, answer: a) == nil)
    }

    @Test func validatorRejectsWrongAnswers() throws {
        let q = try MazeGrid.parse(smallMaze, allowPath: false).get()
        let a = try #require(MazeSolver.solve(q))
        // A missing mark breaks the path.
        var broken = a
        broken.cells[broken.cells.firstIndex(of: .path)!] = .open
        #expect(MazeSolver.answerProblem(question: q, answer: broken) != nil)
        // An extra mark is not a shortest path.
        var extra = a
        extra.cells[extra.cells.firstIndex(of: .open)!] = .path
        #expect(MazeSolver.answerProblem(question: q, answer: extra) != nil)
        // A mark on a wall.
        var onWall = a
        onWall.cells[onWall.cells.firstIndex(of: .wall)!] = .path
        #expect(MazeSolver.answerProblem(question: q, answer: onWall) != nil)
        // A connected-looking path down the left side does not reach G.
        let other = try MazeGrid.parse("""
        S   #\
        o## #\
        o#   \
        o# # \
        ooo#G
        """, allowPath: true).get()
        let alternative = MazeSolver.answerProblem(question: q, answer: other)
        #expect(alternative != nil)
        let right = try MazeGrid.parse("""
        Sooo#\
         ##o#\
         # oo\
         # #o\
           #G
        """, allowPath: true).get()
        #expect(MazeSolver.answerProblem(question: q, answer: right) == nil)
    }

    @Test func parseRejectsBadMazes() {
        #expect(throws: MazeParseFailure.self) { try MazeGrid.parse("S  #x   G", allowPath: false).get() }
        #expect(throws: MazeParseFailure.self) { try MazeGrid.parse("S  #    ", allowPath: false).get() }  // 8 cells
        #expect(throws: MazeParseFailure.self) { try MazeGrid.parse("S  #     ", allowPath: false).get() }  // no G
        #expect(throws: MazeParseFailure.self) { try MazeGrid.parse("S o#    G", allowPath: false).get() }  // path in a question
        #expect(throws: MazeParseFailure.self) { try MazeGrid.parse("S  #    G", allowPath: false, side: 30).get() }
    }

    @Test(.enabled(if: SharedData.exists("maze-30x30-hard/test.csv")))
    func solverAgreesWithEveryTestRow() throws {
        let path = try #require(SharedData.path("maze-30x30-hard/test.csv"))
        let rows = try PuzzleRowReader.read(path: path)
        #expect(rows.count == 800)
        for row in rows {
            let record = try MazeRecord.parse(row, file: path, side: 30)  // validates the file's answer
            let length = try #require(MazeSolver.shortestPathLength(record.question))
            #expect(length == record.rating, "line \(row.line): rating is the shortest path length")
            #expect(length + 1 >= 110, "the set keeps paths of at least 110 cells, S and G included")
            let mine = try #require(MazeSolver.solve(record.question))
            #expect(MazeSolver.answerProblem(question: record.question, answer: mine) == nil)
        }
    }

    @Test func generatorMakesHardMazes() throws {
        var rng = DeterministicRandom(seed: 5)
        let m = try MazeGenerator.generate(MazeGeneratorOptions(), using: &rng)
        #expect(m.question.side == 30)
        let length = try #require(MazeSolver.shortestPathLength(m.question))
        #expect(length + 1 >= 110 && length == m.rating)
        #expect(MazeSolver.answerProblem(question: m.question, answer: m.answer) == nil)
        var small = DeterministicRandom(seed: 5)
        let s = try MazeGenerator.generate(MazeGeneratorOptions(side: 10, wallDensity: 0.2, minPathCells: 13), using: &small)
        #expect((MazeSolver.shortestPathLength(s.question) ?? 0) >= 12)
        // Without a path length: Maze-Hard's at 30x30, 2 x side elsewhere (drawable at 8x8).
        #expect(MazeGeneratorOptions().minPathCells == 110 && MazeGeneratorOptions(side: 8).minPathCells == 16)
        let e = try MazeGenerator.generate(MazeGeneratorOptions(side: 8), using: &small)
        #expect((MazeSolver.shortestPathLength(e.question) ?? 0) + 1 >= 16)
    }

    @Test func generatorGivesUpWithATypedError() {
        var rng = DeterministicRandom(seed: 1)
        #expect(throws: DataError.self) {
            try MazeGenerator.generate(MazeGeneratorOptions(side: 5, minPathCells: 100, maxAttempts: 20), using: &rng)
        }
        #expect(throws: DataError.self) { try MazeGenerator.generate(MazeGeneratorOptions(wallDensity: 1.5), using: &rng) }
    }

    @Test(arguments: Dihedral.allCases)
    func dihedralTransformsKeepAnswersRight(_ d: Dihedral) throws {
        let q = try MazeGrid.parse(smallMaze, allowPath: false).get()
        let a = try #require(MazeSolver.solve(q))
        let tq = MazeGrid(side: 5, cells: d.apply(q.cells, rows: 5, cols: 5))
        let ta = MazeGrid(side: 5, cells: d.apply(a.cells, rows: 5, cols: 5))
        #expect(MazeSolver.answerProblem(question: tq, answer: ta) == nil)
        #expect(d.inverse.apply(tq.cells, rows: 5, cols: 5) == q.cells)
        let table = d.gatherTable(side: 5)
        #expect(table.map { q.cells[$0] } == tq.cells)
    }

    @Test func theEightTransformsAreDistinct() {
        let grid = Array(0..<12)
        let images = Set(Dihedral.allCases.map { d -> [Int] in
            let s = d.shape(rows: 3, cols: 4)
            return [s.rows] + d.apply(grid, rows: 3, cols: 4)
        })
        #expect(images.count == 8)
    }
}
