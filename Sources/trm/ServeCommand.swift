// `trm serve`: the HTTP API, web page and metrics over continuous batching (library: TRMServe).
import ArgumentParser
import Foundation
import Logging
import TRMServe
import TRMRuntime
import TRMTensor

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP: POST /v1/solve, a web page at /, /metrics, /openapi.json.",
        discussion: """
            Concurrent requests share model batches: before every supervision step free rows are filled \
            from the queue, and a puzzle that halts leaves at its step. SIGINT/SIGTERM drain in-flight work.

            Examples:
              trm serve --port 8080                           # the bundled Sudoku model
              trm serve --model runs/sudoku --model runs/maze # one model per kind and size
              trm serve --random-preset trm-att-sudoku-small  # random weights
            """)

    @OptionGroup var models: ServedModelOptions
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var log: LogOptions

    @Option(help: "Address to bind (default loopback only).") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 8080
    @Option(help: "Rows per supervision step (model batch).") var maxBatch = 32
    @Option(help: "Milliseconds an idle worker waits to fill its first batch.") var maxWaitMs = 2.0
    @Option(help: "Puzzles allowed to wait for a row; more get 503.") var maxQueue = 512
    @Option(help: "Seconds a request may take, queue included (504 beyond).") var timeout = 30.0
    @Option(help: "Largest request body in bytes (413 beyond).") var maxBodyBytes = 262_144

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard (1...4096).contains(maxBatch) else { throw ValidationError("--max-batch must be in 1...4096") }
        guard maxWaitMs >= 0, maxWaitMs <= 10_000 else { throw ValidationError("--max-wait-ms must be in 0...10000") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more") }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be in (0, 3600] seconds") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
    }

    func run() async throws {
        let logger = log.makeLogger("trm.serve")
        let loaded = try models.load()
        // Hummingbird's request metrics and any other swift-metrics user land in /metrics too.
        ServeMetrics.bootstrapProcessMetrics()
        let dtype = threads.compute.resolved()
        try await ComputeContext.$current.withValue(ComputeContext(threads: threads.count, dtype: dtype)) {
            let service = SolverService(models: loaded,
                                        worker: WorkerOptions(maxBatch: maxBatch, maxWaitSeconds: maxWaitMs / 1000, maxQueue: maxQueue),
                                        limits: SolverLimits(timeoutSeconds: timeout))
            let host = host
            let names = loaded.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", ")
            try await ServeApp.serve(service: service, options: ServerOptions(host: host, port: port, maxBodyBytes: maxBodyBytes),
                                     logger: logger) { port in
                writeLine("trm serve: \(names) on http://\(host):\(port), \(dtype), \(threads.count) thread\(threads.count == 1 ? "" : "s")  (web page at /, API at /v1/solve, Ctrl-C drains and stops)")
            }
        }
        writeLine("trm serve: stopped")
    }
}
