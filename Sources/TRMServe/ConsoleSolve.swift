// ConsoleSolve: what `trm solve` does once its arguments are parsed: read the puzzle for the model,
// run the recursion with early halting, and write the step view (or one JSON object). It lives with
// the server because `trm solve --json` prints the HTTP API's own response object (SolveResponse).
import Foundation
import TRMPuzzles
import TRMRuntime

public enum ConsoleSolve {
    public struct Request: Sendable {
        public var text: String
        public var kind: PuzzleInputKind
        public var index: Int
        /// nil runs every step.
        public var threshold: Float?
        public var maxSteps: Int?
        public var json: Bool
        public var style: StepRenderer.Style
        public var delaySeconds: Double
        /// Sudoku (9x9) and mazes: while the answer fails the validator, solve another version of the
        /// puzzle (training's augmentations), up to this many tries in all.
        public var tries: Int

        public init(text: String, kind: PuzzleInputKind, index: Int = 0, threshold: Float?, maxSteps: Int?, json: Bool,
                    style: StepRenderer.Style, delaySeconds: Double = 0, tries: Int = 1) {
            self.text = text; self.kind = kind; self.index = index; self.threshold = threshold; self.maxSteps = maxSteps
            self.json = json; self.style = style; self.delaySeconds = delaySeconds; self.tries = tries
        }
    }

    /// The puzzle parsed for `model`; when the kind cannot be told, the error lists the kinds and
    /// what the loaded model solves.
    static func question(_ text: String, kind: PuzzleInputKind, index: Int, model: LoadedModel) throws -> PuzzleQuestion {
        let parsed = Result { () throws(PuzzleInputError) -> PuzzleQuestion in
            try PuzzleParser.parse(text, kind: kind, index: index, gridSpec: model.gridSpec)
        }
        switch parsed {
        case .success(let q): return q
        case .failure(let error) where kind == .auto && error.kind == "auto":
            throw PuzzleInputError(kind: "auto", reason: error.reason + ". Kinds: "
                                   + PuzzleKind.allCases.map(\.rawValue).joined(separator: ", ")
                                   + "; the model loaded, '\(model.name)', solves \(model.kind.rawValue) puzzles")
        case .failure(let error): throw error
        }
    }

    /// Solves and writes through `output`; returns the response (whose verdict says if it is right).
    /// `others`: more models of the kind (bundled ones of other sizes) for a puzzle that `first`
    /// does not fit (``ModelChoice``).
    @discardableResult
    public static func run(_ r: Request, model first: LoadedModel, others: [LoadedModel] = [],
                           output: @escaping (String) -> Void) throws -> SolveResponse {
        let (picked, indexUsed) = try PuzzleText.select(r.text, index: r.index)
        let candidates = [first] + others
        let (chosen, q) = try ModelChoice.pick(candidates) { model in
            try question(picked.question, kind: r.kind, index: indexUsed ? 0 : r.index, model: model)
        }
        let given = candidates[chosen]
        // A model whose positions keep their meaning on any square side (rope2d) takes a puzzle of
        // another side with the same weights.
        var model = given
        let trained = given.run.model.seqLen, cells = q.tokens.count
        if q.kind == given.kind, cells != trained, given.takes(cells: cells) {
            model = try given.sized(for: cells)
        }
        // Another kind, or another size of the same kind (a 30x30 maze for the bundled 8x8 maze
        // model): the message says how to get a model for it.
        if let problem = PuzzleParser.fitProblem(q, for: model) { throw CommandLineMessage(problem) }
        // The row's answer, when the input had one, drawn beside the model's at the end.
        var expected: PuzzleQuestion?
        if let answer = picked.answer {
            let kind = PuzzleInputKind(rawValue: q.kind.rawValue) ?? .auto
            guard let parsed = try? PuzzleParser.answer(answer, kind: kind, gridSpec: model.gridSpec) else {
                throw PuzzleInputError(kind: q.kind.rawValue, reason: "the answer column is not a \(q.kind.rawValue) grid")
            }
            expected = parsed
        }
        let maxSteps = r.maxSteps ?? model.run.model.haltMaxSteps
        let policy = HaltingPolicy(threshold: r.threshold, maxSteps: maxSteps)
        if !r.json {
            output("\(q.kind.rawValue) puzzle\(picked.origin.map { " (\($0))" } ?? ""), model '\(model.name)' (\(model.run.name), \(model.model.parameterCount) parameters"
                   + (cells != trained ? ", trained on \(PuzzleParser.side(trained)), run on \(PuzzleParser.side(cells)) with \(model.run.model.positionEncoding.rawValue) positions)" : ")"))
            output(StepRenderer.grid(q, prediction: q.tokens, changed: [], style: r.style))
        }
        let start = ContinuousClock.now
        let results = try solvePuzzles(model: model.model, inputs: [q.tokens], policy: policy, batchSize: 1,
                                       keepSteps: true) { _, step in
            guard !r.json else { return }
            output("")
            output(StepRenderer.status(step: step.step, maxSteps: maxSteps, haltProbability: step.haltProbability,
                                       threshold: r.threshold, changed: step.changedCells.count))
            output(StepRenderer.grid(q, prediction: step.prediction, changed: Set(step.changedCells), style: r.style))
            if r.delaySeconds > 0 { Thread.sleep(forTimeInterval: r.delaySeconds) }
        }
        var result = results[0]
        var tries = VersionTries(question: q, tries: r.tries)
        while let version = tries.next(after: result.prediction) {
            result = try solvePuzzles(model: model.model, inputs: [version.apply(q.tokens)], policy: policy, batchSize: 1,
                                      keepSteps: true)[0].mappedBack(by: version)
            guard !r.json else { continue }
            output("")
            output("try \(tries.current) of \(r.tries), another version of the puzzle (\(q.kind == .maze ? "rotated or mirrored" : "digits relabelled, lines permuted")): "
                   + "\(result.stepsUsed) step\(result.stepsUsed == 1 ? "" : "s"), verdict \(q.verdict(result.prediction).status == .valid ? "VALID" : "INVALID")")
        }
        let triesUsed = tries.current
        if triesUsed > 1, !r.json { output(StepRenderer.grid(q, prediction: result.prediction, changed: [], style: r.style)) }
        if r.tries > 1, tries.versions == nil, tries.verdict?.status != .valid, !r.json {
            output("")
            output("--tries \(r.tries): \(q.kind.rawValue) puzzles of this size have no other versions to try")
        }
        let seconds = start.duration(to: .now)
        let halted = r.threshold.map { result.haltProbability > $0 } ?? false
        let totalSeconds = Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18
        let outcome = WorkerOutcome(steps: result.steps, haltProbabilities: result.steps.map(\.haltProbability),
                                    stepsUsed: result.stepsUsed, halted: halted, computeSeconds: totalSeconds,
                                    finishedAtStep: result.stepsUsed)
        var response = SolveResponse(question: q, model: model.name, outcome: outcome, returnSteps: true, totalSeconds: totalSeconds)
        if r.tries > 1 { response.tries = triesUsed }
        if r.json {
            // The API's response object, plus where the puzzle came from and the answer given with it.
            let json = ConsoleSolveJSON(response: response, origin: picked.origin,
                                        expected: expected.map { q.answerRows($0.tokens) },
                                        expectedMatches: expected.map { $0.tokens == result.prediction })
            output(String(decoding: try APICoding.encoder.encode(json), as: UTF8.self))
        } else {
            output("")
            output((triesUsed > 1 ? "try \(triesUsed): " : "") + "\(result.stepsUsed) step\(result.stepsUsed == 1 ? "" : "s"), " + (halted ? "halted by the model" : "step limit reached")
                   + String(format: ", %.0f ms", totalSeconds * 1000))
            let v = response.verdict
            let mark = v.status == .valid ? "VALID" : v.status == .invalid ? "INVALID" : "UNCHECKED"
            output("verdict: \(mark)" + (v.reason.map { " - \($0)" } ?? "") + "  [\(v.validator)]")
            if v.status == .invalid, r.tries == 1, q.versionTransforms(tries: 2) != nil {
                output("(--tries 8 solves up to 7 other versions of the puzzle while the answer is invalid)")
            }
            if let expected {
                let given = expected.tokens
                let same = given == result.prediction
                output("")
                output("the answer given with the puzzle (\(same ? "the model's answer is the same" : "the model's answer differs in \(zip(given, result.prediction).filter { $0 != $1 }.count) cells")):")
                output(StepRenderer.grid(q, prediction: given, changed: [], style: r.style))
            }
        }
        return response
    }
}

/// A message for the command line that is complete as it stands (no "not a valid puzzle" prefix).
public struct CommandLineMessage: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `trm solve --json`: the HTTP API's SolveResponse with, when the input said, the puzzle's origin
/// ("row 2 of 5") and the answer given with it (`expected`, rows as in `answer`) and whether the
/// model's answer equals it.
struct ConsoleSolveJSON: Encodable {
    var response: SolveResponse
    var origin: String?
    var expected: [String]?
    var expectedMatches: Bool?

    enum Extra: String, CodingKey { case origin, expected, expectedMatches }

    func encode(to encoder: Encoder) throws {
        try response.encode(to: encoder)
        var extra = encoder.container(keyedBy: Extra.self)
        try extra.encodeIfPresent(origin, forKey: .origin)
        try extra.encodeIfPresent(expected, forKey: .expected)
        try extra.encodeIfPresent(expectedMatches, forKey: .expectedMatches)
    }
}
