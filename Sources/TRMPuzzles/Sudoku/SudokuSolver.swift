// Exact Sudoku solver: bitset candidates, constraint propagation (naked and hidden singles) and
// depth-first search on the cell with the fewest candidates (DPLL-style). It counts solutions up to
// a limit (2 proves uniqueness) and reports how many guesses failed, the difficulty measure.

/// What the solver found.
public struct SudokuSolveResult: Sendable, Equatable {
    /// Solutions found, capped at the requested limit (with limit 2: 0 none, 1 unique, 2 several).
    public var solutionCount: Int
    /// The first solution found, if any.
    public var solution: SudokuGrid?
    /// Guesses that led to a contradiction: the difficulty rating (0 = solved by propagation alone
    /// or by lucky guesses only).
    public var backtracks: Int
    /// Branches tried in total.
    public var guesses: Int

    public var isUnique: Bool { solutionCount == 1 }
}

public enum SudokuSolver {
    /// Solves `puzzle`, stopping after `limit` solutions.
    public static func solve(_ puzzle: SudokuGrid, limit: Int = 2) -> SudokuSolveResult {
        var search = Search(limit: limit, rng: nil)
        search.run(puzzle)
        return SudokuSolveResult(solutionCount: search.count, solution: search.first,
                                 backtracks: search.backtracks, guesses: search.guesses)
    }

    /// Counts solutions up to `limit` (2 answers "is it unique?").
    public static func countSolutions(_ puzzle: SudokuGrid, limit: Int = 2) -> Int {
        solve(puzzle, limit: limit).solutionCount
    }

    /// One solution chosen at random among all (candidate order shuffled), or nil if none exists.
    /// With the empty grid this draws a random complete Sudoku.
    public static func randomSolution(_ puzzle: SudokuGrid, using rng: inout DeterministicRandom) -> SudokuGrid? {
        var search = Search(limit: 1, rng: rng)
        search.run(puzzle)
        if let r = search.rng { rng = r }
        return search.first
    }
}

/// Candidate bitsets: bit d-1 set when digit d is still possible.
private struct Board {
    var cand = [UInt16](repeating: 0x1FF, count: 81)
    var value = [UInt8](repeating: 0, count: 81)
    var unsolved = 81

    /// Places digit bit `bit` in `cell` and removes it from the peers. False on contradiction.
    mutating func place(_ cell: Int, _ bit: UInt16) -> Bool {
        if value[cell] != 0 { return cand[cell] == bit }
        if cand[cell] & bit == 0 { return false }
        value[cell] = UInt8(bit.trailingZeroBitCount + 1)
        cand[cell] = bit
        unsolved -= 1
        let base = cell * 20
        for k in 0..<20 {
            let p = SudokuUnits.flatPeers[base + k]
            let m = cand[p]
            if m & bit != 0 {
                if value[p] != 0 { return false }
                let left = m & ~bit
                if left == 0 { return false }
                cand[p] = left
            }
        }
        return true
    }

    /// Naked and hidden singles until nothing changes. False on contradiction.
    mutating func propagate() -> Bool {
        var progress = true
        while progress {
            progress = false
            for cell in 0..<81 where value[cell] == 0 {
                let m = cand[cell]
                if m == 0 { return false }
                if m & (m - 1) == 0 {
                    if !place(cell, m) { return false }
                    progress = true
                }
            }
            for unit in 0..<27 {
                var once: UInt16 = 0, twice: UInt16 = 0, placed: UInt16 = 0
                let base = unit * 9
                for k in 0..<9 {
                    let cell = SudokuUnits.flatUnits[base + k]
                    let m = cand[cell]
                    if value[cell] != 0 { placed |= m } else { twice |= once & m; once |= m }
                }
                if (once | placed) != 0x1FF { return false }
                var singles = once & ~twice & ~placed
                while singles != 0 {
                    let bit = singles & (0 &- singles)
                    singles &= singles - 1
                    for k in 0..<9 {
                        let cell = SudokuUnits.flatUnits[base + k]
                        if value[cell] == 0 && cand[cell] & bit != 0 {
                            if !place(cell, bit) { return false }
                            progress = true
                            break
                        }
                    }
                }
            }
        }
        return true
    }
}

private struct Search {
    let limit: Int
    var rng: DeterministicRandom?
    var count = 0
    var first: SudokuGrid?
    var backtracks = 0
    var guesses = 0

    init(limit: Int, rng: DeterministicRandom?) {
        self.limit = limit
        self.rng = rng
    }

    mutating func run(_ puzzle: SudokuGrid) {
        var board = Board()
        for cell in 0..<81 where puzzle.cells[cell] != 0 {
            if !board.place(cell, UInt16(1) << (puzzle.cells[cell] - 1)) { return }
        }
        _ = descend(board)
    }

    /// Returns whether this subtree held at least one solution.
    mutating func descend(_ start: Board) -> Bool {
        var board = start
        if !board.propagate() { return false }
        if board.unsolved == 0 {
            count += 1
            if first == nil { first = SudokuGrid(cells: board.value) }
            return true
        }
        var best = -1, bestCount = 10
        for cell in 0..<81 where board.value[cell] == 0 {
            let n = board.cand[cell].nonzeroBitCount
            if n < bestCount { best = cell; bestCount = n; if n == 2 { break } }
        }
        var bits: [UInt16] = []
        var m = board.cand[best]
        while m != 0 { bits.append(m & (0 &- m)); m &= m - 1 }
        if rng != nil { rng!.shuffle(&bits) }
        var found = false
        for bit in bits {
            guesses += 1
            var child = board
            if child.place(best, bit) && descend(child) {
                found = true
            } else {
                backtracks += 1
            }
            if count >= limit { break }
        }
        return found
    }
}
