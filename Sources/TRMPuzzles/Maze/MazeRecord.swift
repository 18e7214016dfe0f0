// A validated maze question-and-answer pair read from a CSV row or a plain line.

public struct MazeRecord: Sendable, Equatable {
    public var question: MazeGrid
    public var answer: MazeGrid
    public var rating: Int?

    public init(question: MazeGrid, answer: MazeGrid, rating: Int? = nil) {
        self.question = question
        self.answer = answer
        self.rating = rating
    }

    /// Parses and validates one row. A row without an answer is solved by BFS.
    public static func parse(_ row: PuzzleRow, file: String, side: Int? = nil) throws(DataError) -> MazeRecord {
        let at = DataLocation(file: file, line: row.line)
        let question: MazeGrid
        switch MazeGrid.parse(row.question, allowPath: false, side: side) {
        case .success(let g): question = g
        case .failure(let f): throw .malformedRow(at, reason: "question: \(f.reason)")
        }
        if row.answer.isEmpty {
            guard let answer = MazeSolver.solve(question) else { throw .invalidPuzzle(at, reason: "the goal cannot be reached from the start") }
            return MazeRecord(question: question, answer: answer, rating: row.rating)
        }
        let answer: MazeGrid
        switch MazeGrid.parse(row.answer, allowPath: true, side: question.side) {
        case .success(let g): answer = g
        case .failure(let f): throw .malformedRow(at, reason: "answer: \(f.reason)")
        }
        if let problem = MazeSolver.answerProblem(question: question, answer: answer) {
            throw .invalidPuzzle(at, reason: problem)
        }
        return MazeRecord(question: question, answer: answer, rating: row.rating)
    }
}
