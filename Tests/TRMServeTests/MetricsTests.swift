// /metrics the ecosystem's way: our metrics go through swift-metrics, so any backend a user plugs
// in receives them; Hummingbird's request metrics land in /metrics once the process's
// MetricsSystem is bootstrapped (as `trm serve` does).
import Foundation
import Hummingbird
import HummingbirdTesting
import MetricsTestKit
import NIOCore
import Testing
@testable import TRMServe

@Suite("Metrics through swift-metrics")
struct MetricsTests {
    static let solveBody = #"{"kind": "sudoku", "puzzle": "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..", "max_steps": 2}"#

    @Test("a user's own metrics backend receives the server's metrics")
    func anotherBackendReceivesOurMetrics() async throws {
        let backend = TestMetrics()
        let metrics = ServeMetrics(factory: backend)
        let service = SolverService(models: [Fixtures.sudoku], metrics: metrics)
        try await Fixtures.app(service).test(.router) { client in
            try await client.execute(uri: "/v1/solve", method: .post, body: Fixtures.json(Self.solveBody)) { r in #expect(r.status == .ok) }
        }
        await service.shutdown()
        let requests = try backend.expectCounter("trm_http_requests_total", [("route", "/v1/solve"), ("status", "200")])
        #expect(requests.totalValue == 1)
        let steps = try backend.expectRecorder("trm_supervision_steps_used")
        #expect(steps.values == [2], "one puzzle, two supervision steps")
        let verdicts = try backend.expectCounter("trm_solutions_total", [("kind", "sudoku"), ("verdict", "invalid")])
        #expect(verdicts.totalValue == 1)
        #expect(try backend.expectTimer("trm_step_duration_seconds").values.count == 2)
        // The workers' readings reach the other backend too, recorded after each batched step.
        let queue = try backend.expectRecorder("trm_queue_depth")
        #expect(queue.values.count >= 2 && queue.lastValue == 0, "\(queue.values)")
        #expect(try backend.expectRecorder("trm_running_rows").values.count >= 2)
    }

    @Test("Hummingbird's request metrics join /metrics after the process bootstrap")
    func hummingbirdRequestMetrics() async throws {
        ServeMetrics.bootstrapProcessMetrics()
        let service = Fixtures.service()
        try await Fixtures.app(service).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("# HELP trm_http_requests_total HTTP requests by route and status."), "\(text)")
                #expect(text.contains(#"hb_requests{http_route="/healthz",http_request_method="GET",http_response_status_code="200"}"#), "\(text)")
                #expect(text.contains("http_server_request_duration_bucket"), "\(text)")
            }
        }
        await service.shutdown()
    }
}
