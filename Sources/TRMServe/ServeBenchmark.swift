// ServeBenchmark: `trm bench serve`. Starts the HTTP server in-process on 127.0.0.1 (a free port),
// drives it with AsyncHTTPClient at several concurrency levels for a bounded number of requests and
// seconds, and reports throughput and p50/p99 latency as JSON lines, with and without batching
// (max batch 1), and the gain of batching. Loopback only; every loop is bounded.
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import TRMModels
import TRMPuzzles
import TRMRuntime

public struct ServeBenchmarkOptions: Sendable {
    public var concurrencies: [Int] = [1, 8, 64]
    /// Requests per (concurrency, max batch) case.
    public var requests: Int = 128
    /// A case stops early after this many seconds.
    public var maxSeconds: Double = 60
    /// Max batch of the batching server; the baseline uses 1.
    public var maxBatch: Int = 64
    /// Every request runs exactly this many steps (halt_threshold 1), so cases do equal work.
    public var steps: Int = 4
    /// The side of the generated mazes a maze model gets; nil: the model's own side (its
    /// `seqLen`), or 30 (Maze-Hard's) for a model that takes any side.
    public var mazeSide: Int?
    public init() {}
}

/// One measured case.
public struct ServeBenchmarkRecord: Codable, Sendable {
    public var impl = "swift-trm"
    public var task = "serve"
    /// The model's name (its folder's, or the random preset's).
    public var model: String
    public var concurrency: Int
    public var maxBatch: Int
    public var stepsPerRequest: Int
    public var requests: Int
    public var errors: Int
    public var seconds: Double
    public var requestsPerSecond: Double
    public var p50Ms: Double
    public var p99Ms: Double
    /// Mean rows per supervision step the worker ran.
    public var meanBatch: Double
    /// CPU seconds this process used during the case (server, model and client together), and
    /// requests per CPU second: batching's efficiency, less sensitive to other load on the machine.
    public var cpuSeconds: Double
    public var requestsPerCpuSecond: Double
}

/// Throughput of batching over max batch 1 at one concurrency (wall clock and per CPU second).
public struct ServeBenchmarkGain: Codable, Sendable {
    public var impl = "swift-trm"
    public var task = "serve-batching-gain"
    public var model: String
    public var concurrency: Int
    public var maxBatch: Int
    public var gain: Double
    public var cpuGain: Double
}

/// What `trm bench serve` prints: a case or a gain, as a JSON line (`--json`) or a line for people.
public enum ServeBenchmarkLine: Sendable {
    case record(ServeBenchmarkRecord)
    case gain(ServeBenchmarkGain)

    public var json: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        // Both are plain structs of strings and finite numbers: encoding cannot fail.
        let data: Data?
        switch self {
        case .record(let r): data = try? encoder.encode(r)
        case .gain(let g): data = try? encoder.encode(g)
        }
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    public var text: String {
        func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
        switch self {
        case .record(let r):
            return "\(r.model): concurrency \(r.concurrency), max batch \(r.maxBatch): "
                + "\(f(r.requestsPerSecond, 1)) requests/s, p50 \(f(r.p50Ms, 0)) ms, p99 \(f(r.p99Ms, 0)) ms, "
                + "\(f(r.meanBatch, 1)) rows per model step, \(r.requests) requests, \(r.errors) errors"
        case .gain(let g):
            return "  gain of batching at concurrency \(g.concurrency) (max batch \(g.maxBatch) over 1): "
                + "\(f(g.gain, 2))x requests/s, \(f(g.cpuGain, 2))x per CPU second"
        }
    }
}

public enum ServeBenchmark {
    /// Runs every case for one model; `emit` gets each line as it is measured.
    public static func run(model: LoadedModel, options: ServeBenchmarkOptions,
                           emit: @Sendable (ServeBenchmarkLine) -> Void) async throws {
        let bodies = try requestBodies(kind: model.kind, cells: model.run.model.seqLen, count: 64, steps: options.steps,
                                       mazeSide: options.mazeSide)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration(connections: options.concurrencies.max() ?? 64))
        do {
            try await runCases(model: model, options: options, client: client, bodies: bodies, emit: emit)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func runCases(model: LoadedModel, options: ServeBenchmarkOptions, client: HTTPClient, bodies: [Data],
                         emit: @Sendable (ServeBenchmarkLine) -> Void) async throws {
        for concurrency in options.concurrencies {
            var throughput: [Int: Double] = [:], perCPU: [Int: Double] = [:]
            for maxBatch in [options.maxBatch, 1] {
                let r = try await measure(model: model, client: client, bodies: bodies, concurrency: concurrency,
                                          maxBatch: maxBatch, options: options)
                throughput[maxBatch] = r.requestsPerSecond
                perCPU[maxBatch] = r.requestsPerCpuSecond
                emit(.record(r))
            }
            if let b = throughput[options.maxBatch], let one = throughput[1], one > 0 {
                let g = ServeBenchmarkGain(model: model.name, concurrency: concurrency, maxBatch: options.maxBatch, gain: b / one,
                                           cpuGain: (perCPU[options.maxBatch] ?? 0) / max(perCPU[1] ?? 0, 1e-9))
                emit(.gain(g))
            }
        }
    }

    /// Request bodies: generated Sudoku puzzles (or mazes) for the model's kind: mazes of `mazeSide`,
    /// else of the model's side (`cells` = side x side), else (a model that takes any side) 30x30.
    static func requestBodies(kind: PuzzleKind, cells: Int, count: Int, steps: Int, mazeSide: Int? = nil) throws -> [Data] {
        var puzzles: [SolveRequest] = []
        switch kind {
        case .sudoku where cells == 16:
            var rng = DeterministicRandom(seed: 7)
            for _ in 0..<count {
                let p = TinySudoku.puzzle(blanks: 6 + rng.below(7), using: &rng).puzzle
                puzzles.append(SolveRequest(kind: "sudoku", puzzle: String(p.map { $0 == 0 ? "." : Character(String($0)) })))
            }
        case .sudoku:
            // Random subsets of one solution's cells as clues: distinct valid puzzles.
            var rng = DeterministicRandom(seed: 7)
            guard case .sudoku(let p) = try PuzzleParser.sudoku(PuzzleParser.defaultSudoku),
                  let solution = SudokuSolver.solve(p, limit: 1).solution else { throw ServeError.internalError("no default puzzle") }
            for _ in 0..<count {
                var cells = [UInt8](repeating: 0, count: 81)
                for i in 0..<81 where rng.below(3) == 0 { cells[i] = solution.cells[i] }
                puzzles.append(SolveRequest(kind: "sudoku", puzzle: SudokuGrid(cells: cells).line))
            }
        case .maze:
            let side = mazeSide ?? ModelConfig.gridSide(cells) ?? 30
            let mazes = try StreamBenchmark.syntheticMazes(count: min(count, 16), side: side)
            for i in 0..<count {
                let m = MazeGrid(tokens: Array(mazes.input(i % mazes.count)))!
                puzzles.append(SolveRequest(kind: "maze", grid: m.pretty.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)))
            }
        default:
            throw ServeError.unprocessable("bench serve supports Sudoku and maze models, not \(kind.rawValue)")
        }
        return try puzzles.map { var r = $0; r.maxSteps = steps; r.haltThreshold = 1; return try APICoding.encoder.encode(r) }
    }

    /// One case: a fresh server with `maxBatch`, `concurrency` clients, bounded requests and time.
    static func measure(model: LoadedModel, client: HTTPClient, bodies: [Data], concurrency: Int, maxBatch: Int,
                        options: ServeBenchmarkOptions) async throws -> ServeBenchmarkRecord {
        let service = SolverService(models: [model], worker: WorkerOptions(maxBatch: maxBatch, maxWaitSeconds: 0.002,
                                                                          maxQueue: 4096),
                                    limits: SolverLimits(timeoutSeconds: 600))
        var logger = Logger(label: "trm.bench.serve")
        logger.logLevel = .critical
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = ServeApp.application(service: service, options: ServerOptions(host: "127.0.0.1", port: 0),
                                       logger: logger, onServerRunning: { portContinuation.yield($0) })
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServeError.internalError("server did not start") }
        let url = "http://127.0.0.1:\(port)/v1/solve"

        // Warm-up: one request.
        _ = try? await post(client, url, bodies[0])
        // Every worker of the model: a rope2d model runs another side on a worker made for it.
        func counted() -> (steps: Int, rows: Int) {
            let c = service.models[0].workers.map(\.counters)
            return (c.map(\.supervisionSteps).reduce(0, +), c.map(\.rowSteps).reduce(0, +))
        }
        let before = counted()
        let total = options.requests
        let next = Counter()
        let firstError = FirstError()
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(options.maxSeconds * 1000))
        let results = await withTaskGroup(of: [(Double, Bool)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [(Double, Bool)] = []
                    while ContinuousClock.now < deadline, let i = next.take(below: total) {
                        let t0 = ContinuousClock.now
                        var ok = false
                        do {
                            let status = try await post(client, url, bodies[i % bodies.count])
                            ok = status == 200
                            if !ok { firstError.set("HTTP status \(status)") }
                        } catch {
                            firstError.set("\(error)")
                        }
                        mine.append((t0.duration(to: .now).inSeconds * 1000, ok))
                    }
                    return mine
                }
            }
            var all: [(Double, Bool)] = []
            for await part in group { all += part }
            return all
        }
        let seconds = start.duration(to: .now).inSeconds
        let cpu = processCPUSeconds() - cpuStart
        let after = counted()
        server.cancel()
        _ = await server.result
        await service.shutdown()
        let latencies = results.filter(\.1).map(\.0).sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        let steps = after.steps - before.steps
        return ServeBenchmarkRecord(
            model: model.name, concurrency: concurrency, maxBatch: maxBatch, stepsPerRequest: options.steps, requests: results.count,
            errors: results.filter { !$0.1 }.count, seconds: seconds,
            requestsPerSecond: Double(latencies.count) / max(seconds, 1e-9), p50Ms: percentile(0.5), p99Ms: percentile(0.99),
            meanBatch: steps > 0 ? Double(after.rows - before.rows) / Double(steps) : 0,
            cpuSeconds: cpu, requestsPerCpuSecond: Double(latencies.count) / max(cpu, 1e-9))
    }

    /// User + system CPU time of this process.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// One connection per concurrent client (AsyncHTTPClient pools 8 per host by default).
    public static func clientConfiguration(connections: Int) -> HTTPClient.Configuration {
        var c = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(300)))
        c.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connections))
        return c
    }

    static func post(_ client: HTTPClient, _ url: String, _ body: Data) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(120))
        _ = try await response.body.collect(upTo: 1 << 22)
        return response.status.code
    }

    /// The first failure of a case, reported on stderr.
    final class FirstError: @unchecked Sendable {
        private let lock = NSLock()
        private var seen = false
        func set(_ s: String) {
            let first = lock.withLock { defer { seen = true }; return !seen }
            if first { FileHandle.standardError.write(Data("bench serve: a request failed: \(s)\n".utf8)) }
        }
    }

    /// A shared request counter.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func take(below limit: Int) -> Int? {
            lock.withLock { guard value < limit else { return nil }; defer { value += 1 }; return value }
        }
    }
}
