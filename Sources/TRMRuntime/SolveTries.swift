// Solving a puzzle again in other versions of itself (training's augmentations) while the answer
// fails the exact validator: `trm solve --tries`. Each version's answer and steps are read back in
// the puzzle's own frame.
import TRMModels
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

/// Tries 2...: solves each version of `question` in turn and returns the first answer the exact
/// validator accepts (mapped back) with its try number (2 for the first version), or nil.
/// `onTry` sees every try's mapped-back result and verdict.
public func solveVersions(model: ReasoningModel, question: PuzzleQuestion, policy: HaltingPolicy,
                          transforms: [PuzzleVersionTransform], keepSteps: Bool = false,
                          onTry: ((Int, SolveResult, Verdict) -> Void)? = nil) throws -> (result: SolveResult, try: Int)? {
    for (t, transform) in transforms.enumerated() {
        let solved = try solvePuzzles(model: model, inputs: [transform.apply(question.tokens)], policy: policy,
                                      batchSize: 1, keepSteps: keepSteps)[0].mappedBack(by: transform)
        let verdict = question.verdict(solved.prediction)
        onTry?(t + 2, solved, verdict)
        if verdict.status == .valid { return (solved, t + 2) }
    }
    return nil
}
