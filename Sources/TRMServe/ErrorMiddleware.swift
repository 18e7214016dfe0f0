// ErrorMiddleware: the one place where failures become HTTP responses. ServeError, Hummingbird's
// errors (unknown route, body too large) and anything unexpected all leave as
// `{"error": "...", "reason": "..."}` JSON; it also records every request in ServeMetrics.
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let e = ErrorMiddleware.serveError(error, maxBodyBytes: maxBodyBytes)
            if case .internalError = e { context.logger.error("request failed: \(String(describing: error))") }
            response = JSONResponse.error(e)
        }
        metrics.recordRequest(path: request.uri.path, status: Int(response.status.code), seconds: start.duration(to: .now).inSeconds)
        return response
    }

    static func serveError(_ error: any Error, maxBodyBytes: Int) -> ServeError {
        switch error {
        case let e as ServeError: return e
        case is NIOTooManyBytesError: return .payloadTooLarge(limitBytes: maxBodyBytes)
        case let e as HTTPError:
            switch e.status {
            case .notFound: return .notFound("no such endpoint; see GET /openapi.json")
            case .contentTooLarge: return .payloadTooLarge(limitBytes: maxBodyBytes)
            case .methodNotAllowed: return .methodNotAllowed("this endpoint does not take that method; see GET /openapi.json")
            default:
                if e.status.code < 500 { return .badRequest(e.body ?? e.status.reasonPhrase) }
                return .internalError(e.status.reasonPhrase)
            }
        case let e as any HTTPResponseError where e.status.code < 500:
            return .badRequest(e.status.reasonPhrase)
        default: return .internalError("the server could not handle this request")
        }
    }
}

/// JSON responses with the shared encoder.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? APICoding.encoder.encode(value)) ?? Data(#"{"error":"internal_error","reason":"encoding failed"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ e: ServeError) -> Response {
        var r = make(e.body, status: e.status)
        if case .overloaded = e { r.headers[.retryAfter] = "1" }
        if case .shuttingDown = e { r.headers[.retryAfter] = "5" }
        return r
    }

    static func text(_ s: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}
