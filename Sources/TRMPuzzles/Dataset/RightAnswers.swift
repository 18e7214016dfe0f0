// Puzzles with more than one right answer. A Sudoku of the data sets we use has one solution, so its
// label is the only right answer; a maze may have many shortest S-to-G paths and its label marks one
// (Maze-Hard's mazes have thousands to millions each). Exact accuracy compares with the label, as
// the reference does; these checks also count a different shortest path as right.

extension PuzzleDataset {
    /// The rule a right answer follows when it may differ from the label, or nil when only the label
    /// is scored (every kind but mazes).
    public var rightAnswerRule: String? {
        kind == .maze ? "any shortest S-to-G path (the label marks one)" : nil
    }

    /// Whether `prediction` (seqLen tokens) is a right answer to example `i` under
    /// ``rightAnswerRule``, or nil when the kind has no such rule.
    public func isRightAnswer(_ i: Int, prediction: ArraySlice<Int32>) -> Bool? {
        guard kind == .maze else { return nil }
        guard let question = MazeGrid(tokens: Array(input(i))), let answer = MazeGrid(tokens: Array(prediction)) else {
            return false
        }
        return MazeSolver.answerProblem(question: question, answer: answer) == nil
    }

    /// Whether example `i` has more than one right answer (nil when the kind has no such rule).
    public func hasSeveralRightAnswers(_ i: Int) -> Bool? {
        guard kind == .maze else { return nil }
        guard let question = MazeGrid(tokens: Array(input(i))) else { return false }
        return MazeSolver.shortestPathCount(question, cap: 2) > 1
    }

    /// How many examples have more than one right answer (nil when the kind has no such rule).
    public var puzzlesWithSeveralRightAnswers: Int? {
        guard rightAnswerRule != nil else { return nil }
        return (0..<count).filter { hasSeveralRightAnswers($0) == true }.count
    }
}
