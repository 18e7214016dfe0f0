// TinySudoku: 4x4 Sudoku (2x2 boxes, digits 1...4) generated in code, for the end-to-end learning
// test and `trm train --preset trm-tiny-sudoku4` without any data on disk.
//
// A puzzle is made from a random complete grid by removing clues in random order, keeping each
// removal only while the solution stays unique (checked by a small exact solver), until the drawn
// number of blanks is reached. Train and test sets are disjoint by puzzle.
// Tokens follow the 9x9 layout: 0 pad, 1 blank, 2...5 digits 1...4 (vocab 6); labels hold the
// solution on all 16 cells.

public enum TinySudoku {
    public static let side = 4
    public static let cellCount = 16
    public static let vocabSize = 6

    /// Cells grouped by row, column and 2x2 box: the 12 units a digit may appear in once.
    static let units: [[Int]] = {
        var u: [[Int]] = []
        for r in 0..<4 { u.append((0..<4).map { r * 4 + $0 }) }
        for c in 0..<4 { u.append((0..<4).map { $0 * 4 + c }) }
        for br in [0, 2] { for bc in [0, 2] { u.append([br * 4 + bc, br * 4 + bc + 1, (br + 1) * 4 + bc, (br + 1) * 4 + bc + 1]) } }
        return u
    }()

    /// For each cell, the other cells sharing a unit with it.
    static let peers: [[Int]] = (0..<16).map { cell in
        Array(Set(units.filter { $0.contains(cell) }.flatMap { $0 }).subtracting([cell])).sorted()
    }

    /// Number of completions of `grid` (cells 0 = blank, 1...4), counting up to `limit`.
    /// grid: [16]
    public static func countSolutions(_ grid: [UInt8], limit: Int = 2) -> Int {
        var g = grid
        var found = 0
        func search() {
            guard found < limit else { return }
            guard let cell = g.firstIndex(of: 0) else { found += 1; return }
            for digit in UInt8(1)...4 where !peers[cell].contains(where: { g[$0] == digit }) {
                g[cell] = digit
                search()
                g[cell] = 0
                if found >= limit { return }
            }
        }
        search()
        return found
    }

    /// True when `grid` ([16], digits 1...4) breaks no rule; blanks (0) are allowed.
    public static func isConsistent(_ grid: [UInt8]) -> Bool {
        for unit in units {
            var seen = Set<UInt8>()
            for cell in unit where grid[cell] != 0 {
                if !seen.insert(grid[cell]).inserted { return false }
            }
        }
        return true
    }

    /// A uniformly shuffled complete grid. -> [16]
    static func randomSolution(using rng: inout DeterministicRandom) -> [UInt8] {
        var g = [UInt8](repeating: 0, count: 16)
        func fill(_ cell: Int) -> Bool {
            if cell == 16 { return true }
            var digits: [UInt8] = [1, 2, 3, 4]
            rng.shuffle(&digits)
            for d in digits where !peers[cell].contains(where: { g[$0] == d }) {
                g[cell] = d
                if fill(cell + 1) { return true }
            }
            g[cell] = 0
            return false
        }
        _ = fill(0)
        return g
    }

    /// One puzzle with a unique solution and up to `blanks` blank cells (fewer when no further
    /// clue can go without losing uniqueness). -> (puzzle [16], solution [16])
    public static func puzzle(blanks: Int, using rng: inout DeterministicRandom) -> (puzzle: [UInt8], solution: [UInt8]) {
        let solution = randomSolution(using: &rng)
        var puzzle = solution
        var removed = 0
        for cell in rng.permutation(16) where removed < blanks {
            let keep = puzzle[cell]
            puzzle[cell] = 0
            if countSolutions(puzzle, limit: 2) == 1 { removed += 1 } else { puzzle[cell] = keep }
        }
        return (puzzle, solution)
    }

    /// Distinct puzzles as a train set and a disjoint test set. Blanks per puzzle are drawn
    /// uniformly from `blanks`.
    public static func datasets(train: Int, test: Int, blanks: ClosedRange<Int> = 6...12,
                                seed: UInt64) -> (train: PuzzleDataset, test: PuzzleDataset) {
        var rng = DeterministicRandom(seed: seed, 0x4C4C)
        var seen = Set<[UInt8]>()
        func make(_ count: Int) -> PuzzleDataset {
            var d = PuzzleDataset(kind: .grid, seqLen: 16, vocabSize: vocabSize, numPuzzleIdentifiers: 1,
                                  gridRows: 4, gridCols: 4, metadata: ["generator": "TinySudoku 4x4"])
            var attempts = 0
            while d.count < count && attempts < count * 50 {
                attempts += 1
                let b = blanks.lowerBound + rng.below(blanks.count)
                let (p, s) = puzzle(blanks: b, using: &rng)
                guard seen.insert(p).inserted else { continue }
                d.append(input: p.map { Int32($0) + 1 }, label: s.map { Int32($0) + 1 })
            }
            return d
        }
        let testSet = make(test)
        return (make(train), testSet)
    }

    /// True when `prediction` (tokens [16]) is a complete valid grid agreeing with every clue
    /// of `input` (tokens [16]).
    public static func isSolution(_ prediction: [Int32], of input: [Int32]) -> Bool {
        guard prediction.count == 16, input.count == 16 else { return false }
        let digits = prediction.map { $0 >= 2 && $0 <= 5 ? UInt8($0 - 1) : 0 }
        guard !digits.contains(0), isConsistent(digits) else { return false }
        for i in 0..<16 where input[i] >= 2 && input[i] != prediction[i] { return false }
        return true
    }
}
