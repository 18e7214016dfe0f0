// ResumeProcessTests: resume is bit-identical across processes. The built `trm` trains N steps
// straight; a second run trains N/2, exits, and a fresh process resumes it to N. Every tensor of
// the final checkpoints (trained and EMA weights, Adam moments, ACT carry) and the RNG and data
// position must be equal byte for byte.
//
// The executable is found by TRMTestSupport's TRMExecutable; the test is skipped, saying so,
// when none exists.
import TRMTestSupport
import Foundation
import Testing
@testable import TRMTraining
import TRMReport

@Suite("Resume in a fresh process")
struct ResumeProcessTests {
    @Test("N steps straight == N/2, exit, resume in a new process, N/2 more",
          .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
    func bitIdenticalAcrossProcesses() throws {
        let straight = TestDirectory(), split = TestDirectory()
        let common = ["--threads", "1", "--batch-size", "16", "--eval-limit", "8", "--checkpoint-interval", "3", "--quiet"]
        let n = 10
        let runs: [[String]] = [
            ["train", "--preset", "trm-tiny-sudoku4", "--steps", "\(n)", "--out", straight.url.path] + common,
            ["train", "--preset", "trm-tiny-sudoku4", "--steps", "\(n / 2)", "--out", split.url.path] + common,
            ["train", "--resume", split.url.path, "--steps", "\(n)", "--threads", "1", "--eval-limit", "8", "--quiet"],
        ]
        for arguments in runs {
            let (status, output) = try TRMExecutable.run(arguments)
            #expect(status == 0, "trm \(arguments.joined(separator: " ")) failed: \(output)")
            if status != 0 { return }
        }
        let a = try Checkpoint.readContents(straight.url), b = try Checkpoint.readContents(split.url)
        #expect(a.manifest.step == n && b.manifest.step == n)
        #expect(a.manifest.rng == b.manifest.rng)
        #expect(a.manifest.stream == b.manifest.stream)
        #expect(a.manifest.optimizerStep == b.manifest.optimizerStep)
        for file in [Checkpoint.File.rawWeights, Checkpoint.File.model, Checkpoint.File.ema, Checkpoint.File.optimizer, Checkpoint.File.carry] {
            let x = try tensorBytes(a.directory.appendingPathComponent(file))
            let y = try tensorBytes(b.directory.appendingPathComponent(file))
            #expect(!x.isEmpty && x == y, "\(file) differs between the straight and the resumed run")
        }
        // The resumed run appended to the same metrics log: steps 1...n once each.
        let log = try MetricsLogReader.read(split.url.appendingPathComponent("metrics.jsonl"))
        #expect(log.records.map(\.step) == Array(1...n))
    }

    @Test("Ctrl-C (SIGINT) finishes the step, saves a checkpoint at that step and exits 0; the run resumes from it",
          .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
    func interruptSavesCheckpoint() throws {
        let dir = TestDirectory()
        let process = Process()
        process.executableURL = TRMExecutable.url!
        process.arguments = ["train", "--preset", "trm-tiny-sudoku4", "--steps", "100000", "--batch-size", "8",
                             "--checkpoint-interval", "0", "--eval-interval", "0", "--eval-limit", "4",
                             "--threads", "1", "--quiet", "--out", dir.url.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let log = dir.url.appendingPathComponent("metrics.jsonl")
        // The limit only guards against a hang (the loop ends at the third line): a loaded 2-core
        // test run can take long to start a debug process, so it is generous.
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            if let text = try? String(contentsOf: log, encoding: .utf8), text.split(separator: "\n").count >= 3 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let contents = try Checkpoint.readContents(dir.url)
        let records = try MetricsLogReader.read(log).records
        #expect(contents.manifest.step >= 3 && contents.manifest.step < 100000)
        #expect(records.last?.step == contents.manifest.step, "the checkpoint is at the last completed step")
        let (status, output) = try TRMExecutable.run(["train", "--resume", dir.url.path, "--steps", "\(contents.manifest.step + 2)",
                                                      "--eval-limit", "4", "--quiet"])
        #expect(status == 0, "resume failed: \(output)")
        #expect(try Checkpoint.readContents(dir.url).manifest.step == contents.manifest.step + 2)
    }
}
