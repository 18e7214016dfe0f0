// Solving a puzzle again in other versions of itself (training's augmentations) while the answer
// fails the exact validator: `trm solve --tries`, `POST /v1/solve` and the MCP tools. Each
// version's answer and steps are read back in the puzzle's own frame.
import TRMPuzzles

extension SolveStep {
    /// This step of solving the version `transform` made, in the original puzzle's frame.
    public func mappedBack(by transform: PuzzleVersionTransform) -> SolveStep {
        SolveStep(step: step, prediction: transform.invert(prediction), haltProbability: haltProbability,
                  changedCells: changedCells.map { transform.gather[$0] }.sorted())
    }
}

extension SolveResult {
    /// This result of solving the version `transform` made, in the original puzzle's frame.
    public func mappedBack(by transform: PuzzleVersionTransform) -> SolveResult {
        SolveResult(prediction: transform.invert(prediction), stepsUsed: stepsUsed,
                    haltProbability: haltProbability, steps: steps.map { $0.mappedBack(by: transform) })
    }
}

extension PuzzleQuestion {
    /// The versions for tries 2...`tries` (nil when the kind has none: ARC, grid tasks, 4x4 Sudoku).
    public func versionTransforms(tries: Int, seed: UInt64 = 0) -> [PuzzleVersionTransform]? {
        PuzzleVersionTransform.tries(kind: kind, rows: shape.rows, cols: shape.cols, tries: tries, seed: seed)
    }
}

/// Tries 2...K of one puzzle: while the answer fails the exact validator, the next version of the
/// puzzle (training's augmentations) to solve, and which try the answer in hand is from. `trm
/// solve`, `POST /v1/solve` and the MCP tools drive it the same way, each with its own solver:
///
///     var tries = VersionTries(question: q, tries: k)
///     var answer = solve(q.tokens)
///     while let version = tries.next(after: answer.prediction) {
///         answer = solve(version.apply(q.tokens)).mappedBack(by: version)
///     }
///
/// The answer given is the first that passes, or the last try's when none does (`current` names it).
public struct VersionTries: Sendable {
    public let question: PuzzleQuestion
    /// The versions for tries 2...; nil when the puzzle's kind or size has none.
    public let versions: [PuzzleVersionTransform]?
    /// The try whose answer `next(after:)` saw last (1: the puzzle as given).
    public private(set) var current = 1
    /// The validator's verdict on that answer.
    public private(set) var verdict: Verdict?

    /// `tries` in all (the first is the puzzle as given); `seed` draws the Sudoku versions.
    public init(question: PuzzleQuestion, tries: Int, seed: UInt64 = 0) {
        self.question = question
        versions = question.versionTransforms(tries: tries, seed: seed)
    }

    /// Judges the answer of try `current` (in the puzzle's frame) and returns the version to solve
    /// for the next try, or nil: the answer passed, or no tries are left.
    public mutating func next(after prediction: [Int32]) -> PuzzleVersionTransform? {
        let judged = question.verdict(prediction)
        verdict = judged
        guard judged.status != .valid, let versions, current <= versions.count else { return nil }
        current += 1
        return versions[current - 2]
    }
}
