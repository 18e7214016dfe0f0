// MetricsLogTests: records survive the JSONL round trip, concurrent appends stay whole lines, and
// the reader survives killed runs and bad lines.

import TRMTestSupport
import Foundation
import Testing
@testable import TRMReport

@Suite struct MetricsLogTests {
    static let full = MetricsRecord(step: 12, loss: 0.8125, lmLoss: 0.7, qHaltLoss: 0.1125, tokenAccuracy: 0.9,
                                    exactAccuracy: 0.25, meanSteps: 7.5, lr: 1e-4, samplesPerSecond: 310.5,
                                    elapsedSeconds: 42, extra: ["grad_norm": 1.5, "eval/exact \"q\"": 0.5])

    @Test func jsonLineRoundTrips() throws {
        let line = Self.full.jsonLine()
        #expect(line.hasPrefix("{\"step\":12,\"loss\":0.8125,"))
        #expect(!line.contains("\n"))
        let parsed = try MetricsRecord(jsonLine: Substring(line))
        #expect(parsed == Self.full)
    }

    @Test("the compute dtype travels as a string field after the step; other strings are still skipped")
    func dtypeRoundTrips() throws {
        var record = Self.full
        record.dtype = "bf16"
        let line = record.jsonLine()
        #expect(line.hasPrefix("{\"step\":12,\"dtype\":\"bf16\","))
        #expect(try MetricsRecord(jsonLine: Substring(line)) == record)
        #expect(try MetricsRecord(jsonLine: #"{"step":1,"dtype":7}"#).dtype == nil, "a non-string dtype is dropped")
    }

    @Test func nonFiniteValuesRoundTrip() throws {
        let record = MetricsRecord(step: 1, loss: .nan, lr: .infinity, extra: ["x": -.infinity])
        let line = record.jsonLine()
        #expect(line.contains("\"NaN\"") && line.contains("\"Infinity\"") && line.contains("\"-Infinity\""))
        let parsed = try MetricsRecord(jsonLine: Substring(line))
        #expect(parsed.loss?.isNaN == true)
        #expect(parsed.lr == .infinity && parsed.extra["x"] == -.infinity)
    }

    @Test func readerSkipsNonNumbersAndRejectsBadSteps() throws {
        let parsed = try MetricsRecord(jsonLine: #"{"step":3,"loss":1,"run":"abc","flag":true,"nothing":null}"#)
        #expect(parsed == MetricsRecord(step: 3, loss: 1))
        for bad in [#"{"loss":1}"#, #"{"step":1.5}"#, #"{"step":"1"}"#, "[1,2]", "{", "step 3"] {
            #expect(throws: MetricsLineError.self, "\(bad)") { try MetricsRecord(jsonLine: Substring(bad)) }
        }
    }

    @Test func appendsAndReadsBack() throws {
        let dir = TestDirectory()
        let log = try MetricsLog(runDirectory: dir.url)
        for step in 1...5 { try log.append(MetricsRecord(step: step, loss: 1 / Double(step))) }
        log.sync()
        let contents = try MetricsLogReader.read(dir.file("metrics.jsonl"), strict: true)
        #expect(contents.records.map(\.step) == [1, 2, 3, 4, 5])
        #expect(contents.records[3].loss == 0.25)
        #expect(!contents.truncatedLastLine && contents.malformedLines.isEmpty)
    }

    @Test func concurrentAppendsStayWholeLines() throws {
        let dir = TestDirectory()
        let log = try MetricsLog(url: dir.file("m.jsonl"))
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            try? log.append(MetricsRecord(step: i, loss: Double(i), extra: ["padding": 123_456.789]))
        }
        let contents = try MetricsLogReader.read(dir.file("m.jsonl"), strict: true)
        #expect(contents.records.count == 400)
        #expect(Set(contents.records.map(\.step)) == Set(0..<400))
    }

    @Test func truncatedLastLineIsReportedNotFatal() throws {
        let text = [1, 2, 3].map { MetricsRecord(step: $0, loss: 0.5).jsonLine() }.joined(separator: "\n")
            + "\n{\"step\":4,\"lo"
        let contents = MetricsLogReader.parse(text)
        #expect(contents.records.map(\.step) == [1, 2, 3])
        #expect(contents.truncatedLastLine)
        #expect(contents.malformedLines.isEmpty)
    }

    /// A truncation at every byte of a log: never an error, never a partial record.
    @Test func everyCutPointIsTolerated() {
        let text = (1...4).map { Self.full.with(step: $0).jsonLine() + "\n" }.joined()
        for cut in 0...text.utf8.count {
            let prefix = String(decoding: Array(text.utf8.prefix(cut)), as: UTF8.self)
            let contents = MetricsLogReader.parse(prefix)
            #expect(contents.malformedLines.isEmpty, "cut \(cut)")
            #expect(contents.records.allSatisfy { $0 == Self.full.with(step: $0.step) }, "cut \(cut)")
        }
    }

    @Test func malformedMiddleLinesAreListedWithLineNumbers() throws {
        let text = """
            {"step":1,"loss":1}
            not json

            {"loss":2}
            {"step":5,"loss":0.5}\r
            {"step":6}
            """
        let contents = MetricsLogReader.parse(text)
        #expect(contents.records.map(\.step) == [1, 5, 6])
        #expect(contents.malformedLines.map(\.lineNumber) == [2, 4])
        #expect(!contents.truncatedLastLine)

        let dir = TestDirectory()
        try Data(text.utf8).write(to: dir.file("metrics.jsonl"))
        do {
            _ = try MetricsLogReader.read(dir.file("metrics.jsonl"), strict: true)
            Issue.record("strict read should fail")
        } catch {
            guard case .malformedLines(_, let lines) = error else { Issue.record("\(error)"); return }
            #expect(lines.count == 2)
            #expect(error.description.contains("line 2"))
        }
    }

    @Test func reopeningAfterAKilledRunStartsAFreshLine() throws {
        let dir = TestDirectory()
        let url = dir.file("metrics.jsonl")
        try Data((MetricsRecord(step: 1, loss: 1).jsonLine() + "\n{\"step\":2,\"lo").utf8).write(to: url)
        let log = try MetricsLog(url: url)
        try log.append(MetricsRecord(step: 3, loss: 0.5))
        log.close()
        #expect(throws: MetricsLogError.self) { try log.append(MetricsRecord(step: 4)) }
        let contents = try MetricsLogReader.read(url)
        #expect(contents.records.map(\.step) == [1, 3])
        #expect(contents.malformedLines.map(\.lineNumber) == [2])
    }

    @Test func missingFileAndUnwritableDirectoryAreTypedErrors() {
        #expect(throws: MetricsLogError.self) { try MetricsLogReader.read(URL(fileURLWithPath: "/no/such/metrics.jsonl")) }
        #expect(throws: MetricsLogError.self) { try MetricsLog(url: URL(fileURLWithPath: "/no/such/dir/metrics.jsonl")) }
    }
}

extension MetricsRecord {
    func with(step: Int) -> MetricsRecord {
        var copy = self
        copy.step = step
        return copy
    }
}
