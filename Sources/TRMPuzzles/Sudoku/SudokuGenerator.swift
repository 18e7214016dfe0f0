// Generating Sudoku puzzles with a unique solution at a requested clue count and difficulty.
//
// Method: draw a random complete grid, then remove clues in random order, keeping each removal only
// if the solution stays unique, until the requested clue count is reached. The result is rated by
// the solver's backtrack count; puzzles outside the requested difficulty band are redrawn.

/// What to generate.
public struct SudokuGeneratorOptions: Sendable, Equatable {
    /// Clues the puzzle should keep (17...81). Random removal rarely gets below ~22 quickly.
    public var clues: Int
    /// Accept only puzzles whose backtrack count lies in this range.
    public var backtracks: ClosedRange<Int>
    /// Complete grids to try before giving up.
    public var maxAttempts: Int

    public init(clues: Int = 30, backtracks: ClosedRange<Int> = 0...Int.max, maxAttempts: Int = 200) {
        self.clues = clues
        self.backtracks = backtracks
        self.maxAttempts = maxAttempts
    }
}

/// A generated puzzle with its unique solution and rating.
public struct GeneratedSudoku: Sendable, Equatable {
    public var puzzle: SudokuGrid
    public var solution: SudokuGrid
    public var backtracks: Int
}

public enum SudokuGenerator {
    /// - Throws: `DataError.invalidArgument` for an impossible request or when `maxAttempts` grids
    ///   gave no puzzle that matches.
    public static func generate(_ options: SudokuGeneratorOptions,
                                using rng: inout DeterministicRandom) throws(DataError) -> GeneratedSudoku {
        guard (17...81).contains(options.clues) else {
            throw .invalidArgument("clue count \(options.clues) is outside 17...81 (no 16-clue Sudoku has a unique solution)")
        }
        for _ in 0..<max(1, options.maxAttempts) {
            guard let solution = SudokuSolver.randomSolution(.empty, using: &rng) else { continue }
            var puzzle = solution
            var filled = 81
            for cell in rng.permutation(81) where filled > options.clues {
                let keep = puzzle.cells[cell]
                puzzle.cells[cell] = 0
                if SudokuSolver.countSolutions(puzzle, limit: 2) == 1 {
                    filled -= 1
                } else {
                    puzzle.cells[cell] = keep
                }
            }
            guard filled == options.clues else { continue }
            let rating = SudokuSolver.solve(puzzle, limit: 2).backtracks
            if options.backtracks.contains(rating) {
                return GeneratedSudoku(puzzle: puzzle, solution: solution, backtracks: rating)
            }
        }
        throw .invalidArgument("no puzzle with \(options.clues) clues and \(options.backtracks.lowerBound)...\(options.backtracks.upperBound == Int.max ? "" : String(options.backtracks.upperBound)) backtracks in \(options.maxAttempts) attempts; ask for more clues, a wider difficulty range or more attempts")
    }
}
