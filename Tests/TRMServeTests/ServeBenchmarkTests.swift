// `trm bench serve` in miniature: every case and gain line is JSON with the documented fields, and
// every request is answered.
import Foundation
import Testing
@testable import TRMServe

@Suite struct ServeBenchmarkTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ s: String) { lock.withLock { lines.append(s) } }
        var all: [String] { lock.withLock { lines } }
    }

    @Test func smallLoadProducesCasesAndGains() async throws {
        var options = ServeBenchmarkOptions()
        options.concurrencies = [1, 4]
        options.requests = 6
        options.steps = 1
        options.maxBatch = 4
        options.maxSeconds = 600  // never the limit here, even on a loaded machine
        let lines = Lines()
        try await ServeBenchmark.run(model: Fixtures.sudoku, options: options) { lines.add($0) }
        let objects = try lines.all.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let cases = objects.filter { $0["task"] as? String == "serve" }
        let gains = objects.filter { $0["task"] as? String == "serve-batching-gain" }
        #expect(cases.count == 4 && gains.count == 2)
        for c in cases {
            #expect(c["requests"] as? Int == 6 && c["errors"] as? Int == 0)
            #expect((c["p99_ms"] as? Double ?? 0) >= (c["p50_ms"] as? Double ?? 1))
            #expect((c["requests_per_second"] as? Double ?? 0) > 0)
        }
        #expect(cases.filter { $0["max_batch"] as? Int == 1 }.allSatisfy { $0["mean_batch"] as? Double == 1 })
        #expect(gains.allSatisfy { ($0["gain"] as? Double ?? 0) > 0 && $0["cpu_gain"] != nil })

        // Without --json, `trm bench serve` prints each line for people: the same figures, in words.
        let text = lines.all.compactMap(ServeBenchmark.text(ofLine:))
        #expect(text.count == 6)
        #expect(text.filter { $0.hasPrefix("concurrency 4, max batch 4: ") && $0.contains("requests/s, p50 ")
            && $0.hasSuffix("6 requests, 0 errors") }.count == 1, "\(text)")
        #expect(text.filter { $0.hasPrefix("concurrency 1, max batch 1: ") && $0.contains(" 1.0 rows per model step") }.count == 1, "\(text)")
        let gain = try #require(gains.first { $0["concurrency"] as? Int == 4 }?["gain"] as? Double)
        #expect(text.contains { $0.hasPrefix("  gain of batching at concurrency 4 (max batch 4 over 1): \(String(format: "%.2f", gain))x requests/s") }, "\(text)")
        #expect(ServeBenchmark.text(ofLine: #"{"task":"machine","cpu":"x"}"#) == nil && ServeBenchmark.text(ofLine: "not json") == nil)
    }
}
