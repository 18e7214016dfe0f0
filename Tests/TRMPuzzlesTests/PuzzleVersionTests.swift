// Versions of a puzzle (what training's augmentation can make of it) and honest splits: held-out
// versions and repeats dropped, whatever transform made them.

import TRMTestSupport
import Testing
@testable import TRMPuzzles

@Suite struct PuzzleVersionTests {
    static func sudokus(_ count: Int, clues: Int = 30, seed: UInt64 = 3) throws -> [SudokuGrid] {
        var rng = DeterministicRandom(seed: seed)
        return try (0..<count).map { _ in try SudokuGenerator.generate(SudokuGeneratorOptions(clues: clues), using: &rng).puzzle }
    }

    static func mazes(_ count: Int, seed: UInt64 = 5) throws -> [MazeGrid] {
        var rng = DeterministicRandom(seed: seed)
        return try (0..<count).map { _ in try MazeGenerator.generate(MazeGeneratorOptions(side: 8, minPathCells: 12), using: &rng).question }
    }

    @Test func bandKeepingOrdersAreTheWholeGroup() {
        let orders = SudokuGrid.bandKeepingOrders
        #expect(orders.count == 1296 && Set(orders).count == 1296)
        for o in orders {
            #expect(o.sorted() == Array(0..<9))
            #expect((0..<3).allSatisfy { g in Set(o[(g * 3)..<(g * 3 + 3)].map { $0 / 3 }).count == 1 }, "\(o) splits a band")
        }
    }

    /// Every transform training draws gives a version: same key, and the exhaustive check finds it.
    @Test func everyTrainingTransformOfASudokuIsAVersion() throws {
        var rng = DeterministicRandom(seed: 11)
        for p in try Self.sudokus(12, clues: 25) {
            for _ in 0..<8 {
                let t = SudokuTransform.random(using: &rng).apply(p)
                #expect(t.versionKey == p.versionKey)
                #expect(p.isVersion(of: t) && t.isVersion(of: p))
            }
        }
    }

    /// Different puzzles are not versions; nor is a puzzle with two clues' digits swapped, which
    /// keeps the key (so only the exhaustive check can tell).
    @Test func otherSudokusAreNotVersions() throws {
        let puzzles = try Self.sudokus(40, clues: 28)
        let index = PuzzleVersionIndex(puzzles)
        for (i, p) in puzzles.enumerated() { #expect(index.match(p) == i) }
        for i in 0..<puzzles.count {
            for j in 0..<puzzles.count where i != j { #expect(!puzzles[i].isVersion(of: puzzles[j])) }
        }
        var swapped = 0
        for p in puzzles {
            let count = (0...9).map { d in p.cells.filter { $0 == d }.count }
            let clues = (0..<81).filter { p.cells[$0] != 0 }
            var pair: (Int, Int)?
            for x in clues {
                for y in clues where p.cells[x] != p.cells[y] && count[Int(p.cells[x])] == count[Int(p.cells[y])] {
                    pair = (x, y)
                    break
                }
                if pair != nil { break }
            }
            guard let (x, y) = pair else { continue }
            var cells = p.cells
            cells.swapAt(x, y)
            let q = SudokuGrid(cells: cells)
            #expect(q.versionKey == p.versionKey)
            #expect(!p.isVersion(of: q))
            swapped += 1
        }
        #expect(swapped > 30)
        // Relabelling two digits into one is not a one-to-one relabelling.
        let p = puzzles[0]
        let d1 = p.cells.first { $0 != 0 }!, d2 = p.cells.first { $0 != 0 && $0 != d1 }!
        #expect(!p.isVersion(of: SudokuGrid(cells: p.cells.map { $0 == d2 ? d1 : $0 })))
    }

    @Test func dihedralCopiesOfAMazeAreVersions() throws {
        let mazes = try Self.mazes(30)
        for m in mazes {
            for t in Dihedral.allCases {
                let image = MazeGrid(side: m.side, cells: t.apply(m.cells, rows: m.side, cols: m.side))
                #expect(image.versionKey == m.versionKey && m.isVersion(of: image))
            }
        }
        let keys = Set(mazes.map(\.versionKey))
        #expect(keys.count == mazes.count, "30 random mazes are 30 different mazes")
    }

    @Test func splitDropsHeldOutVersionsAndRepeats() throws {
        let all = try Self.sudokus(60, clues: 30, seed: 21)
        let test = Array(all[50...])
        var rng = DeterministicRandom(seed: 4)
        var input = Array(all[0..<40])
        input.append(SudokuTransform.random(using: &rng).apply(test[0]))   // index 40: a test puzzle, turned
        input.append(SudokuTransform.random(using: &rng).apply(test[7]))   // 41
        input.append(SudokuTransform.random(using: &rng).apply(input[3]))  // 42: a repeat of row 3
        input.append(test[2])                                              // 43: a test puzzle as is
        let split = try PuzzleSplit.make(input, heldOut: [test], validation: 10, seed: 1)
        #expect(split.dropped.map(\.index) == [40, 41, 42, 43])
        #expect(split.dropped.map(\.reason) == [.heldOut(set: 0, index: 0), .heldOut(set: 0, index: 7),
                                                 .repeated(of: 3), .heldOut(set: 0, index: 2)])
        #expect(split.train.count == 30 && split.validation.count == 10)
        #expect(Set(split.train + split.validation) == Set(0..<40), "every kept row once, in one split")
        #expect(try PuzzleSplit.make(input, heldOut: [test], validation: 10, seed: 1) == split, "deterministic")
        #expect(try PuzzleSplit.make(input, heldOut: [test], validation: 10, seed: 2).train != split.train)
        // Input order: the validation rows are the last ones kept (as scripts/maze-split.py of sessions 5-9 did).
        let ordered = try PuzzleSplit.make(input, heldOut: [test], validation: 10, seed: nil)
        #expect(ordered.train == Array(0..<30) && ordered.validation == Array(30..<40))
        let kept = try PuzzleSplit.make(input, heldOut: [], validation: 0, seed: nil, dropRepeats: false)
        #expect(kept.dropped.isEmpty && kept.train == Array(0..<44))
        #expect(throws: DataError.self) { try PuzzleSplit.make(input, heldOut: [test], validation: 40, seed: 1) }
        #expect(throws: DataError.self) { try PuzzleSplit.make(input, heldOut: [test], validation: -1, seed: 1) }
    }

    @Test func splitOfMazesAcrossFilesAndSizes() throws {
        let mazes = try Self.mazes(40)
        let turned = Dihedral.rotate90.apply(mazes[5].cells, rows: 8, cols: 8)
        let input = Array(mazes[0..<30]) + [MazeGrid(side: 8, cells: turned), mazes[12]]
        var rng = DeterministicRandom(seed: 1)
        let big = try MazeGenerator.generate(MazeGeneratorOptions(side: 10, minPathCells: 12), using: &rng).question
        let split = try PuzzleSplit.make(input, heldOut: [Array(mazes[30...]) + [big], [mazes[5]]], validation: 5, seed: 0)
        #expect(split.dropped.map(\.index) == [5, 30, 31])
        #expect(split.dropped.map(\.reason) == [.heldOut(set: 1, index: 0), .heldOut(set: 1, index: 0), .repeated(of: 12)])
        #expect(split.train.count + split.validation.count == 29)
    }
}
