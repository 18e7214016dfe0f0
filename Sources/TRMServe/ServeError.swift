// ServeError: every way a request can fail, with its HTTP status and a reason a client can act on.
// ErrorMiddleware turns these (and Hummingbird's own errors) into JSON responses in one place.
import Foundation
import HTTPTypes
import TRMRuntime

public enum ServeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not JSON, wrong field types, missing fields (400).
    case badRequest(String)
    /// Well-formed JSON whose puzzle is not valid: wrong size, unknown characters, broken rules (422).
    case unprocessable(String)
    /// The body is larger than the limit (413).
    case payloadTooLarge(limitBytes: Int)
    case notFound(String)
    /// The endpoint exists but takes another method (405); the reason names the one to use.
    case methodNotAllowed(String)
    /// The queue is full (503, Retry-After).
    case overloaded(String)
    /// The request did not finish in time (504).
    case timeout(seconds: Double)
    /// The server is draining for shutdown (503).
    case shuttingDown
    /// A server fault (500); the reason never carries internals a client cannot act on.
    case internalError(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: return .badRequest
        case .unprocessable: return .unprocessableContent
        case .payloadTooLarge: return .contentTooLarge
        case .notFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .overloaded, .shuttingDown: return .serviceUnavailable
        case .timeout: return .gatewayTimeout
        case .internalError: return .internalServerError
        }
    }

    /// Machine-readable code, the `error` field.
    public var code: String {
        switch self {
        case .badRequest: return "bad_request"
        case .unprocessable: return "invalid_puzzle"
        case .payloadTooLarge: return "payload_too_large"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .overloaded: return "overloaded"
        case .timeout: return "timeout"
        case .shuttingDown: return "shutting_down"
        case .internalError: return "internal_error"
        }
    }

    /// The `reason` field.
    public var reason: String {
        switch self {
        case .badRequest(let r), .unprocessable(let r), .notFound(let r), .methodNotAllowed(let r), .overloaded(let r),
             .internalError(let r): return r
        case .payloadTooLarge(let n): return "the request body is larger than \(n) bytes"
        case .timeout(let s): return "the puzzle was not solved within \(s) seconds; lower max_steps or retry later"
        case .shuttingDown: return "the server is shutting down; retry on another instance"
        }
    }

    public var description: String { "\(code): \(reason)" }

    public var body: ErrorBody { ErrorBody(error: code, reason: reason) }

    /// Maps worker and input errors.
    public init(_ error: WorkerError) {
        switch error {
        case .overloaded(let n): self = .overloaded("\(n) puzzles are already waiting; retry shortly")
        case .timedOut(let s): self = .timeout(seconds: s)
        case .shuttingDown: self = .shuttingDown
        case .cancelled: self = .badRequest("the request was cancelled")
        case .invalidJob(let r): self = .unprocessable(r)
        case .modelFailed(let r): self = .internalError("the model failed on this batch: \(r)")
        }
    }

    public init(_ error: PuzzleInputError) { self = .unprocessable(error.description) }

    /// A short reason for a JSON decoding failure (field path and what was expected).
    public static func decoding(_ error: any Error, body: Data? = nil) -> ServeError {
        guard let e = error as? DecodingError else { return .badRequest("the body is not valid JSON") }
        func path(_ c: [any CodingKey]) -> String {
            let p = c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : "'\(p)'"
        }
        switch e {
        case .typeMismatch(let t, let ctx): return .badRequest("\(path(ctx.codingPath)) must be \(describe(t))")
        case .valueNotFound(let t, let ctx): return .badRequest("\(path(ctx.codingPath)) must be \(describe(t)), not null")
        case .keyNotFound(let k, let ctx): return .badRequest("missing field '\(snake(k.stringValue))'\(ctx.codingPath.isEmpty ? "" : " in \(path(ctx.codingPath))")")
        case .dataCorrupted(let ctx):
            if !ctx.codingPath.isEmpty { return .badRequest("\(path(ctx.codingPath)) is not valid") }
            // Foundation reports a number that does not fit its field (1.5 for an integer) as bad JSON.
            if let body, (try? JSONSerialization.jsonObject(with: body)) != nil {
                return .badRequest("a field has the wrong type: max_steps must be an integer, halt_threshold a number, return_steps true or false")
            }
            return .badRequest("the body is not valid JSON")
        @unknown default: return .badRequest("the body is not valid JSON")
        }
    }

    static func describe(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        default:
            let name = String(describing: t)
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "a \(name) value"
        }
    }

    static func snake(_ s: String) -> String {
        var out = ""
        for ch in s { if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) } }
        return out
    }
}
