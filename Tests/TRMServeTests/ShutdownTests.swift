// Graceful shutdown of a real `trm serve` process: SIGTERM while a request is being solved lets that
// request finish with its answer, then the process exits cleanly.
import AsyncHTTPClient
import Foundation
import NIOCore
import TRMTestSupport
import Testing
import TRMPuzzles
import TRMRuntime
@testable import TRMServe

@Suite(.enabled(if: TRMExecutable.url != nil, TRMExecutable.missing)) struct ShutdownTests {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    @Test func sigtermDrainsInFlightWork() async throws {
        let trm = try #require(TRMExecutable.path, TRMExecutable.missing)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: trm)
        // A maze model: one step over 916 positions takes long enough to be caught in flight even
        // on a loaded machine.
        process.arguments = ["serve", "--random-preset", "trm-att-maze-small", "--port", "0", "--max-batch", "4", "--timeout", "600"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The first line names the port.
        var text = ""
        let handle = out.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let port = try #require(text.firstMatch(of: /127\.0\.0\.1:(\d+)/).flatMap { Int($0.output.1) })

        let client = HTTPClient.shared
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/solve")
        request.method = .POST
        let maze = try #require(MazeGrid(tokens: Array(try StreamBenchmark.syntheticMazes(count: 1).input(0))))
        let steps = 24  // long enough to be caught in flight on a loaded machine
        request.body = .bytes(ByteBuffer(bytes: try APICoding.encoder.encode(
            SolveRequest(kind: "maze", grid: maze.pretty.split(separator: "\n").map(String.init), maxSteps: steps, haltThreshold: 1))))
        // SIGTERM once the server holds a puzzle (queued or in the model batch, seen in /metrics). On
        // a loaded machine a request may be sent late and finish between two polls: then send another.
        var inFlight: Task<(UInt, ByteBuffer), any Error>?
        var accepted = false
        var lastMetrics = ""
        for _ in 0..<5 where !accepted {
            let done = Flag()
            let attempt = Task { () throws -> (UInt, ByteBuffer) in
                defer { done.set() }
                let r = try await client.execute(request, timeout: Fixtures.requestTimeout)
                return (r.status.code, try await r.body.collect(upTo: 1 << 20))
            }
            inFlight = attempt
            let pollUntil = ContinuousClock.now + .seconds(120)
            while !accepted, !done.isSet, ContinuousClock.now < pollUntil {
                let m = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: Fixtures.requestTimeout)
                lastMetrics = String(buffer: try await m.body.collect(upTo: 1 << 20))
                accepted = lastMetrics.contains("trm_running_rows 1") || lastMetrics.contains("trm_queue_depth 1")
                if !accepted { try await Task.sleep(for: .milliseconds(5)) }
            }
            if !accepted { _ = try? await attempt.value }
        }
        #expect(accepted, "no request showed up in /metrics:\n\(lastMetrics)")
        // The built server's /metrics is swift-prometheus text: our metrics with their help texts
        // and Hummingbird's request metrics (the process-wide MetricsSystem bootstrapped by serve).
        // (Fetched once more: request metrics count requests that finished, so a /metrics request
        // shows in the next one.)
        let again = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: Fixtures.requestTimeout)
        let metrics = String(buffer: try await again.body.collect(upTo: 1 << 20))
        #expect(metrics.contains("# TYPE trm_queue_depth gauge"), "\(metrics)")
        #expect(metrics.contains("# HELP trm_http_requests_total HTTP requests by route and status."), "\(metrics)")
        #expect(metrics.contains(#"hb_requests{http_route="/metrics""#), "\(metrics)")
        guard let inFlight else { return }
        kill(process.processIdentifier, SIGTERM)
        let (status, body) = try await inFlight.value
        #expect(status == 200)
        let answer = try APICoding.decoder.decode(SolveResponse.self, from: Data(body.readableBytesView))
        #expect(answer.stepsUsed == steps)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.contains("stopped"))
    }
}
