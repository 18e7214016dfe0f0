// EvalReport: the result of evaluating a checkpoint, under the two protocols TRM results are
// quoted with:
//   all steps      run every supervision step (e.g. 16) and score the final answer;
//   early halting  stop each puzzle when its halting head says so, score that answer.
// It also keeps the accuracy after each supervision step, and writes itself as report.json
// (machine-readable), report.md (a summary for people) and step_accuracy.svg (the per-step chart).

import Foundation
import TRMFiles

/// Scores under one evaluation protocol. Accuracies are fractions in [0, 1].
public struct EvalProtocolResult: Codable, Equatable, Sendable {
    /// Fraction of puzzles whose every token is right.
    public var exactAccuracy: Double
    /// Fraction of tokens (cells) that are right.
    public var tokenAccuracy: Double
    /// Mean number of supervision steps used per puzzle.
    public var meanSteps: Double

    public init(exactAccuracy: Double, tokenAccuracy: Double, meanSteps: Double) {
        self.exactAccuracy = exactAccuracy
        self.tokenAccuracy = tokenAccuracy
        self.meanSteps = meanSteps
    }

    enum CodingKeys: String, CodingKey {
        case exactAccuracy = "exact_accuracy", tokenAccuracy = "token_accuracy", meanSteps = "mean_steps"
    }
}

/// Accuracy after one supervision step (1-based), every puzzle run to that step.
public struct StepAccuracy: Codable, Equatable, Sendable {
    public var step: Int
    public var exactAccuracy: Double
    public var tokenAccuracy: Double

    public init(step: Int, exactAccuracy: Double, tokenAccuracy: Double) {
        self.step = step
        self.exactAccuracy = exactAccuracy
        self.tokenAccuracy = tokenAccuracy
    }

    enum CodingKeys: String, CodingKey {
        case step, exactAccuracy = "exact_accuracy", tokenAccuracy = "token_accuracy"
    }
}

/// The files ``EvalReport/write(to:)`` produced.
/// Accuracy at one test-time depth (supervision steps allowed), under both protocols.
public struct DepthAccuracy: Codable, Equatable, Sendable {
    /// Supervision steps allowed (may exceed the training limit).
    public var depth: Int
    /// Every puzzle runs `depth` steps; the last answer is scored.
    public var allSteps: EvalProtocolResult
    /// A puzzle stops at its first confident step, or at `depth`.
    public var earlyHalting: EvalProtocolResult

    public init(depth: Int, allSteps: EvalProtocolResult, earlyHalting: EvalProtocolResult) {
        self.depth = depth; self.allSteps = allSteps; self.earlyHalting = earlyHalting
    }

    enum CodingKeys: String, CodingKey {
        case depth, allSteps = "all_steps", earlyHalting = "early_halting"
    }
}

/// Accuracy of the puzzles whose difficulty rating (the data's `rating` column: backtracks for
/// Sudoku, shortest-path steps for mazes) lies in `lower...upper` (no upper bound when nil).
public struct RatingAccuracy: Codable, Equatable, Sendable {
    public var lower: Int
    public var upper: Int?
    public var puzzles: Int
    /// Every puzzle runs all steps; the last answer is scored.
    public var allSteps: EvalProtocolResult
    /// Each puzzle stops at its first confident step.
    public var earlyHalting: EvalProtocolResult

    public init(lower: Int, upper: Int?, puzzles: Int, allSteps: EvalProtocolResult, earlyHalting: EvalProtocolResult) {
        self.lower = lower; self.upper = upper; self.puzzles = puzzles
        self.allSteps = allSteps; self.earlyHalting = earlyHalting
    }

    /// "0", "2-3", "64 or more".
    public var label: String { Self.label(lower: lower, upper: upper) }

    public static func label(lower: Int, upper: Int?) -> String {
        guard let upper else { return "\(lower) or more" }
        return lower == upper ? "\(lower)" : "\(lower)-\(upper)"
    }

    enum CodingKeys: String, CodingKey {
        case lower, upper, puzzles, allSteps = "all_steps", earlyHalting = "early_halting"
    }

    /// One puzzle's scores under both protocols.
    public struct Row: Sendable {
        public var rating: Int
        public var tokens: Int
        public var allCorrect: Int, allExact: Bool
        public var haltCorrect: Int, haltExact: Bool, haltSteps: Int
        public init(rating: Int, tokens: Int, allCorrect: Int, allExact: Bool, haltCorrect: Int, haltExact: Bool, haltSteps: Int) {
            self.rating = rating; self.tokens = tokens; self.allCorrect = allCorrect; self.allExact = allExact
            self.haltCorrect = haltCorrect; self.haltExact = haltExact; self.haltSteps = haltSteps
        }
    }

    /// Rated puzzles (rating >= 0) in buckets 0, 1, 2-3, 4-7, ... (powers of two), empty buckets
    /// left out, then "1 or more" when both unrated-by-search (0) and searching puzzles are present.
    /// `allSteps` is the step count of the all-steps protocol.
    public static func buckets(_ rows: [Row], allSteps: Int) -> [RatingAccuracy] {
        func summary(_ rs: [Row], lower: Int, upper: Int?) -> RatingAccuracy {
            let n = Double(rs.count), t = Double(max(1, rs.reduce(0) { $0 + $1.tokens }))
            return RatingAccuracy(
                lower: lower, upper: upper, puzzles: rs.count,
                allSteps: EvalProtocolResult(exactAccuracy: Double(rs.filter(\.allExact).count) / n,
                                             tokenAccuracy: Double(rs.reduce(0) { $0 + $1.allCorrect }) / t,
                                             meanSteps: Double(allSteps)),
                earlyHalting: EvalProtocolResult(exactAccuracy: Double(rs.filter(\.haltExact).count) / n,
                                                 tokenAccuracy: Double(rs.reduce(0) { $0 + $1.haltCorrect }) / t,
                                                 meanSteps: Double(rs.reduce(0) { $0 + $1.haltSteps }) / n))
        }
        return grouped(rows, rating: \.rating).map { summary($0.items, lower: $0.lower, upper: $0.upper) }
    }

    /// Rated items (rating >= 0) in buckets 0, 1, 2-3, 4-7, ... (powers of two), empty buckets left
    /// out, then "1 or more" (upper nil) when both rating 0 and searching puzzles are present.
    public static func grouped<T>(_ items: [T], rating: (T) -> Int) -> [(lower: Int, upper: Int?, items: [T])] {
        let rated = items.filter { rating($0) >= 0 }
        func bucket(_ r: Int) -> Int { r == 0 ? 0 : Int.bitWidth - r.leadingZeroBitCount }  // 0; 1; 2-3 -> 2; 4-7 -> 3
        var out: [(lower: Int, upper: Int?, items: [T])] = []
        for (b, rs) in Dictionary(grouping: rated, by: { bucket(rating($0)) }).sorted(by: { $0.key < $1.key }) {
            out.append((b == 0 ? 0 : 1 << (b - 1), b == 0 ? 0 : (1 << b) - 1, rs))
        }
        let searching = rated.filter { rating($0) >= 1 }
        if !searching.isEmpty && searching.count < rated.count { out.append((1, nil, searching)) }
        return out
    }
}

/// `trm eval --tries`: a puzzle whose answer fails its rule check (Sudoku: a complete grid keeping
/// every clue and the rules; mazes: a shortest path) is tried again in other versions (training's
/// augmentations), and the first answer that passes counts (else the first try's). The check
/// reads the question only, never the label.
public struct TriesAccuracy: Codable, Equatable, Sendable {
    /// Tries at most per puzzle (the first is the puzzle as given).
    public var tries: Int
    /// What the check asks of an answer.
    public var check: String
    /// Exact accuracy of the first try alone, and with the tries.
    public var firstTryExact: Double
    public var exactAccuracy: Double
    /// Fraction of puzzles with an answer that passed the check.
    public var passedCheck: Double
    /// firstPassed[t]: puzzles whose first passing answer came from try t + 1.
    public var firstPassed: [Int]
    /// Answers that passed the check but are not the label (a puzzle with several solutions, or a
    /// maze path other than the label's).
    public var passedNotLabel: Int
    /// By difficulty rating, when the data has ratings.
    public var ratings: [Rating] = []

    public struct Rating: Codable, Equatable, Sendable {
        public var lower: Int
        public var upper: Int?
        public var puzzles: Int
        public var firstTryExact: Double
        public var exactAccuracy: Double

        public init(lower: Int, upper: Int?, puzzles: Int, firstTryExact: Double, exactAccuracy: Double) {
            self.lower = lower; self.upper = upper; self.puzzles = puzzles
            self.firstTryExact = firstTryExact; self.exactAccuracy = exactAccuracy
        }

        public var label: String { RatingAccuracy.label(lower: lower, upper: upper) }

        enum CodingKeys: String, CodingKey {
            case lower, upper, puzzles, firstTryExact = "first_try_exact", exactAccuracy = "exact_accuracy"
        }
    }

    /// One puzzle's outcome: its rating (-1: none), whether the first try was exact, the try (0-based)
    /// whose answer first passed the check (nil: none did), and whether the counted answer is exact.
    public struct Row: Sendable {
        public var rating: Int
        public var firstTryExact: Bool
        public var passedAt: Int?
        public var exact: Bool
        public init(rating: Int, firstTryExact: Bool, passedAt: Int?, exact: Bool) {
            self.rating = rating; self.firstTryExact = firstTryExact; self.passedAt = passedAt; self.exact = exact
        }
    }

    public init(tries: Int, check: String, rows: [Row]) {
        let n = Double(max(rows.count, 1))
        self.tries = tries
        self.check = check
        firstTryExact = Double(rows.filter(\.firstTryExact).count) / n
        exactAccuracy = Double(rows.filter(\.exact).count) / n
        passedCheck = Double(rows.filter { $0.passedAt != nil }.count) / n
        firstPassed = (0..<tries).map { t in rows.filter { $0.passedAt == t }.count }
        passedNotLabel = rows.filter { $0.passedAt != nil && !$0.exact }.count
        ratings = RatingAccuracy.grouped(rows, rating: \.rating).map { g in
            let k = Double(g.items.count)
            return Rating(lower: g.lower, upper: g.upper, puzzles: g.items.count,
                          firstTryExact: Double(g.items.filter(\.firstTryExact).count) / k,
                          exactAccuracy: Double(g.items.filter(\.exact).count) / k)
        }
    }

    enum CodingKeys: String, CodingKey {
        case tries, check, ratings
        case firstTryExact = "first_try_exact", exactAccuracy = "exact_accuracy", passedCheck = "passed_check"
        case firstPassed = "first_passed", passedNotLabel = "passed_not_label"
    }
}

public struct EvalReportFiles: Equatable, Sendable {
    public var json: URL
    public var markdown: URL
    public var chart: URL
}

/// Why an evaluation report could not be written or read.
public enum EvalReportError: Error, CustomStringConvertible, Sendable {
    case cannotWrite(FileWriteError)
    case cannotRead(path: String, reason: String)
    case cannotEncode(reason: String)

    public var description: String {
        switch self {
        case .cannotWrite(let error): return error.description
        case .cannotRead(let path, let reason):
            return "cannot read evaluation report \(path) (\(reason)). Check the path, or re-run the evaluation to regenerate it."
        case .cannotEncode(let reason):
            return "cannot encode the evaluation report (\(reason)); this is a bug, please report it."
        }
    }
}

/// For puzzles that may have several right answers (mazes: any shortest path), how many answers
/// were right though not the label's, beside the exact (label) accuracy.
public struct RightAnswerAccuracy: Codable, Equatable, Sendable {
    /// What counts as right, e.g. "any shortest S-to-G path (the label marks one)".
    public var rule: String
    /// Puzzles with more than one right answer.
    public var puzzlesWithSeveral: Int
    /// Fraction of puzzles answered rightly: all steps, and early halting (NaN when not run).
    public var allSteps: Double
    public var earlyHalting: Double

    public init(rule: String, puzzlesWithSeveral: Int, allSteps: Double, earlyHalting: Double) {
        self.rule = rule; self.puzzlesWithSeveral = puzzlesWithSeveral
        self.allSteps = allSteps; self.earlyHalting = earlyHalting
    }

    enum CodingKeys: String, CodingKey {
        case rule
        case puzzlesWithSeveral = "puzzles_with_several", allSteps = "all_steps", earlyHalting = "early_halting"
    }
}

/// A complete evaluation result. Codable as report.json (snake_case keys).
public struct EvalReport: Codable, Equatable, Sendable {
    /// Model name or preset, e.g. "trm-att-sudoku".
    public var model: String
    /// The checkpoint evaluated (a path), if any.
    public var checkpoint: String?
    /// Dataset name or path, and its split.
    public var dataset: String
    /// Puzzles evaluated.
    public var puzzleCount: Int
    /// Tokens (cells) scored across all puzzles.
    public var tokenCount: Int
    /// The most supervision steps a puzzle may use (N_sup, typically 16).
    public var maxSupervisionSteps: Int
    /// Run all `maxSupervisionSteps` steps and score the final answer.
    public var allSteps: EvalProtocolResult
    /// Stop each puzzle when the halting head says so.
    public var earlyHalting: EvalProtocolResult
    /// Accuracy after each step 1...maxSupervisionSteps.
    public var perStep: [StepAccuracy]
    /// Wall-clock seconds for the evaluation.
    public var elapsedSeconds: Double
    /// When the report was made, ISO 8601 (UTC).
    public var createdAt: String
    /// Free-form facts worth keeping (git commit, thread count, seed).
    public var notes: [String: String]
    /// Accuracy at each test-time depth asked for (`trm eval --depths`); empty otherwise.
    public var depths: [DepthAccuracy] = []
    /// Accuracy by difficulty, when the data gave each puzzle a rating; empty otherwise.
    public var ratings: [RatingAccuracy] = []
    /// Right answers that need not be the label's, for kinds where one puzzle has several (mazes).
    public var rightAnswers: RightAnswerAccuracy?
    /// Tries in other versions when an answer fails its rule check (`trm eval --tries`); nil otherwise.
    public var tries: TriesAccuracy?

    public init(model: String, checkpoint: String? = nil, dataset: String, puzzleCount: Int, tokenCount: Int,
                maxSupervisionSteps: Int, allSteps: EvalProtocolResult, earlyHalting: EvalProtocolResult,
                perStep: [StepAccuracy], elapsedSeconds: Double, createdAt: Date = Date(),
                notes: [String: String] = [:]) {
        self.model = model
        self.checkpoint = checkpoint
        self.dataset = dataset
        self.puzzleCount = puzzleCount
        self.tokenCount = tokenCount
        self.maxSupervisionSteps = maxSupervisionSteps
        self.allSteps = allSteps
        self.earlyHalting = earlyHalting
        self.perStep = perStep
        self.elapsedSeconds = elapsedSeconds
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case model, checkpoint, dataset, notes
        case puzzleCount = "puzzle_count", tokenCount = "token_count"
        case maxSupervisionSteps = "max_supervision_steps"
        case allSteps = "all_steps", earlyHalting = "early_halting", perStep = "per_step"
        case elapsedSeconds = "elapsed_seconds", createdAt = "created_at"
        case depths, ratings
        case rightAnswers = "right_answers"
        case tries
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(String.self, forKey: .model)
        checkpoint = try c.decodeIfPresent(String.self, forKey: .checkpoint)
        dataset = try c.decode(String.self, forKey: .dataset)
        puzzleCount = try c.decode(Int.self, forKey: .puzzleCount)
        tokenCount = try c.decode(Int.self, forKey: .tokenCount)
        maxSupervisionSteps = try c.decode(Int.self, forKey: .maxSupervisionSteps)
        allSteps = try c.decode(EvalProtocolResult.self, forKey: .allSteps)
        earlyHalting = try c.decode(EvalProtocolResult.self, forKey: .earlyHalting)
        perStep = try c.decode([StepAccuracy].self, forKey: .perStep)
        elapsedSeconds = try c.decode(Double.self, forKey: .elapsedSeconds)
        createdAt = try c.decode(String.self, forKey: .createdAt)
        notes = try c.decode([String: String].self, forKey: .notes)
        depths = try c.decodeIfPresent([DepthAccuracy].self, forKey: .depths) ?? []  // reports from before depths
        ratings = try c.decodeIfPresent([RatingAccuracy].self, forKey: .ratings) ?? []
        rightAnswers = try c.decodeIfPresent(RightAnswerAccuracy.self, forKey: .rightAnswers)
        tries = try c.decodeIfPresent(TriesAccuracy.self, forKey: .tries)
    }

    /// Puzzles per second of wall-clock time (0 when no time was measured).
    public var puzzlesPerSecond: Double {
        elapsedSeconds > 0 ? Double(puzzleCount) / elapsedSeconds : 0
    }

    /// The per-step chart's file name inside the report directory.
    public static let chartFileName = "step_accuracy.svg"
    /// The accuracy-against-depth chart's file name (written when `depths` is not empty).
    public static let depthChartFileName = "depth_accuracy.svg"

    // MARK: JSON

    /// Pretty-printed JSON with sorted keys; non-finite numbers as "NaN"/"Infinity" strings.
    public func jsonData() throws(EvalReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do { return try encoder.encode(self) + Data("\n".utf8) } catch {
            throw .cannotEncode(reason: "\(error)")
        }
    }

    /// Reads a report.json written by ``write(to:)``.
    public static func read(from url: URL) throws(EvalReportError) -> EvalReport {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(EvalReport.self, from: Data(contentsOf: url))
        } catch {
            throw .cannotRead(path: url.path, reason: "\(error)")
        }
    }

    // MARK: Markdown

    /// A Markdown summary: the two protocols side by side, the per-step chart (linked as
    /// `chartFile`) and table, counts and timing.
    public func markdown(chartFile: String = EvalReport.chartFileName) -> String {
        func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.2f%%", x * 100) : "n/a" }
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var md = "# Evaluation: \(cell(model))\n\n"
        md += "- Dataset: \(cell(dataset)) (\(puzzleCount) puzzles, \(tokenCount) tokens)\n"
        if let checkpoint { md += "- Checkpoint: `\(checkpoint)`\n" }
        md += "- Supervision steps: up to \(maxSupervisionSteps)\n"
        md += String(format: "- Time: %.1f s (%.1f puzzles/s)\n", elapsedSeconds, puzzlesPerSecond)
        md += "- Created: \(createdAt)\n"
        for key in notes.keys.sorted() { md += "- \(cell(key)): \(cell(notes[key]!))\n" }
        md += "\n| Protocol | Exact accuracy | Token accuracy | Mean steps |\n|---|---:|---:|---:|\n"
        md += "| All \(maxSupervisionSteps) steps | \(percent(allSteps.exactAccuracy)) | "
            + "\(percent(allSteps.tokenAccuracy)) | \(String(format: "%.2f", allSteps.meanSteps)) |\n"
        md += "| Early halting | \(percent(earlyHalting.exactAccuracy)) | "
            + "\(percent(earlyHalting.tokenAccuracy)) | \(String(format: "%.2f", earlyHalting.meanSteps)) |\n"
        if let right = rightAnswers {
            md += "\n## Right answers besides the label\n\n"
            md += "Exact accuracy compares with the label. Here an answer is right if it is \(cell(right.rule)); "
                + "\(right.puzzlesWithSeveral) of the \(puzzleCount) puzzles have more than one.\n\n"
            md += "| Protocol | Right answers |\n|---|---:|\n"
            md += "| All \(maxSupervisionSteps) steps | \(percent(right.allSteps)) |\n"
            md += "| Early halting | \(percent(right.earlyHalting)) |\n"
        }
        if let tries {
            md += "\n## Up to \(tries.tries) tries: other versions when an answer fails its rule check\n\n"
            md += "An answer passes when it is \(cell(tries.check)) (the check reads the question, never the label). "
                + "A puzzle whose answer fails is tried again in another version of itself (training's augmentations), "
                + "and the first answer that passes counts (else the first try's). Exact = the counted answer is the label.\n\n"
            md += "| | Exact accuracy | Passed the check |\n|---|---:|---:|\n"
            md += "| First try | \(percent(tries.firstTryExact)) | \(tries.firstPassed.first.map { String($0) } ?? "0") puzzles |\n"
            md += "| Up to \(tries.tries) tries | \(percent(tries.exactAccuracy)) | \(percent(tries.passedCheck)) |\n\n"
            md += "First passing answer at try 1, 2, ...: " + tries.firstPassed.map(String.init).joined(separator: ", ")
                + "; passed but not the label: \(tries.passedNotLabel).\n"
            if !tries.ratings.isEmpty {
                md += "\n| Rating | Puzzles | First try exact | Up to \(tries.tries) tries exact |\n|---|---:|---:|---:|\n"
                for r in tries.ratings {
                    md += "| \(r.label) | \(r.puzzles) | \(percent(r.firstTryExact)) | \(percent(r.exactAccuracy)) |\n"
                }
            }
        }
        if !perStep.isEmpty {
            md += "\n## Accuracy after each supervision step\n\n"
            md += "![Accuracy after each supervision step](\(chartFile))\n\n"
            md += "| Step | Exact accuracy | Token accuracy |\n|---:|---:|---:|\n"
            for row in perStep {
                md += "| \(row.step) | \(percent(row.exactAccuracy)) | \(percent(row.tokenAccuracy)) |\n"
            }
        }
        if !depths.isEmpty {
            md += "\n## Accuracy against test-time depth\n\n"
            md += "One rollout to the deepest depth; at each depth, every puzzle running that many steps (all steps) "
                + "and puzzles stopping at their first confident step within it (early halting).\n\n"
            md += "![Accuracy against test-time depth](\(Self.depthChartFileName))\n\n"
            md += "| Depth | All steps: exact | token | Early halting: exact | token | mean steps |\n|---:|---:|---:|---:|---:|---:|\n"
            for d in depths {
                md += "| \(d.depth) | \(percent(d.allSteps.exactAccuracy)) | \(percent(d.allSteps.tokenAccuracy)) | "
                    + "\(percent(d.earlyHalting.exactAccuracy)) | \(percent(d.earlyHalting.tokenAccuracy)) | "
                    + "\(String(format: "%.2f", d.earlyHalting.meanSteps)) |\n"
            }
        }
        if !ratings.isEmpty {
            md += "\n## Accuracy by difficulty (rating)\n\n"
            md += "The data's `rating` column: backtracks a search needed (Sudoku; 0 = no guessing), "
                + "shortest-path steps (mazes).\n\n"
            md += "| Rating | Puzzles | All steps: exact | token | Early halting: exact | mean steps |\n|---|---:|---:|---:|---:|---:|\n"
            for r in ratings {
                md += "| \(r.label) | \(r.puzzles) | \(percent(r.allSteps.exactAccuracy)) | \(percent(r.allSteps.tokenAccuracy)) | "
                    + "\(percent(r.earlyHalting.exactAccuracy)) | \(String(format: "%.2f", r.earlyHalting.meanSteps)) |\n"
            }
        }
        return md
    }

    /// The per-step accuracy chart.
    public func stepChart() -> StepAccuracyChart {
        let sorted = perStep.sorted { $0.step < $1.step }
        return StepAccuracyChart(title: "\(model): accuracy after each supervision step",
                                 exactAccuracy: sorted.map(\.exactAccuracy),
                                 tokenAccuracy: sorted.map(\.tokenAccuracy))
    }

    /// Exact accuracy against log2(depth), one line per protocol.
    public func depthChart() -> LineChart {
        let x = depths.map { Foundation.log2(Double($0.depth)) }
        return LineChart(title: "\(model): exact accuracy against test-time depth", xLabel: "log2(supervision steps)",
                         yLabel: "exact accuracy",
                         series: [PlotSeries(name: "all steps", x: x, y: depths.map(\.allSteps.exactAccuracy)),
                                  PlotSeries(name: "early halting", x: x, y: depths.map(\.earlyHalting.exactAccuracy))],
                         yRange: 0...1)
    }

    // MARK: Files

    /// Writes report.json, step_accuracy.svg and report.md into `directory` (which must exist),
    /// each atomically.
    @discardableResult
    public func write(to directory: URL) throws(EvalReportError) -> EvalReportFiles {
        let files = EvalReportFiles(json: directory.appendingPathComponent("report.json"),
                                    markdown: directory.appendingPathComponent("report.md"),
                                    chart: directory.appendingPathComponent(Self.chartFileName))
        let json = try jsonData()
        do {
            try AtomicFile.write(json, to: files.json)
            try AtomicFile.write(stepChart().svg(), to: files.chart)
            if !depths.isEmpty {
                try AtomicFile.write(depthChart().svg(), to: directory.appendingPathComponent(Self.depthChartFileName))
            }
            try AtomicFile.write(markdown(), to: files.markdown)
        } catch {
            throw .cannotWrite(error)
        }
        return files
    }
}
