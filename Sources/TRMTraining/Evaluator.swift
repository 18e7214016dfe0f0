// Evaluator: scores a model on a puzzle set under the two protocols TRM results are quoted with,
//   all steps      every puzzle runs all N_sup supervision steps (16), the final answer is scored
//                  (the reference's evaluation);
//   early halting  a puzzle stops at the first step where sigmoid(q_halt) > threshold (or at N_sup),
//                  and that step's answer is scored;
// plus exact and token accuracy after every supervision step. With both protocols one rollout of
// all steps serves both (a row's computation does not depend on the other rows); the halting-only
// protocol uses the inference session's continuous batching and stops rows as they halt.
// Test-time depth: the rollout may run past the model's training limit (up to 256 steps; the
// carry keeps recursing instead of resetting), and `depths` scores both protocols at each listed
// depth from that one rollout.
import Foundation
import TRMFiles
import TRMModels
import TRMNN
import TRMPuzzles
import TRMTensor
import TRMRuntime
import TRMReport

/// Which protocols to run.
public enum EvaluationProtocol: String, Sendable, CaseIterable, Codable {
    case all, halting, both
}

public struct EvaluationOptions: Sendable {
    public var evaluationProtocol: EvaluationProtocol = .both
    /// sigmoid(q_halt) above this halts a puzzle in the early-halting protocol.
    public var threshold: Float = 0.5
    /// Supervision steps (nil: the model's haltMaxSteps); beyond the training limit is test-time
    /// depth, up to ``maximumDepth``.
    public var maxSteps: Int? = nil
    /// Depths at which to score both protocols (from one rollout to the deepest); empty: none.
    public var depths: [Int] = []
    /// Puzzles per forward batch.
    public var batchSize: Int = 64
    /// Keep each puzzle's outcome and answer (`EvaluationResult.puzzles`, `trm eval --predictions`).
    public var keepPuzzles = false
    /// Tries per puzzle (1: the puzzle as given). More: a puzzle whose answer fails its rule check
    /// is solved again in other versions of itself (Sudoku: random training transforms; mazes: the
    /// other rotations and reflections, 8 tries at most), and the first passing answer counts
    /// (`EvaluationResult.tries`). Kinds without a check (ARC, grid) ignore it.
    public var tries = 1
    /// Seed of the Sudoku versions drawn for the tries.
    public var triesSeed: UInt64 = 0
    /// The deepest rollout allowed.
    public static let maximumDepth = 256
    public init(evaluationProtocol: EvaluationProtocol = .both, threshold: Float = 0.5, maxSteps: Int? = nil,
                depths: [Int] = [], batchSize: Int = 64) {
        self.evaluationProtocol = evaluationProtocol; self.threshold = threshold
        self.maxSteps = maxSteps; self.depths = depths; self.batchSize = batchSize
    }
}

/// What an evaluation measured; turn it into files with ``report(model:checkpoint:dataset:notes:)``.
public struct EvaluationResult: Sendable {
    public var allSteps: EvalProtocolResult?
    public var earlyHalting: EvalProtocolResult?
    /// After each step 1...maxSteps (empty for the halting-only protocol).
    public var perStep: [StepAccuracy]
    /// Both protocols at each depth asked for.
    public var depths: [DepthAccuracy] = []
    /// Both protocols by difficulty rating, when the data has ratings (all-steps rollouts only).
    public var ratings: [RatingAccuracy] = []
    /// Right answers that need not be the label's (mazes: any shortest path); nil for other kinds.
    public var rightAnswers: RightAnswerAccuracy?
    public var puzzleCount: Int
    /// Labelled cells scored.
    public var tokenCount: Int
    public var maxSteps: Int
    public var elapsedSeconds: Double
    /// Each puzzle's outcome, in data order, when `EvaluationOptions.keepPuzzles` asked for them.
    public var puzzles: [PuzzleOutcome] = []
    /// With `EvaluationOptions.tries` > 1 on a kind with an answer check.
    public var tries: TriesAccuracy?

    public func report(model: String, checkpoint: String?, dataset: String, notes: [String: String] = [:]) -> EvalReport {
        let missing = EvalProtocolResult(exactAccuracy: .nan, tokenAccuracy: .nan, meanSteps: .nan)
        var report = EvalReport(model: model, checkpoint: checkpoint, dataset: dataset, puzzleCount: puzzleCount,
                                tokenCount: tokenCount, maxSupervisionSteps: maxSteps, allSteps: allSteps ?? missing,
                                earlyHalting: earlyHalting ?? missing, perStep: perStep, elapsedSeconds: elapsedSeconds,
                                notes: notes)
        report.depths = depths
        report.ratings = ratings
        report.rightAnswers = rightAnswers
        report.tries = tries
        return report
    }
}

/// One puzzle's outcome in an evaluation: which it solved, where and how fast, and its answer.
public struct PuzzleOutcome: Sendable, Equatable {
    /// Its row in the evaluated data (0-based; after --limit, the first rows).
    public var index: Int
    /// The data's difficulty rating, when it has one.
    public var rating: Int?
    /// Labelled cells.
    public var tokens: Int
    /// All steps: labelled cells right and whether all were (nil in the halting-only protocol).
    public var correct: Int?
    public var exact: Bool?
    /// Early halting: whether its answer at the first confident step was exact, and that step.
    public var haltingExact: Bool?
    public var haltingSteps: Int?
    /// Whether the scored answer is right though perhaps not the label (mazes: any shortest path;
    /// nil for kinds scored against the label only).
    public var right: Bool?
    /// The answer scored by the all-steps protocol (by early halting in the halting-only protocol),
    /// as the data's tokens.
    public var prediction: [Int32]

    /// One JSON object: {"index", "rating"?, "tokens", "correct"?, "exact"?, "halting_exact"?,
    /// "halting_steps"?, "right"?, "prediction"}.
    public var jsonLine: String {
        var fields = ["\"index\": \(index)"]
        if let rating { fields.append("\"rating\": \(rating)") }
        fields.append("\"tokens\": \(tokens)")
        if let correct { fields.append("\"correct\": \(correct)") }
        if let exact { fields.append("\"exact\": \(exact)") }
        if let haltingExact { fields.append("\"halting_exact\": \(haltingExact)") }
        if let haltingSteps { fields.append("\"halting_steps\": \(haltingSteps)") }
        if let right { fields.append("\"right\": \(right)") }
        fields.append("\"prediction\": [" + prediction.map(String.init).joined(separator: ",") + "]")
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The file name `trm eval --predictions` writes beside the report.
    public static let fileName = "predictions.jsonl"

    /// Writes one line per outcome to `directory/predictions.jsonl`, atomically.
    public static func write(_ outcomes: [PuzzleOutcome], to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(fileName)
        try AtomicFile.write(outcomes.map { $0.jsonLine + "\n" }.joined(), to: url)
        return url
    }
}

/// A dataset that does not fit a model.
public enum DatasetMismatchError: Error, CustomStringConvertible, Equatable, Sendable {
    case incompatible(dataset: String, reason: String)
    case empty(dataset: String)
    case invalidDepth(depth: Int)
    case invalidTries(Int)

    public var description: String {
        switch self {
        case let .invalidDepth(d): return "depth \(d) is outside 1...\(EvaluationOptions.maximumDepth) supervision steps"
        case let .invalidTries(t): return "tries must be 1 or more, got \(t)"
        case let .incompatible(d, r):
            // The trainer names its sets "training set" and "test set"; the evaluators name the data.
            let remedy = ["training set", "test set"].contains(d)
                ? "Use data built for this model's preset, or a matching --config."
                : "Give --data of the puzzles this model was trained on, or a --model trained on this data."
            return "\(d) does not fit the model: \(r). " + remedy
        case let .empty(d): return "\(d) holds no puzzles."
        }
    }
}

extension PuzzleDataset {
    /// Why this dataset cannot be fed to a model with `config`, or nil.
    public func problem(for config: ModelConfig) -> String? {
        if seqLen != config.seqLen { return "puzzles have \(seqLen) cells, the model expects \(config.seqLen)" }
        if vocabSize > config.vocabSize { return "tokens go up to \(vocabSize - 1), the model's vocabulary is 0..<\(config.vocabSize)" }
        let unknown = unknownIdentifiers(modelRows: config.puzzleIdentifiers)
        if unknown.distinct > 0 {
            let more = unknown.distinct > unknown.examples.count ? " and \(unknown.distinct - unknown.examples.count) more" : ""
            return "\(unknown.distinct) puzzle identifier\(unknown.distinct == 1 ? "" : "s") of the data have no row in the model's puzzle-embedding table (0..<\(config.puzzleIdentifiers)): "
                + unknown.examples.map(String.init).joined(separator: ", ") + more
                + " (the model was trained on other data: evaluate on data built together with its training set)"
        }
        if let p = identifierLayoutProblem(model: config.puzzleIdentifierLayout) { return p }
        return consistencyProblem
    }
}

public enum Evaluator {
    /// Evaluates `model` on every puzzle of `dataset` (inputs and labels in order).
    /// - progress: advanced by the number of puzzles finished.
    public static func evaluate(model: ReasoningModel, dataset: PuzzleDataset, name: String = "dataset",
                                options: EvaluationOptions = EvaluationOptions(),
                                progress: ProgressBar? = nil) throws -> EvaluationResult {
        guard dataset.count > 0 else { throw DatasetMismatchError.empty(dataset: name) }
        if let p = dataset.problem(for: model.config) { throw DatasetMismatchError.incompatible(dataset: name, reason: p) }
        let depths = Array(Set(options.depths)).sorted()
        if let bad = (depths + [options.maxSteps].compactMap { $0 }).first(where: { !(1...EvaluationOptions.maximumDepth).contains($0) }) {
            throw DatasetMismatchError.invalidDepth(depth: bad)
        }
        guard options.tries >= 1 else { throw DatasetMismatchError.invalidTries(options.tries) }
        let maxSteps = max(options.maxSteps ?? model.config.haltMaxSteps, depths.last ?? 1)
        let start = Date()
        let transforms = dataset.versionTransforms(tries: options.tries, seed: options.triesSeed) ?? []
        var firstOptions = options
        if !transforms.isEmpty { firstOptions.keepPuzzles = true }  // the first try's answers
        var result: EvaluationResult
        switch options.evaluationProtocol {
        case .halting where depths.isEmpty:
            result = try haltingOnly(model: model, dataset: dataset, options: firstOptions, maxSteps: maxSteps, progress: progress)
        case .all, .both, .halting:
            result = try rollout(model: model, dataset: dataset, options: firstOptions, maxSteps: maxSteps, depths: depths, progress: progress)
            if options.evaluationProtocol == .halting { result.allSteps = nil }
            if options.evaluationProtocol == .all { result.earlyHalting = nil }
        }
        if !transforms.isEmpty {
            result.tries = try retry(model: model, dataset: dataset, options: options, maxSteps: maxSteps,
                                     first: result.puzzles, transforms: transforms)
            if !options.keepPuzzles { result.puzzles = [] }
        }
        result.elapsedSeconds = Date().timeIntervalSince(start)
        return result
    }

    /// Tries 2...: the puzzles whose answer has not passed the rule check so far, each in the
    /// version `transforms[t - 1]` makes of it, solved under the same protocol (all steps when it
    /// runs, else early halting), answers mapped back to the puzzle as given.
    static func retry(model: ReasoningModel, dataset: PuzzleDataset, options: EvaluationOptions, maxSteps: Int,
                      first: [PuzzleOutcome], transforms: [PuzzleVersionTransform]) throws -> TriesAccuracy? {
        guard let check = dataset.answerCheckRule else { return nil }
        let s = dataset.seqLen
        var rows = first.map { o in
            let exact = Self.isExact(o.prediction, dataset, o.index)
            return TriesAccuracy.Row(rating: o.rating ?? -1, firstTryExact: exact,
                                     passedAt: dataset.passesAnswerCheck(o.index, prediction: o.prediction[0..<s]) == true ? 0 : nil,
                                     exact: exact)
        }
        var versionOptions = options
        versionOptions.tries = 1; versionOptions.depths = []; versionOptions.keepPuzzles = true
        versionOptions.maxSteps = maxSteps
        for (t, transform) in transforms.enumerated() {
            let pending = rows.indices.filter { rows[$0].passedAt == nil }
            if pending.isEmpty { break }
            let version = dataset.versions(of: pending, transform: transform)
            let answers = try evaluate(model: model, dataset: version, name: "try \(t + 2)", options: versionOptions).puzzles
            for (k, i) in pending.enumerated() {
                let answer = transform.invert(answers[k].prediction)
                if dataset.passesAnswerCheck(i, prediction: answer[...]) == true {
                    rows[i].passedAt = t + 1
                    rows[i].exact = Self.isExact(answer, dataset, i)
                }
            }
        }
        return TriesAccuracy(tries: transforms.count + 1, check: check, rows: rows)
    }

    /// Whether `prediction` matches example `i`'s label on every labelled cell.
    static func isExact(_ prediction: [Int32], _ dataset: PuzzleDataset, _ i: Int) -> Bool {
        let sc = score(prediction[0..<dataset.seqLen], labels: dataset.label(i))
        return sc.count > 0 && sc.correct == sc.count
    }

    /// Scores of one puzzle's prediction: (labelled cells right, labelled cells).
    /// prediction, labels: [S]
    @inline(__always)
    static func score(_ prediction: ArraySlice<Int32>, labels: ArraySlice<Int32>) -> (correct: Int, count: Int) {
        var correct = 0, count = 0
        for (p, l) in zip(prediction, labels) where l != PuzzleDataset.ignoreLabel {
            count += 1
            if p == l { correct += 1 }
        }
        return (correct, count)
    }

    /// Every puzzle runs all steps (past the training limit too: the carry keeps recursing); the
    /// halting answer is the one at the first confident step; each of `depths` gets both protocols
    /// as if the rollout had stopped there.
    static func rollout(model: ReasoningModel, dataset: PuzzleDataset, options: EvaluationOptions, maxSteps: Int,
                        depths: [Int] = [], progress: ProgressBar?) throws -> EvaluationResult {
        let s = dataset.seqLen, n = dataset.count
        var stepExact = [Int](repeating: 0, count: maxSteps), stepCorrect = stepExact
        // Early halting within a budget: index 0 is the full rollout, then one per depth.
        let budgets = [maxSteps] + depths
        var haltExact = [Int](repeating: 0, count: budgets.count), haltCorrect = haltExact, haltSteps = haltExact
        var tokenCount = 0
        // Kinds with several right answers per puzzle: right answers, all steps and early halting.
        let checksRight = dataset.rightAnswerRule != nil
        var rightAll = 0, rightHalt = 0
        // Per puzzle, for the accuracy by rating: the all-steps answer and the full budget's halting answer.
        var ratedRows: [RatingAccuracy.Row] = []
        if dataset.ratings != nil { ratedRows.reserveCapacity(n) }
        var puzzles: [PuzzleOutcome] = []
        var rng = SeededRandom(seed: 0)  // evaluation draws nothing; step() wants one
        var start = 0
        while start < n {
            let b = min(max(1, options.batchSize), n - start)
            let rows = start..<(start + b)
            let tokens = try IntTensor(shape: [b, s], values: Array(dataset.inputs[(start * s)..<((start + b) * s)]))
            let labels = try IntTensor(shape: [b, s], values: Array(dataset.labels[(start * s)..<((start + b) * s)]))
            let batch = try PuzzleBatch(tokens: tokens, labels: labels, puzzleIdentifiers: Array(dataset.puzzleIdentifiers[rows]))
            var carry = model.initialCarry(for: batch)
            var halted = [[Bool]](repeating: [Bool](repeating: false, count: b), count: budgets.count)
            var outcomes = options.keepPuzzles
                ? (0..<b).map { r in PuzzleOutcome(index: start + r, rating: dataset.ratings.map { Int($0[start + r]) },
                                                   tokens: 0, prediction: []) }
                : []
            var batchRows = dataset.ratings.map { r in
                (0..<b).map { RatingAccuracy.Row(rating: Int(r[start + $0]), tokens: 0, allCorrect: 0, allExact: false,
                                                 haltCorrect: 0, haltExact: false, haltSteps: 0) }
            }
            try BF16WeightCache.scope { try Tape.noGrad {
                for k in 0..<maxSteps {
                    let out = try model.step(&carry, newBatch: batch, training: false, rng: &rng)
                    // The model marks rows halted at its training limit, and the next step would
                    // reset them; deeper rollouts keep recursing on the same puzzles.
                    carry.halted = [Bool](repeating: false, count: b)
                    let preds = out.predictions.values, q = out.qHalt.scalars
                    for r in 0..<b {
                        let sc = score(preds[(r * s)..<((r + 1) * s)], labels: labels.values[(r * s)..<((r + 1) * s)])
                        let exact = sc.count > 0 && sc.correct == sc.count
                        stepCorrect[k] += sc.correct
                        if exact { stepExact[k] += 1 }
                        if k == 0 { tokenCount += sc.count }
                        // Whether the prediction is a right answer (mazes: any shortest path), asked
                        // at most once per row and step (the last step and a halt can both need it).
                        var rightMemo: Bool?? = nil
                        func isRight() -> Bool? {
                            if let known = rightMemo { return known }
                            let value = checksRight ? dataset.isRightAnswer(start + r, prediction: preds[(r * s)..<((r + 1) * s)]) : nil
                            rightMemo = .some(value)
                            return value
                        }
                        if k == maxSteps - 1 {
                            batchRows?[r].tokens = sc.count; batchRows?[r].allCorrect = sc.correct; batchRows?[r].allExact = exact
                            let right = isRight()
                            if right == true { rightAll += 1 }
                            if !outcomes.isEmpty {
                                outcomes[r].tokens = sc.count; outcomes[r].correct = sc.correct; outcomes[r].exact = exact
                                outcomes[r].right = right
                                outcomes[r].prediction = Array(preds[(r * s)..<((r + 1) * s)])
                            }
                        }
                        let confident = 1 / (1 + Foundation.exp(-Double(q[r]))) > Double(options.threshold)
                        for (i, budget) in budgets.enumerated() where !halted[i][r] && k < budget && (confident || k == budget - 1) {
                            halted[i][r] = true
                            haltSteps[i] += k + 1
                            haltCorrect[i] += sc.correct
                            if exact { haltExact[i] += 1 }
                            if i == 0 {
                                if isRight() == true { rightHalt += 1 }
                                batchRows?[r].haltCorrect = sc.correct; batchRows?[r].haltExact = exact; batchRows?[r].haltSteps = k + 1
                                if !outcomes.isEmpty { outcomes[r].haltingExact = exact; outcomes[r].haltingSteps = k + 1 }
                            }
                        }
                    }
                }
            } }
            ratedRows += batchRows ?? []
            puzzles += outcomes
            start += b
            progress?.advance(by: b)
        }
        let nd = Double(n), td = Double(max(tokenCount, 1))
        let perStep = (0..<maxSteps).map {
            StepAccuracy(step: $0 + 1, exactAccuracy: Double(stepExact[$0]) / nd, tokenAccuracy: Double(stepCorrect[$0]) / td)
        }
        func halting(_ i: Int) -> EvalProtocolResult {
            EvalProtocolResult(exactAccuracy: Double(haltExact[i]) / nd, tokenAccuracy: Double(haltCorrect[i]) / td,
                               meanSteps: Double(haltSteps[i]) / nd)
        }
        let last = perStep[maxSteps - 1]
        var result = EvaluationResult(
            allSteps: EvalProtocolResult(exactAccuracy: last.exactAccuracy, tokenAccuracy: last.tokenAccuracy, meanSteps: Double(maxSteps)),
            earlyHalting: halting(0),
            perStep: perStep, puzzleCount: n, tokenCount: tokenCount, maxSteps: maxSteps, elapsedSeconds: 0)
        result.ratings = RatingAccuracy.buckets(ratedRows, allSteps: maxSteps)
        if let rule = dataset.rightAnswerRule {
            result.rightAnswers = RightAnswerAccuracy(rule: rule, puzzlesWithSeveral: dataset.puzzlesWithSeveralRightAnswers ?? 0,
                                                      allSteps: Double(rightAll) / nd, earlyHalting: Double(rightHalt) / nd)
        }
        result.puzzles = puzzles
        result.depths = depths.enumerated().map { i, depth in
            let at = perStep[depth - 1]
            return DepthAccuracy(depth: depth,
                                 allSteps: EvalProtocolResult(exactAccuracy: at.exactAccuracy, tokenAccuracy: at.tokenAccuracy, meanSteps: Double(depth)),
                                 earlyHalting: halting(i + 1))
        }
        return result
    }

    /// Early halting only, with continuous batching: halted puzzles free their slot for the next.
    static func haltingOnly(model: ReasoningModel, dataset: PuzzleDataset, options: EvaluationOptions, maxSteps: Int,
                            progress: ProgressBar?) throws -> EvaluationResult {
        let s = dataset.seqLen, n = dataset.count
        let inputs = (0..<n).map { Array(dataset.input($0)) }
        let policy = HaltingPolicy(threshold: options.threshold, maxSteps: maxSteps)
        let results = try solvePuzzles(model: model, inputs: inputs, puzzleIdentifiers: dataset.puzzleIdentifiers,
                                       policy: policy, batchSize: options.batchSize)
        var exact = 0, correct = 0, tokens = 0, steps = 0, rightCount = 0
        var puzzles: [PuzzleOutcome] = []
        for (i, r) in results.enumerated() {
            let sc = score(r.prediction[0..<s], labels: dataset.label(i))
            tokens += sc.count; correct += sc.correct; steps += r.stepsUsed
            let solved = sc.count > 0 && sc.correct == sc.count
            if solved { exact += 1 }
            let right = dataset.isRightAnswer(i, prediction: r.prediction[0..<s])
            if right == true { rightCount += 1 }
            if options.keepPuzzles {
                puzzles.append(PuzzleOutcome(index: i, rating: dataset.ratings.map { Int($0[i]) }, tokens: sc.count,
                                             haltingExact: solved, haltingSteps: r.stepsUsed, right: right,
                                             prediction: Array(r.prediction[0..<s])))
            }
        }
        progress?.advance(by: n)
        var result = EvaluationResult(
            allSteps: nil,
            earlyHalting: EvalProtocolResult(exactAccuracy: Double(exact) / Double(n),
                                             tokenAccuracy: Double(correct) / Double(max(tokens, 1)),
                                             meanSteps: Double(steps) / Double(n)),
            perStep: [], puzzleCount: n, tokenCount: tokens, maxSteps: maxSteps, elapsedSeconds: 0)
        if let rule = dataset.rightAnswerRule {
            result.rightAnswers = RightAnswerAccuracy(rule: rule, puzzlesWithSeveral: dataset.puzzlesWithSeveralRightAnswers ?? 0, allSteps: .nan,
                                                      earlyHalting: Double(rightCount) / Double(n))
        }
        result.puzzles = puzzles
        return result
    }
}
