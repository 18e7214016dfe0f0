// ProgressTests: what the progress bar prints, how often, and that it stays consistent when many
// threads report at once.

import TRMTestSupport
import Foundation
import Testing
@testable import TRMReport

@Suite struct ProgressTests {
    @Test func plainModePrintsAtMostEveryInterval() {
        let sink = TextSink(), clock = ManualClock()
        let bar = ProgressBar(total: 100, label: "train", mode: .plain, plainIntervalSeconds: 10,
                              output: { sink.write($0) }, clock: { clock.now() })
        for step in 1...100 {
            clock.advance(0.5)
            bar.update(done: step, ["loss": 1 / Double(step), "acc": Double(step) / 100])
        }
        bar.finish()
        bar.finish()
        let lines = sink.all
        // 50 s of work at one line per 10 s, plus the final line.
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        let last = lines.last ?? ""
        #expect(last.hasPrefix("train  [########################]  100/100  100.0%  2.0 it/s"))
        #expect(last.contains("loss 0.01") && last.contains("acc 1"))
        #expect(lines[1].contains("ETA"))
    }

    @Test func terminalModeRedrawsInPlace() {
        let sink = TextSink(), clock = ManualClock()
        let bar = ProgressBar(total: 10, mode: .terminal, terminalIntervalSeconds: 0.1,
                              output: { sink.write($0) }, clock: { clock.now() })
        for _ in 1...10 { clock.advance(1); bar.advance() }
        bar.finish()
        let out = sink.all
        #expect(out.count == 11)
        #expect(out.allSatisfy { $0.hasPrefix("\r\u{1B}[2K") })
        #expect(out.dropLast().allSatisfy { !$0.hasSuffix("\n") })
        #expect(out.last?.hasSuffix("\n") == true)
    }

    @Test func quietModePrintsNothing() {
        let sink = TextSink()
        let bar = ProgressBar(total: 5, mode: .quiet, output: { sink.write($0) })
        for _ in 0..<5 { bar.advance() }
        bar.finish()
        #expect(sink.all.isEmpty)
        #expect(bar.currentLine().contains("5/5"))
    }

    @Test func unknownTotalAndOddInputsDoNotCrash() {
        let sink = TextSink(), clock = ManualClock()
        let bar = ProgressBar(total: nil, mode: .plain, plainIntervalSeconds: 0, output: { sink.write($0) },
                              clock: { clock.now() })
        bar.update(done: -5, ["loss": .nan])
        clock.advance(3)
        bar.update(done: 30, ["loss": .infinity])
        #expect(sink.all.last?.hasPrefix("30  10.0 it/s  elapsed 3s") == true)
        let zero = ProgressBar(total: 0, mode: .quiet)
        #expect(zero.currentLine().contains("0/0"))
        let over = ProgressBar(total: 3, mode: .quiet)
        over.update(done: 7)
        #expect(over.currentLine().contains("[########################]"))
    }

    @Test func concurrentUpdatesAreCounted() {
        let bar = ProgressBar(total: 10_000, mode: .plain, plainIntervalSeconds: 1e9, output: { _ in })
        DispatchQueue.concurrentPerform(iterations: 10_000) { i in bar.advance(by: 1, ["i": Double(i)]) }
        #expect(bar.currentLine().contains("10000/10000"))
    }

    @Test func formatsRatesAndDurations() {
        #expect(ProgressBar.formatDuration(45) == "45s")
        #expect(ProgressBar.formatDuration(192) == "3m12s")
        #expect(ProgressBar.formatDuration(3720) == "1h02m")
        #expect(ProgressBar.formatDuration(2 * 86400 + 3 * 3600) == "2d03h")
        #expect(ProgressBar.formatDuration(.infinity) == "--")
        #expect(ProgressBar.formatRate(38.54) == "38.5 it/s")
        #expect(ProgressBar.formatRate(0.4) == "2.50 s/it")
        #expect(ProgressBar.formatRate(0) == "-- it/s")
    }
}
