// ARC evaluation: map each version's prediction back to the task's space, vote across versions, rank
// by votes (ties by mean sigmoid(q_halt)), and score pass@k averaged over tasks.
import Foundation

/// A distinct predicted grid for one test input with its support.
public struct ARCCandidate: Sendable, Equatable {
    public var grid: ARCGrid
    public var votes: Int
    /// Mean of sigmoid(q_halt logit) over the votes.
    public var meanConfidence: Double
}

/// Collects predictions for test inputs and ranks them.
public struct ARCVoteCollector: Sendable {
    private struct Tally: Sendable {
        var votes = 0
        var confidenceSum = 0.0
        var firstSeen = 0
    }

    private var tallies: [String: [Int: [ARCGrid: Tally]]] = [:]
    private var arrivals = 0
    /// Predictions that read as the empty grid (no colour at the top-left corner). They vote, as
    /// in the reference's evaluator, but can never be an answer.
    public private(set) var emptyPredictions = 0

    public init() {}

    /// Adds one prediction, read with ``ARCCanvas/cropPrediction(_:)`` (always a vote, possibly for
    /// the empty grid). tokens: [900] canvas tokens in the version's (augmented) space.
    public mutating func add<C: RandomAccessCollection>(taskID: String, testIndex: Int, version: ARCVersion,
                                                        tokens: C, qHaltLogit: Float) where C.Element == Int32, C.Index == Int {
        let grid = ARCCanvas.cropPrediction(tokens)
        if grid.cells.isEmpty { emptyPredictions += 1 }
        add(taskID: taskID, testIndex: testIndex, grid: version.undo(grid), qHaltLogit: qHaltLogit)
    }

    /// Adds a prediction already in the task's own space.
    public mutating func add(taskID: String, testIndex: Int, grid: ARCGrid, qHaltLogit: Float) {
        arrivals += 1
        let confidence = 1 / (1 + exp(-Double(qHaltLogit)))
        var t = tallies[taskID, default: [:]][testIndex, default: [:]][grid] ?? Tally(firstSeen: arrivals)
        t.votes += 1
        t.confidenceSum += confidence
        tallies[taskID, default: [:]][testIndex, default: [:]][grid] = t
    }

    /// Candidates for one test input, best first: most votes, then highest mean confidence, then
    /// the earliest seen (so the order is deterministic).
    public func ranked(taskID: String, testIndex: Int) -> [ARCCandidate] {
        guard let t = tallies[taskID]?[testIndex] else { return [] }
        return t.sorted { a, b in
            if a.value.votes != b.value.votes { return a.value.votes > b.value.votes }
            let ma = a.value.confidenceSum / Double(a.value.votes), mb = b.value.confidenceSum / Double(b.value.votes)
            if ma != mb { return ma > mb }
            return a.value.firstSeen < b.value.firstSeen
        }.map { ARCCandidate(grid: $0.key, votes: $0.value.votes, meanConfidence: $0.value.confidenceSum / Double($0.value.votes)) }
    }

    /// pass@k over `tasks`: a test input counts if one of its top-k candidates equals its output;
    /// a task scores the fraction of its test inputs solved; the result is the mean over tasks.
    /// Tasks without known outputs are skipped.
    public func passAtK(_ k: Int, tasks: [ARCTask]) -> ARCScore {
        ARCScoring.passAtK(k, tasks: tasks) { ranked(taskID: $0, testIndex: $1).map(\.grid) }
    }
}

public struct ARCScore: Sendable, Equatable {
    /// Mean over tasks of the fraction of test inputs solved, in [0, 1].
    public var score: Double
    public var tasks: Int
    /// Per task id: fraction of its test inputs solved.
    public var perTask: [String: Double]
}

public enum ARCScoring {
    /// pass@k from a ranking function (task id, test index) -> candidates best first.
    public static func passAtK(_ k: Int, tasks: [ARCTask], ranking: (String, Int) -> [ARCGrid]) -> ARCScore {
        var perTask: [String: Double] = [:]
        for task in tasks {
            let answers = task.test.enumerated().compactMap { i, p in p.output.map { (i, $0) } }
            guard !answers.isEmpty else { continue }
            let solved = answers.filter { i, answer in ranking(task.id, i).prefix(k).contains(answer) }.count
            perTask[task.id] = Double(solved) / Double(answers.count)
        }
        let score = perTask.isEmpty ? 0 : perTask.values.reduce(0, +) / Double(perTask.count)
        return ARCScore(score: score, tasks: perTask.count, perTask: perTask)
    }
}
