// Where `trm eval` writes without --out, through the built executable from a scratch working
// directory: a training run's report goes to <run>/eval, a model folder's into a new temporary
// folder the command names; the working directory is never written to.
import Foundation
import Testing
import TRMTestSupport

@Suite("eval's default output location", .serialized, .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct EvalOutputTests {
    @Test("a run's report goes to <run>/eval, a model folder's to a named temporary folder, never the working directory")
    func defaultReportLocation() throws {
        let work = TestDirectory(), cwd = TestDirectory()
        let run = work.file("run"), folder = work.file("model")
        let (s1, t1) = try TRMExecutable.run(["train", "--preset", "trm-tiny-sudoku4", "--steps", "2", "--batch-size", "8",
                                              "--eval-limit", "4", "--out", run.path, "--quiet"], currentDirectory: cwd.url)
        #expect(s1 == 0, "\(t1)")
        let (s2, t2) = try TRMExecutable.run(["export", "--model", run.path, "--out", folder.path], currentDirectory: cwd.url)
        #expect(s2 == 0, "\(t2)")

        // A training run: <run>/eval, and the wrote-line names it.
        try? FileManager.default.removeItem(at: run.appendingPathComponent("eval"))
        let (s3, t3) = try TRMExecutable.run(["eval", "--model", run.path, "--limit", "4", "--quiet"], currentDirectory: cwd.url)
        #expect(s3 == 0, "\(t3)")
        let report = run.appendingPathComponent("eval/report.json")
        #expect(FileManager.default.fileExists(atPath: report.path), "\(t3)")
        #expect(t3.contains("wrote \(report.path)"), "\(t3)")

        // A model folder: a new temporary folder, named in the output.
        let (s4, t4) = try TRMExecutable.run(["eval", "--model", folder.path, "--limit", "4", "--quiet", "--depths", "1,2"],
                                             currentDirectory: cwd.url)
        #expect(s4 == 0, "\(t4)")
        let line = try #require(t4.split(whereSeparator: \.isNewline).last { $0.hasPrefix("wrote ") }.map(String.init), "\(t4)")
        let written = String(line.dropFirst("wrote ".count).prefix { $0 != "," })
        let temporary = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        #expect(URL(fileURLWithPath: written).resolvingSymlinksInPath().path.hasPrefix(temporary), "\(line)")
        #expect(FileManager.default.fileExists(atPath: written), "\(line)")
        #expect(line.contains("depth_accuracy.svg"), "\(line)")
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: written).deletingLastPathComponent())

        // --json: the report on stdout, the wrote-line (with every file) on stderr.
        let (s5, t5) = try TRMExecutable.run(["eval", "--model", run.path, "--limit", "4", "--quiet", "--depths", "1,2", "--json"],
                                             currentDirectory: cwd.url)
        let wrote = t5.split(whereSeparator: \.isNewline).first { $0.hasPrefix("wrote ") }.map(String.init) ?? ""
        #expect(s5 == 0 && wrote.contains("step_accuracy.svg, depth_accuracy.svg"), "\(t5)")

        #expect(cwd.contents().isEmpty, "eval wrote into the working directory: \(cwd.contents())")
    }
}
