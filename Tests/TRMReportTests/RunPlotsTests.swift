// RunPlotsTests: a run directory's metrics become the five SVG charts; PNGs appear only through a
// converter that really produces a PNG, and the result says which happened.

import TRMTestSupport
import Foundation
import Testing
@testable import TRMReport

@Suite struct RunPlotsTests {
    static func writeMetrics(in dir: TestDirectory, steps: Int = 300, partialLastLine: Bool = true) throws {
        let log = try MetricsLog(runDirectory: dir.url)
        for step in 1...steps {
            let t = Double(step)
            try log.append(MetricsRecord(step: step, loss: 2 / t.squareRoot() + 0.01, lmLoss: 1.8 / t.squareRoot(),
                                         qHaltLoss: 0.2 / t, tokenAccuracy: min(1, t / Double(steps)),
                                         exactAccuracy: min(1, t / Double(steps)) * 0.5, meanSteps: 16 - 10 * t / Double(steps),
                                         lr: step < 50 ? 1e-4 * t / 50 : 1e-4, samplesPerSecond: 100,
                                         elapsedSeconds: t * 0.1))
        }
        log.close()
        if partialLastLine {
            let handle = try FileHandle(forWritingTo: dir.file("metrics.jsonl"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("{\"step\":301,\"lo".utf8))
            try handle.close()
        }
    }

    /// Writes an executable shell script `name` into `directory`.
    static func script(_ name: String, in directory: URL, _ body: String) throws {
        let url = directory.appendingPathComponent(name)
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    @Test func writesAllChartsAsWellFormedSVG() throws {
        let dir = TestDirectory()
        try Self.writeMetrics(in: dir)
        let emptyPath = TestDirectory()
        let result = try RunPlots.write(runDirectory: dir.url, searchPath: emptyPath.url.path)
        #expect(result.svgFiles.map(\.lastPathComponent) == ["loss.svg", "accuracy.svg", "halting_steps.svg", "lr.svg", "training.svg"])
        #expect(result.recordCount == 300)
        #expect(result.truncatedLastLine)
        #expect(result.pngFiles.isEmpty && result.converter == nil)
        #expect(result.summary.contains("SVG only"))
        let expectedSeries = ["loss.svg": 3, "accuracy.svg": 2, "halting_steps.svg": 1, "lr.svg": 1, "training.svg": 7]
        for url in result.svgFiles {
            let svg = try String(contentsOf: url, encoding: .utf8)
            let summary = try #require(SVGSummary.parse(svg), "\(url.lastPathComponent) is well-formed")
            #expect(summary.classes["series"] == expectedSeries[url.lastPathComponent], "\(url.lastPathComponent)")
        }
        let combined = try #require(SVGSummary.parse(String(contentsOf: dir.file("training.svg"), encoding: .utf8)))
        #expect(combined.classes["panel"] == 4)
    }

    @Test("a run that evaluated also gets heldout.svg: held-out accuracy against training time")
    func heldOutChart() throws {
        let dir = TestDirectory()
        let log = try MetricsLog(runDirectory: dir.url)
        for step in 1...40 {
            var r = MetricsRecord(step: step, loss: 1, elapsedSeconds: Double(step) * 30)
            if step % 10 == 0 {
                r.extra = ["eval_exact_accuracy": Double(step) / 50, "eval_token_accuracy": 0.9,
                           "eval_halting_exact_accuracy": Double(step) / 60, "eval_halting_mean_steps": 3]
            }
            try log.append(r)
        }
        log.close()
        let result = try RunPlots.write(runDirectory: dir.url, png: false)
        #expect(result.svgFiles.last?.lastPathComponent == "heldout.svg")
        let svg = try String(contentsOf: dir.file("heldout.svg"), encoding: .utf8)
        let summary = try #require(SVGSummary.parse(svg))
        #expect(summary.classes["series"] == 3, "exact, exact with halting, token")
        #expect(svg.contains("training time (minutes)"))
        // The run's last evaluation was at 20 minutes: the x axis reaches it.
        #expect(svg.contains(">20<"), "x ticks in minutes")
        #expect(RunPlots.heldOutChart([MetricsRecord(step: 1, loss: 1)]) == nil, "no evaluation, no chart")
    }

    @Test func missingMetricsIsATypedError() {
        let dir = TestDirectory()
        #expect(throws: MetricsLogError.self) { try RunPlots.write(runDirectory: dir.url, png: false) }
    }

    @Test func sparseMetricsStillPlot() throws {
        let dir = TestDirectory()
        try Data("{\"step\":1,\"loss\":0}\n{\"step\":2,\"loss\":-1}\n".utf8).write(to: dir.file("metrics.jsonl"))
        let result = try RunPlots.write(runDirectory: dir.url, png: false)
        #expect(result.summary.contains("PNG not requested"))
        for url in result.svgFiles {
            #expect(SVGSummary.parse(try String(contentsOf: url, encoding: .utf8)) != nil, "\(url.lastPathComponent)")
        }
    }

    @Test func fakeConverterThatWritesAPNGIsUsed() throws {
        let dir = TestDirectory()
        try Self.writeMetrics(in: dir, steps: 20, partialLastLine: false)
        let bin = TestDirectory()
        // rsvg-convert -f png -o OUT IN: write a PNG signature to OUT.
        try Self.script("rsvg-convert", in: bin.url, #"printf '\211PNG\r\n\032\nfake' > "$4""#)
        let result = try RunPlots.write(runDirectory: dir.url, searchPath: bin.url.path)
        #expect(result.converter?.tool == .rsvgConvert)
        #expect(result.pngFiles.map(\.lastPathComponent) == ["loss.png", "accuracy.png", "halting_steps.png", "lr.png", "training.png"])
        #expect(FileManager.default.fileExists(atPath: dir.file("training.png").path))
    }

    @Test func convertersThatFailOrLieArePassedOver() throws {
        let bin = TestDirectory()
        try Self.script("rsvg-convert", in: bin.url, "exit 1")
        try Self.script("magick", in: bin.url, #"echo 'not a png' > "$2""#)
        try Self.script("convert", in: bin.url, #"printf '\211PNG\r\n\032\n' > "$2""#)
        let found = try #require(PNGConverter.find(searchPath: bin.url.path))
        #expect(found.tool == .convert)
        try Self.script("convert", in: bin.url, "exit 0")
        #expect(PNGConverter.find(searchPath: bin.url.path) == nil)
    }

    /// Whatever this machine's PATH holds, the probe must not crash, and a converter it reports
    /// must really make PNGs.
    @Test func realPathProbeIsHonest() throws {
        guard let converter = PNGConverter.find() else { return }
        let dir = TestDirectory()
        let svg = dir.file("c.svg")
        try AtomicFileShim.write(LineChart(series: [PlotSeries(name: "a", x: [1, 2], y: [1, 2])]).svg(), to: svg)
        #expect(converter.convert(svg: svg, to: dir.file("c.png")))
    }
}

/// Plain write for test inputs (AtomicFile lives in TRMFiles, tested there).
enum AtomicFileShim {
    static func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }
}
