// A validated Sudoku puzzle-and-answer pair read from a CSV row or a plain 81-character line.

/// A puzzle with its (checked) solution.
public struct SudokuRecord: Sendable, Equatable {
    public var puzzle: SudokuGrid
    public var solution: SudokuGrid
    public var rating: Int?
    /// Where the row was read from (nil for generated puzzles); not part of equality.
    public var location: DataLocation?

    public init(puzzle: SudokuGrid, solution: SudokuGrid, rating: Int? = nil, location: DataLocation? = nil) {
        self.puzzle = puzzle
        self.solution = solution
        self.rating = rating
        self.location = location
    }

    public static func == (a: SudokuRecord, b: SudokuRecord) -> Bool {
        a.puzzle == b.puzzle && a.solution == b.solution && a.rating == b.rating
    }

    /// Parses and validates one row: 81 cells, known characters, no clue conflicts, and an answer that
    /// is a complete valid grid agreeing with every clue. A row without an answer is solved; it must
    /// then have exactly one solution.
    public static func parse(_ row: PuzzleRow, file: String) throws(DataError) -> SudokuRecord {
        let at = DataLocation(file: file, line: row.line)
        let puzzle: SudokuGrid
        switch SudokuGrid.parse(row.question) {
        case .success(let g): puzzle = g
        case .failure(let f): throw .malformedRow(at, reason: "question: \(f.reason)")
        }
        if let conflict = puzzle.conflict { throw .invalidPuzzle(at, reason: "question: \(conflict)") }
        if row.answer.isEmpty {
            let result = SudokuSolver.solve(puzzle, limit: 2)
            guard let solution = result.solution else { throw .invalidPuzzle(at, reason: "question has no solution") }
            guard result.isUnique else { throw .invalidPuzzle(at, reason: "question has more than one solution and no answer is given") }
            return SudokuRecord(puzzle: puzzle, solution: solution, rating: row.rating, location: at)
        }
        let answer: SudokuGrid
        switch SudokuGrid.parse(row.answer) {
        case .success(let g): answer = g
        case .failure(let f): throw .malformedRow(at, reason: "answer: \(f.reason)")
        }
        if let problem = puzzle.completionProblem(answer) { throw .invalidPuzzle(at, reason: problem) }
        return SudokuRecord(puzzle: puzzle, solution: answer, rating: row.rating, location: at)
    }
}
