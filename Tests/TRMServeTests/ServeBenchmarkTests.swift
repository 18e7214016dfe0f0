// `trm bench serve` in miniature: every case and gain line is JSON with the documented fields, and
// every request is answered.
import Foundation
import Testing
@testable import TRMServe

@Suite struct ServeBenchmarkTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [ServeBenchmarkLine] = []
        func add(_ s: ServeBenchmarkLine) { lock.withLock { lines.append(s) } }
        var all: [ServeBenchmarkLine] { lock.withLock { lines } }
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
        let objects = try lines.all.map { try JSONSerialization.jsonObject(with: Data($0.json.utf8)) as! [String: Any] }
        #expect(objects.allSatisfy { $0["model"] as? String == Fixtures.sudoku.name }, "every line names the model")
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
        let text = lines.all.map(\.text)
        let name = Fixtures.sudoku.name
        #expect(text.filter { $0.hasPrefix("\(name): concurrency 4, max batch 4: ") && $0.contains("requests/s, p50 ")
            && $0.hasSuffix("6 requests, 0 errors") }.count == 1, "\(text)")
        #expect(text.filter { $0.hasPrefix("\(name): concurrency 1, max batch 1: ") && $0.contains(" 1.0 rows per model step") }.count == 1, "\(text)")
        let gain = try #require(gains.first { $0["concurrency"] as? Int == 4 }?["gain"] as? Double)
        #expect(text.contains { $0.hasPrefix("  gain of batching at concurrency 4 (max batch 4 over 1): \(String(format: "%.2f", gain))x requests/s") }, "\(text)")
    }

    /// A maze model gets mazes it takes: its own side, the side asked for, or 30x30 (Maze-Hard's)
    /// for a model that takes any side. (Before, every maze model got 30x30 mazes, which an 8x8
    /// model refuses: every request of its cases failed.)
    @Test(arguments: [(64, nil, 8), (100, nil, 10), (0, nil, 30), (0, 12, 12), (64, 15, 15)] as [(Int, Int?, Int)])
    func mazeRequestsFitTheModel(cells: Int, mazeSide: Int?, side: Int) throws {
        let bodies = try ServeBenchmark.requestBodies(kind: .maze, cells: cells, count: 3, steps: 2, mazeSide: mazeSide)
        #expect(bodies.count == 3)
        for body in bodies {
            let o = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let grid = try #require(o["grid"] as? [String])
            #expect(grid.count == side && grid.allSatisfy { $0.count == side }, "\(grid)")
            #expect(o["max_steps"] as? Int == 2)
        }
    }

    /// A rope2d model loaded on mazes of another side runs them on a worker made for that side; the
    /// cases count its steps (they reported 0 rows per model step before).
    @Test func anotherSideCountsTheRowsOfItsWorker() async throws {
        var options = ServeBenchmarkOptions()
        options.concurrencies = [2]
        options.requests = 4
        options.steps = 1
        options.maxBatch = 2
        options.maxSeconds = 600
        options.mazeSide = 6
        let lines = Lines()
        try await ServeBenchmark.run(model: try Fixtures.maze4(.rope2d), options: options) { lines.add($0) }
        let records = lines.all.compactMap { if case .record(let r) = $0 { r } else { nil } }
        #expect(records.count == 2)
        for r in records {
            #expect(r.model == "maze4" && r.requests == 4 && r.errors == 0, "\(r)")
            #expect(r.meanBatch >= 1 && r.meanBatch <= Double(r.maxBatch), "\(r)")
        }
    }
}
