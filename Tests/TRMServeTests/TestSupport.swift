// Shared test helpers: random-weight models from small presets (the plumbing is under test, not the
// weights), a model directory in the ModelStore layout, and a live server on a free loopback port.
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TRMModels
@testable import TRMServe
import TRMRuntime

enum Fixtures {
    /// A random trm-att-sudoku-small model (cached: building it is cheap but not free).
    static let sudoku: LoadedModel = try! ModelLoading.random(preset: "trm-att-sudoku-small")

    /// A tiny untrained maze model for 4x4 grids with `encoding` (rope2d: it takes any square side).
    static func maze4(_ encoding: PositionEncoding) throws -> LoadedModel { try maze(side: 4, encoding) }

    /// A tiny untrained maze model named "maze<side>" for side x side grids with `encoding`.
    static func maze(side: Int, _ encoding: PositionEncoding) throws -> LoadedModel {
        var c = ModelConfig()
        c.seqLen = side * side; c.vocabSize = 6; c.puzzleIdentifiers = 1
        c.hidden = 32; c.heads = 2; c.layers = 1; c.hCycles = 1; c.lCycles = 1; c.haltMaxSteps = 2
        c.puzzleEmbeddingWidth = 32; c.puzzleEmbeddingLength = 1; c.positionEncoding = encoding
        return LoadedModel(name: "maze\(side)", directory: "/nowhere/maze\(side)", run: RunConfig(name: "maze\(side)", model: c, training: TrainingConfig()),
                           model: try ReasoningModel(config: c, seed: 2), kind: .maze)
    }

    /// A 5x5 maze (not the size of `maze4`).
    static let maze5 = "S    \n ### \n   # \n # # \n #  G"

    /// A solved 81-character puzzle line and its solution.
    static let puzzle = PuzzleParser.defaultSudoku

    /// The client timeout of live-server requests in tests: only a guard against a hang, so long.
    /// On 2 cores the full suite can keep the server's handlers off the cooperative pool for
    /// minutes (a CI run saw about 170 s) while AsyncHTTPClient's timer, on its own event loop,
    /// keeps counting: a 30-120 s timeout could fail a request that was merely waiting its turn.
    static let requestTimeout: TimeAmount = .seconds(900)

    /// A fresh empty directory under the temporary folder.
    static func temporaryDirectory(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "trm-serve-tests-\(safe)-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func service(maxBatch: Int = 8, maxWaitSeconds: Double = 0.002, maxQueue: Int = 256,
                        timeoutSeconds: Double = 30) -> SolverService {
        SolverService(models: [sudoku], worker: WorkerOptions(maxBatch: maxBatch, maxWaitSeconds: maxWaitSeconds, maxQueue: maxQueue),
                      limits: SolverLimits(timeoutSeconds: timeoutSeconds))
    }

    static func app(_ service: SolverService, maxBodyBytes: Int = 64 * 1024) -> some ApplicationProtocol {
        var logger = Logger(label: "trm.serve.test")
        logger.logLevel = .critical
        return ServeApp.application(service: service, options: ServerOptions(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes),
                                    logger: logger)
    }

    /// Runs `body` against a real server on 127.0.0.1 (free port), then stops it and drains the service.
    static func withLiveServer<T: Sendable>(_ service: SolverService, maxBodyBytes: Int = 64 * 1024,
                                            _ body: @Sendable (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "trm.serve.test")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = ServeApp.application(service: service, options: ServerOptions(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes),
                                       logger: logger, onServerRunning: { continuation.yield($0) })
        // Run under a ServiceGroup and stop with a graceful shutdown: cancelling the server task
        // while a client (e.g. Chromium) still holds a connection trips an NIO precondition.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task { try await group.run() }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else {
            await group.triggerGracefulShutdown(); _ = await server.result
            throw ServeError.internalError("no port")
        }
        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await server.result
            await service.shutdown()
        }
        do {
            let value = try await body(port)
            await stop()
            return value
        } catch {
            await stop()
            throw error
        }
    }

    static func json(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try APICoding.decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}
