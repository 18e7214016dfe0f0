// The JSON shapes of the HTTP API (and of the MCP tools' structured results). Keys are snake_case on
// the wire (`APICoding` converts). api/openapi.json documents the same shapes.
import Foundation
import TRMRuntime

/// `POST /v1/solve` body.
public struct SolveRequest: Codable, Sendable, Equatable {
    /// "sudoku", "maze", "grid" (a grid-task model) or "arc".
    public var kind: String
    /// Sudoku: 81 characters (digits, `.` or `0` blank; whitespace and `|+-` ignored). Maze/ARC/grid:
    /// the puzzle as text (maze rows joined by newlines, ARC task JSON, grid-task JSONL).
    public var puzzle: String?
    /// Maze or grid rows, one string per row.
    public var grid: [String]?
    /// Supervision steps at most (1...64; default: the model's training limit).
    public var maxSteps: Int?
    /// Stop once sigmoid(q_halt) exceeds this (0...1, default 0.5; 1 runs every step).
    public var haltThreshold: Float?
    /// Include every step's grid in the response.
    public var returnSteps: Bool?
    /// Sudoku and mazes: tries in all (1...16, default 1). While the answer fails the validator,
    /// another version of the puzzle is solved (Sudoku: digits relabelled, lines permuted,
    /// transposed; maze: rotated or mirrored) and its answer read back.
    public var tries: Int?

    public init(kind: String, puzzle: String? = nil, grid: [String]? = nil, maxSteps: Int? = nil,
                haltThreshold: Float? = nil, returnSteps: Bool? = nil, tries: Int? = nil) {
        self.kind = kind; self.puzzle = puzzle; self.grid = grid; self.maxSteps = maxSteps
        self.haltThreshold = haltThreshold; self.returnSteps = returnSteps; self.tries = tries
    }

    /// The most tries a request may ask for.
    public static let maxTries = 16
}

/// One supervision step in a response.
public struct StepView: Codable, Sendable, Equatable {
    public var step: Int
    /// The predicted grid, one string per row.
    public var grid: [String]
    /// Row-major indices of cells that changed since the previous step.
    public var changed: [Int]
    public var haltConfidence: Float
}

/// `POST /v1/solve` answer.
public struct SolveResponse: Codable, Sendable, Equatable {
    public var kind: String
    public var model: String
    /// The question as the server read it, one string per row.
    public var question: [String]
    /// The final predicted grid, one string per row.
    public var answer: [String]
    public var stepsUsed: Int
    /// True when the halting head stopped the recursion; false when the step limit did.
    public var halted: Bool
    /// sigmoid(q_halt) after each step. [steps_used]
    public var haltConfidence: [Float]
    /// From the exact validator, not the model.
    public var verdict: Verdict
    /// Every step (with return_steps).
    public var steps: [StepView]?
    public var timing: Timing
    /// With `tries` > 1 in the request: the try whose answer this is (1: the puzzle as given; the
    /// last try when none passed the validator).
    public var tries: Int? = nil

    public struct Timing: Codable, Sendable, Equatable {
        public var queueMs: Double
        public var computeMs: Double
        public var totalMs: Double
    }
}

extension SolveResponse {
    /// The response for a solved question (also used by `trm solve --json`).
    public init(question q: PuzzleQuestion, model: String, outcome out: WorkerOutcome, returnSteps: Bool, totalSeconds: Double) {
        let last = out.last
        self.init(kind: q.kind.rawValue, model: model, question: q.questionRows, answer: q.answerRows(last.prediction),
                  stepsUsed: out.stepsUsed, halted: out.halted, haltConfidence: out.haltProbabilities,
                  verdict: q.verdict(last.prediction),
                  steps: returnSteps ? out.steps.map { StepView(step: $0.step, grid: q.rows($0.prediction), changed: $0.changedCells,
                                                                haltConfidence: $0.haltProbability) } : nil,
                  timing: .init(queueMs: out.queueSeconds * 1000, computeMs: out.computeSeconds * 1000, totalMs: totalSeconds * 1000))
    }
}

/// `POST /v1/solve/batch` body and answer.
public struct BatchSolveRequest: Codable, Sendable {
    public var requests: [SolveRequest]
}

public struct BatchSolveResponse: Encodable, Sendable {
    public var results: [BatchItem]
}

/// One batch entry: an answer or an error, each with its HTTP status.
public enum BatchItem: Encodable, Sendable {
    case answer(SolveResponse)
    case failure(ServeError)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .answer(let r):
            var c = encoder.container(keyedBy: ItemKey.self)
            try c.encode(200, forKey: .status)
            try c.encode(r, forKey: .result)
        case .failure(let e):
            var c = encoder.container(keyedBy: ItemKey.self)
            try c.encode(Int(e.status.code), forKey: .status)
            try c.encode(e.code, forKey: .error)
            try c.encode(e.reason, forKey: .reason)
        }
    }
    enum ItemKey: String, CodingKey { case status, result, error, reason }
}

/// `GET /v1/models` entry.
public struct ModelInfo: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    public var preset: String
    public var family: String
    public var parameters: Int
    public var cells: Int
    public var vocabSize: Int
    public var maxSteps: Int
    public var maxBatch: Int
    /// "fp32" or "bf16": the compute dtype of the model's worker.
    public var dtype: String
}

/// Every error body: `{"error": "<code>", "reason": "<what to do>"}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var reason: String
}

/// Shared JSON coders: snake_case keys, sorted output.
public enum APICoding {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()
}
