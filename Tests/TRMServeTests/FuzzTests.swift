// Abuse on loopback: thousands of random and malformed bodies (bounded) against a real server. It must
// never crash and must answer every request, with a status below 500 except 503/504 when overloaded.
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TRMPuzzles
import TRMRuntime
@testable import TRMServe

@Suite struct FuzzTests {
    /// Deterministic bodies: random bytes, truncated and mutated valid requests, wrong types, deep
    /// nesting, huge strings and numbers, odd Unicode.
    static func bodies(count: Int, seed: UInt64) -> [(path: String, body: [UInt8])] {
        var rng = DeterministicRandom(seed: seed)
        let valid = Array(#"{"kind": "sudoku", "puzzle": "\#(PuzzleParser.defaultSudoku)", "max_steps": 1, "return_steps": true}"#.utf8)
        let pieces = [#"{"kind":"sudoku"}"#, ##"{"kind":"maze","grid":["#S","G#"]}"##, #"{"kind":"grid","puzzle":"{}"}"#,
                      #"{"requests":[{"kind":"sudoku","puzzle":"1"}]}"#, "null", "[]", "{}", "\"x\"", "1e999", "-0",
                      #"{"kind":"sudoku","puzzle":"\u0000\u0000"}"#, #"{"kind":"sudoku","puzzle":"١٢٣"}"#,
                      #"{"kind":"arc","puzzle":"{\"train\":[],\"test\":[]}"}"#,
                      #"{"kind":"sudoku","puzzle":"\#(PuzzleParser.defaultSudoku)","max_steps":-1}"#,
                      #"{"kind":"sudoku","puzzle":"\#(PuzzleParser.defaultSudoku)","halt_threshold":"nan"}"#,
                      String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
                      #"{"kind":"\#(String(repeating: "z", count: 5000))"}"#]
        let paths = ["/v1/solve", "/v1/solve", "/v1/solve", "/v1/solve/batch"]
        var out: [(String, [UInt8])] = []
        for i in 0..<count {
            var body: [UInt8]
            switch i % 6 {
            case 0: body = (0..<rng.below(300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1: body = Array(valid.prefix(rng.below(valid.count)))
            case 2:
                body = valid
                for _ in 0..<(1 + rng.below(4)) { body[rng.below(body.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            case 3: body = Array(pieces[rng.below(pieces.count)].utf8)
            case 4:
                body = valid
                body.insert(contentsOf: Array(pieces[rng.below(pieces.count)].utf8), at: rng.below(body.count))
            default:
                let batch = (0..<rng.below(4)).map { _ in rng.below(2) == 0 ? String(decoding: valid, as: UTF8.self) : pieces[rng.below(pieces.count)] }
                body = Array(#"{"requests":[\#(batch.joined(separator: ","))]}"#.utf8)
            }
            out.append((paths[rng.below(paths.count)], body))
        }
        return out
    }

    @Test func thousandsOfMalformedBodiesAreAllAnswered() async throws {
        let service = Fixtures.service(maxBatch: 16, maxQueue: 64, timeoutSeconds: 20)
        let cases = Self.bodies(count: 2000, seed: 42)
        let statuses: [Int] = try await Fixtures.withLiveServer(service, maxBodyBytes: 16 * 1024) { port in
            let client = HTTPClient.shared
            let next = ServeBenchmark.Counter()
            let all = await withTaskGroup(of: [Int].self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var mine: [Int] = []
                        while let i = next.take(below: cases.count) {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(cases[i].path)")
                            request.method = .POST
                            request.headers.add(name: "content-type", value: "application/json")
                            request.body = .bytes(ByteBuffer(bytes: cases[i].body))
                            // One retry for a connection-level failure (a loaded 2-core CI machine);
                            // a request that fails twice counts as unanswered.
                            var answered = false
                            for attempt in 0..<2 where !answered {
                                do {
                                    let r = try await client.execute(request, timeout: Fixtures.requestTimeout)
                                    let body = try await r.body.collect(upTo: 1 << 22)
                                    let isJSON = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) != nil
                                    mine.append(isJSON ? Int(r.status.code) : -Int(r.status.code))
                                    answered = true
                                } catch {
                                    print("fuzz: request \(i) attempt \(attempt) to \(cases[i].path) got no answer: \(error)")
                                }
                            }
                            if !answered { mine.append(0) }
                        }
                        return mine
                    }
                }
                var statuses: [Int] = []
                for await part in group { statuses += part }
                return statuses
            }
            // Still healthy afterwards.
            let health = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: Fixtures.requestTimeout)
            #expect(health.status == .ok)
            return all
        }
        #expect(statuses.count == cases.count)
        #expect(statuses.filter { $0 == 0 }.count == 0, "some requests got no answer")
        #expect(statuses.filter { $0 < 0 }.count == 0, "every answer is JSON")
        let bad = statuses.filter { $0 >= 500 && $0 != 503 && $0 != 504 }
        #expect(bad.isEmpty, "5xx answers: \(Dictionary(grouping: bad, by: { $0 }).mapValues(\.count))")
        let histogram = Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count)
        #expect((histogram[200] ?? 0) > 0 && (histogram[400] ?? 0) > 0 && (histogram[422] ?? 0) > 0, "\(histogram)")
    }

    @Test func oversizedAndChunkedBodiesOverTheWire() async throws {
        let service = Fixtures.service()
        try await Fixtures.withLiveServer(service, maxBodyBytes: 4096) { port in
            let client = HTTPClient.shared
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/solve")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)))
            let r = try await client.execute(request, timeout: Fixtures.requestTimeout)
            #expect(r.status.code == 413)
            let body = try await r.body.collect(upTo: 1 << 20)
            #expect(String(buffer: body).contains("payload_too_large"))
        }
    }
}
