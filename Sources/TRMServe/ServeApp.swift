// The HTTP application of `trm serve`: routes, body limits and JSON decoding over a SolverService.
//
//   POST /v1/solve         one puzzle            GET /v1/models     loaded models
//   POST /v1/solve/batch   several puzzles       GET /healthz       liveness
//   GET  /metrics          Prometheus text       GET /openapi.json  the API document
//   GET  /                 the web page
import Foundation
import Hummingbird
import Logging
import NIOCore

public struct ServerOptions: Sendable {
    public var host: String
    /// 0 picks a free port (reported through `onServerRunning`).
    public var port: Int
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 256 * 1024) {
        self.host = host; self.port = port; self.maxBodyBytes = maxBodyBytes
    }
}

/// Writes a line to stdout at once (also when stdout is a pipe).
public func writeLine(_ s: String) {
    FileHandle.standardOutput.write(Data((s + "\n").utf8))
}

public enum ServeApp {
    /// The router with every endpoint and the error/metrics middleware.
    public static func router(service: SolverService, options: ServerOptions) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware(metrics: service.metrics, maxBodyBytes: options.maxBodyBytes))
        // Request metrics the ecosystem's way, into the process's MetricsSystem (no-op until
        // `ServeMetrics.bootstrapProcessMetrics()`; `trm serve` calls it).
        router.add(middleware: MetricsMiddleware())
        let limit = options.maxBodyBytes

        router.get("/") { _, _ in JSONResponse.text(WebPage.html, contentType: "text/html; charset=utf-8") }
        router.get("/healthz") { _, _ in
            JSONResponse.make(["status": "ok", "models": "\(service.models.count)"])
        }
        router.get("/metrics") { _, _ in
            JSONResponse.text(service.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in JSONResponse.text(OpenAPIDocument.json, contentType: "application/json") }
        router.get("/v1/models") { _, _ in JSONResponse.make(["models": service.models.map(\.info)]) }
        router.post("/v1/solve") { request, _ in
            let body: SolveRequest = try await decode(request, limit: limit)
            return JSONResponse.make(try await service.solve(body))
        }
        router.post("/v1/solve/batch") { request, _ in
            let body: BatchSolveRequest = try await decode(request, limit: limit)
            return JSONResponse.make(try await service.solveBatch(body))
        }
        // A browser or curl without -d sends GET: say which method and body the endpoint takes.
        router.get("/v1/solve") { _, _ -> Response in
            throw ServeError.methodNotAllowed("use POST /v1/solve with a JSON body such as {\"kind\": \"sudoku\", \"puzzle\": \"...\"}; see GET /openapi.json")
        }
        router.get("/v1/solve/batch") { _, _ -> Response in
            throw ServeError.methodNotAllowed("use POST /v1/solve/batch with a JSON body {\"requests\": [...]}; see GET /openapi.json")
        }
        return router
    }

    /// Collects at most `limit` bytes and decodes JSON; 413 / 400 with a reason otherwise.
    static func decode<T: Decodable>(_ request: Request, limit: Int) async throws(ServeError) -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw .payloadTooLarge(limitBytes: limit)
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw .payloadTooLarge(limitBytes: limit)
        } catch {
            throw .badRequest("the request body could not be read")
        }
        guard buffer.readableBytes > 0 else { throw .badRequest("the body is empty; send a JSON object") }
        let data = Data(buffer.readableBytesView)
        do { return try APICoding.decoder.decode(T.self, from: data) } catch {
            throw ServeError.decoding(error, body: data)
        }
    }

    /// Runs the server until SIGINT/SIGTERM: the server stops accepting, in-flight requests finish,
    /// then the workers drain and stop.
    public static func serve(service: SolverService, options: ServerOptions, logger: Logger,
                             onServerRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let app = application(service: service, options: options, logger: logger, onServerRunning: onServerRunning)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        await service.shutdown()
    }

    /// The application, ready for `runService()`.
    public static func application(service: SolverService, options: ServerOptions, logger: Logger? = nil,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol {
        Application(router: router(service: service, options: options),
                    configuration: .init(address: .hostname(options.host, port: options.port), serverName: "trm"),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? options.port) },
                    logger: logger ?? Logger(label: "trm.serve"))
    }
}
