// EvalReportTests: the report round-trips through report.json, its Markdown carries both protocols
// and the per-step table and chart link, and its chart is a well-formed SVG with a bar per step.

import TRMTestSupport
import Foundation
import Testing
@testable import TRMReport

@Suite struct EvalReportTests {
    static func sample() -> EvalReport {
        let perStep = (1...16).map { StepAccuracy(step: $0, exactAccuracy: Double($0) / 20, tokenAccuracy: 0.5 + Double($0) / 40) }
        return EvalReport(model: "trm-att-sudoku", checkpoint: "runs/a/ckpt.safetensors", dataset: "sudoku-extreme test",
                          puzzleCount: 1000, tokenCount: 81_000, maxSupervisionSteps: 16,
                          allSteps: EvalProtocolResult(exactAccuracy: 0.8, tokenAccuracy: 0.9, meanSteps: 16),
                          earlyHalting: EvalProtocolResult(exactAccuracy: 0.78, tokenAccuracy: 0.89, meanSteps: 6.25),
                          perStep: perStep, elapsedSeconds: 12.5,
                          createdAt: Date(timeIntervalSince1970: 1_800_000_000), notes: ["seed": "0", "a|b": "c"])
    }

    @Test func writesAndReadsBack() throws {
        let dir = TestDirectory()
        let report = Self.sample()
        let files = try report.write(to: dir.url)
        #expect(files.json.lastPathComponent == "report.json")
        let again = try EvalReport.read(from: files.json)
        #expect(again == report)
        let json = try String(contentsOf: files.json, encoding: .utf8)
        #expect(json.contains("\"exact_accuracy\"") && json.contains("\"early_halting\"") && json.contains("\"per_step\""))
        #expect(report.createdAt == "2027-01-15T08:00:00Z")
        #expect(report.puzzlesPerSecond == 80)
    }

    @Test func markdownHasProtocolsTableAndChart() throws {
        let md = Self.sample().markdown()
        #expect(md.contains("| All 16 steps | 80.00% | 90.00% | 16.00 |"))
        #expect(md.contains("| Early halting | 78.00% | 89.00% | 6.25 |"))
        #expect(md.contains("![Accuracy after each supervision step](step_accuracy.svg)"))
        #expect(md.contains("| 16 | 80.00% | 90.00% |"))
        #expect(md.components(separatedBy: "\n").filter { $0.hasPrefix("| ") && $0.first(where: \.isNumber) != nil }.count >= 16)
        #expect(md.contains("a\\|b"))
    }

    @Test func chartHasABarPerStep() throws {
        let dir = TestDirectory()
        let files = try Self.sample().write(to: dir.url)
        let summary = try #require(SVGSummary.parse(String(contentsOf: files.chart, encoding: .utf8)))
        #expect(summary.classes["bar"] == 16)
    }

    @Test func nonFiniteValuesSurvive() throws {
        var report = Self.sample()
        report.earlyHalting.meanSteps = .nan
        let dir = TestDirectory()
        try report.write(to: dir.url)
        let again = try EvalReport.read(from: dir.file("report.json"))
        #expect(again.earlyHalting.meanSteps.isNaN)
        #expect(report.markdown().contains("nan") || report.markdown().contains("n/a"))
    }

    @Test func badDirectoryAndBadJSONAreTypedErrors() throws {
        #expect(throws: EvalReportError.self) { try Self.sample().write(to: URL(fileURLWithPath: "/no/such/dir")) }
        let dir = TestDirectory()
        try Data("{\"model\": 3}".utf8).write(to: dir.file("report.json"))
        do {
            _ = try EvalReport.read(from: dir.file("report.json"))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("report.json"))
        }
    }
}
