// ARC evaluation as the paper scores it: every test input is predicted in each of its task's
// versions (made on the fly from the test file's version table), each prediction runs all
// supervision steps, is cropped as the reference's evaluator crops (the largest all-colour
// rectangle at the top-left, ARCCanvas.cropPrediction), mapped back through the
// version's inverse and counted as a vote; candidates rank by votes, ties by mean sigmoid(q_halt)
// (ARCVoteCollector). pass@k: a test input counts when one of its top k candidates is its answer;
// a task scores the fraction of its test inputs solved; the score is the mean over tasks.
import Foundation
import TRMReport
import TRMModels
import TRMPuzzles
import TRMTensor

public struct ARCVotingOptions: Sendable {
    /// Versions per test input to predict and vote over (nil: every version of the task).
    public var maxVersions: Int?
    /// Rows per forward batch.
    public var batchSize: Int = 64
    /// Supervision steps (nil: the model's haltMaxSteps).
    public var maxSteps: Int?

    public init(maxVersions: Int? = nil, batchSize: Int = 64, maxSteps: Int? = nil) {
        self.maxVersions = maxVersions; self.batchSize = batchSize; self.maxSteps = maxSteps
    }
}

public struct ARCVotingResult: Sendable {
    public var passAt1: ARCScore
    public var passAt2: ARCScore
    /// Test inputs with a known answer.
    public var testInputs: Int
    /// Predictions made (test inputs x versions).
    public var predictions: Int
    /// Predictions that read as the empty grid (they vote, as the reference's do, but never score).
    public var emptyPredictions: Int
    public var elapsedSeconds: Double

    /// "pass@1 12.5%, pass@2 17.5% over 400 tasks (419 test inputs, 3352 predictions, 12 empty)".
    public var summary: String {
        String(format: "ARC voting: pass@1 %.2f%%, pass@2 %.2f%% over %d tasks (%d test inputs, %d predictions, %d empty)",
               passAt1.score * 100, passAt2.score * 100, passAt2.tasks, testInputs, predictions, emptyPredictions)
    }
}

public enum ARCVotingError: Error, CustomStringConvertible, Equatable {
    case notVotable(dataset: String, reason: String)

    public var description: String {
        switch self {
        case let .notVotable(d, r): return "\(d) cannot be evaluated with ARC voting: \(r)"
        }
    }
}

/// Which task, test input and version one row of a test set is.
public struct ARCRowVersion: Sendable, Equatable {
    public var taskID: String
    public var testIndex: Int
    public var version: ARCVersion
    public init(taskID: String, testIndex: Int, version: ARCVersion) {
        self.taskID = taskID; self.testIndex = testIndex; self.version = version
    }
}

public enum ARCVotingEvaluator {
    /// Whether a dataset carries what voting needs (an ARC version table and test examples).
    public static func canVote(_ dataset: PuzzleDataset) -> Bool {
        dataset.kind == .arc && dataset.metadata[ARCTaskLayout.metadataKey] != nil && dataset.metadata["arc.testExamples"] != nil
    }

    /// Predicts every version of every test row of `dataset` (an ARC test file in the tasks layout)
    /// and scores pass@1 and pass@2 after voting.
    public static func evaluate(model: ReasoningModel, dataset: PuzzleDataset, name: String = "test set",
                                options: ARCVotingOptions = ARCVotingOptions(), progress: ProgressBar? = nil) throws -> ARCVotingResult {
        try checkVotable(dataset, name: name)
        if let p = dataset.problem(for: model.config) { throw DatasetMismatchError.incompatible(dataset: name, reason: p) }
        let maxSteps = min(options.maxSteps ?? model.config.haltMaxSteps, model.config.haltMaxSteps)
        var rng = SeededRandom(seed: 0)  // evaluation draws nothing; step() wants one
        return try evaluate(dataset: dataset, name: name, options: options, progress: progress) { batch in
            var carry = model.initialCarry(for: batch)
            let last = try model.rollout(&carry, batch: batch, steps: maxSteps, rng: &rng)
            return (last!.predictions.values, last!.qHalt.scalars)
        }
    }

    /// Why `dataset` cannot be voted on (not ARC, no version table, no test examples), thrown.
    static func checkVotable(_ dataset: PuzzleDataset, name: String) throws {
        guard dataset.kind == .arc else { throw ARCVotingError.notVotable(dataset: name, reason: "it holds \(dataset.kind.rawValue) puzzles, not ARC") }
        guard try ARCTaskLayout.of(dataset) != nil else {
            let reason = dataset.metadata["arc.versions"] != nil
                ? "it was built before versions were made on the fly (it stores them as rows); rebuild it with `trm data build ... --arc-evaluation ... --test-output ...`"
                : "it has no ARC version table; build it with `trm data build ... --arc-evaluation ... --test-output ...`"
            throw ARCVotingError.notVotable(dataset: name, reason: reason)
        }
        let examples = ARCDatasetBuilder.testExamples(of: dataset)
        // (A prefix of a test file, as --limit makes, keeps the first rows' examples.)
        guard examples.count >= dataset.count else {
            throw ARCVotingError.notVotable(dataset: name, reason: "it lists \(examples.count) test examples for \(dataset.count) rows (a training file? give the --test-output file)")
        }
    }

    /// The voting loop of ``evaluate(model:dataset:name:options:progress:)`` with the model given as
    /// `predict`: a batch of versions -> (predicted tokens [B * S], q_halt logits [B]). Tests feed
    /// it known predictions.
    static func evaluate(dataset: PuzzleDataset, name: String, options: ARCVotingOptions, progress: ProgressBar?,
                         predict: (PuzzleBatch) throws -> (predictions: [Int32], qHaltLogits: [Float])) throws -> ARCVotingResult {
        try checkVotable(dataset, name: name)
        let layout = try ARCTaskLayout.of(dataset)!
        let examples = ARCDatasetBuilder.testExamples(of: dataset)
        let table = ARCVersionTable(layout)
        let start = Date()
        var votes = ARCVoteCollector()
        var predictions = 0
        let s = dataset.seqLen
        var row = 0
        while row < dataset.count {
            // A few test rows at a time, expanded into their versions.
            let rows = row..<min(dataset.count, row + max(1, options.batchSize / 8))
            let (expanded, sources) = table.expand(dataset, rows: rows, maxVersions: options.maxVersions)
            var first = 0
            while first < expanded.count {
                let b = min(max(1, options.batchSize), expanded.count - first)
                let tokens = try IntTensor(shape: [b, s], values: Array(expanded.inputs[(first * s)..<((first + b) * s)]))
                let labels = try IntTensor(shape: [b, s], values: Array(expanded.labels[(first * s)..<((first + b) * s)]))
                let batch = try PuzzleBatch(tokens: tokens, labels: labels, puzzleIdentifiers: Array(expanded.puzzleIdentifiers[first..<(first + b)]))
                let (preds, q) = try predict(batch)
                for r in 0..<b {
                    let source = sources[first + r]
                    let example = examples[source.row]
                    votes.add(taskID: example.taskID, testIndex: example.testIndex, version: table.version(task: source.task, source.version),
                              tokens: preds[(r * s)..<((r + 1) * s)], qHaltLogit: q[r])
                    predictions += 1
                }
                first += b
            }
            progress?.advance(by: rows.count)
            row = rows.upperBound
        }
        // The answers, from the identity rows' labels.
        let answers = Self.answers(dataset, rows: examples.prefix(dataset.count).map { ARCRowVersion(taskID: $0.taskID, testIndex: $0.testIndex, version: .identity) })
        return score(votes, answers: answers, predictions: predictions, start: start)
    }

    /// Predicts every row of `dataset` whose rows are already augmented versions (the reference's
    /// builders write them so; `rows[i]` says which task, test input and version row i is, nil to
    /// skip it), votes in each task's own space and scores pass@1 and pass@2 as above.
    public static func evaluate(model: ReasoningModel, dataset: PuzzleDataset, rows: [ARCRowVersion?], name: String = "test set",
                                options: ARCVotingOptions = ARCVotingOptions(), progress: ProgressBar? = nil) throws -> ARCVotingResult {
        guard dataset.kind == .arc, rows.count == dataset.count else {
            throw ARCVotingError.notVotable(dataset: name, reason: "it holds no ARC version for each row")
        }
        if let p = dataset.problem(for: model.config) { throw DatasetMismatchError.incompatible(dataset: name, reason: p) }
        let maxSteps = min(options.maxSteps ?? model.config.haltMaxSteps, model.config.haltMaxSteps)
        let start = Date()
        var votes = ARCVoteCollector()
        var predictions = 0
        var rng = SeededRandom(seed: 0)
        let s = dataset.seqLen
        let chosen = rows.indices.filter { rows[$0] != nil }
        var first = 0
        while first < chosen.count {
            let batchRows = Array(chosen[first..<min(chosen.count, first + max(1, options.batchSize))])
            let b = batchRows.count
            let tokens = try IntTensor(shape: [b, s], values: batchRows.flatMap { Array(dataset.input($0)) })
            let labels = try IntTensor(shape: [b, s], values: batchRows.flatMap { Array(dataset.label($0)) })
            let batch = try PuzzleBatch(tokens: tokens, labels: labels, puzzleIdentifiers: batchRows.map { dataset.puzzleIdentifiers[$0] })
            var carry = model.initialCarry(for: batch)
            let last = try model.rollout(&carry, batch: batch, steps: maxSteps, rng: &rng)
            let preds = last!.predictions.values, q = last!.qHalt.scalars
            for (r, row) in batchRows.enumerated() {
                let v = rows[row]!
                votes.add(taskID: v.taskID, testIndex: v.testIndex, version: v.version, tokens: preds[(r * s)..<((r + 1) * s)], qHaltLogit: q[r])
                predictions += 1
            }
            progress?.advance(by: b)
            first += b
        }
        return score(votes, answers: answers(dataset, rows: rows), predictions: predictions, start: start)
    }

    /// Each test input's answer in its task's own space: every version's label, cropped and undone.
    /// All versions of one input give the same grid when the versions are read right (tested);
    /// the first one seen is kept. Task ids in the order they first appear.
    static func answers(_ dataset: PuzzleDataset, rows: [ARCRowVersion?]) -> (byTask: [String: [Int: ARCGrid]], order: [String]) {
        var answers: [String: [Int: ARCGrid]] = [:]
        var order: [String] = []
        for (i, v) in rows.enumerated() {
            guard let v, i < dataset.count else { continue }
            let label = dataset.label(i).map { $0 == PuzzleDataset.ignoreLabel ? ARCCanvas.padToken : $0 }
            guard let grid = ARCCanvas.crop(label) else { continue }
            if answers[v.taskID] == nil { order.append(v.taskID) }
            if answers[v.taskID]?[v.testIndex] == nil { answers[v.taskID, default: [:]][v.testIndex] = v.version.undo(grid) }
        }
        return (answers, order)
    }

    /// pass@1 and pass@2 of the votes against the answers.
    static func score(_ votes: ARCVoteCollector, answers: (byTask: [String: [Int: ARCGrid]], order: [String]),
                      predictions: Int, start: Date) -> ARCVotingResult {
        let (answers, order) = answers
        let placeholder = ARCGrid(rows: 1, cols: 1, cells: [0])
        let tasks = order.map { id -> ARCTask in
            let byIndex = answers[id]!
            let count = (byIndex.keys.max() ?? -1) + 1
            return ARCTask(id: id, train: [], test: (0..<count).map { ARCPair(input: placeholder, output: byIndex[$0]) })
        }
        return ARCVotingResult(passAt1: votes.passAtK(1, tasks: tasks), passAt2: votes.passAtK(2, tasks: tasks),
                               testInputs: answers.values.map(\.count).reduce(0, +), predictions: predictions,
                               emptyPredictions: votes.emptyPredictions, elapsedSeconds: Date().timeIntervalSince(start))
    }
}
