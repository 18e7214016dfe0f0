// ARC through the built executable, continued: a random-weight ARC preset solves an ARC task (its
// puzzle-embedding table, sized from data in training, gets a placeholder); a model records its
// training data's identifier layout and `trm eval` refuses a test file built with another one;
// `trm bench data --puzzles arc` reports versions per second and memory per versions-per-task; a
// config without sizes takes an imported reference data set's.
import Foundation
import TRMTestSupport
import Testing
@testable import TRMTraining
import TRMModels

@Suite("trm ARC layouts", .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
struct ARCLayoutCommandTests {
    @Test(arguments: ["trm-att-arc", "hrm-arc"])
    func randomARCPresetSolvesAnARCTask(preset: String) throws {
        let dir = TestDirectory()
        let folder = try ARCCommandTests.tasks(1, in: dir, name: "tasks")
        let (status, out) = try TRMExecutable.run(["solve", folder + "/task000.json", "--random-preset", preset,
                                                   "--max-steps", "1", "--no-color", "--json"])
        #expect(status == 0, "\(out)")
        #expect(!out.contains("no data has sized this model"), "\(out)")
        let json = try #require(out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any], "\(out)")
        #expect(json["kind"] as? String == "arc", "\(json)")
    }

    @Test func evalRefusesATestFileWithAnotherIdentifierLayout() throws {
        let dir = TestDirectory()
        let training = try ARCCommandTests.tasks(3, in: dir, name: "training")
        let evaluation = try ARCCommandTests.tasks(2, in: dir, name: "evaluation", offset: 10)
        func build(versions: Int) throws -> (train: String, test: String) {
            let train = dir.file("arc\(versions).trmd").path, test = dir.file("arc\(versions)-test.trmd").path
            let (status, out) = try TRMExecutable.run(["data", "build", training, "--arc-evaluation", evaluation, "--arc-versions", "\(versions)",
                                                       "-o", train, "--test-output", test])
            #expect(status == 0, "\(out)")
            return (train, test)
        }
        let eight = try build(versions: 8), one = try build(versions: 1)
        let config = try ARCCommandTests.smallConfig(in: dir)
        let run = dir.file("run").path
        let saved = try ARCCommandTests.trainOneStep(config: config, data: eight.train, run: run)
        let layout = try #require(saved.model.puzzleIdentifierLayout)
        #expect(layout.versionsPerTask == 8 && layout.tasks == 5 && layout.seed == 0 && layout.tasksHash.count == 16)
        #expect(saved.model.puzzleIdentifiers == 41)
        let (s0, info) = try TRMExecutable.run(["info", "--model", run])
        #expect(s0 == 0 && info.contains("puzzle identifiers: the ARC layout of the training data, 8 versions per task, seed 0, 5 tasks"), "\(info)")

        // The 1-version test file's identifiers (1...5) all have rows, but mean other versions.
        let (s2, refused) = try TRMExecutable.run(["eval", "--model", run, "--data", one.test, "--out", dir.file("eval1").path])
        #expect(s2 != 0 && s2 < 128, "\(refused)")
        #expect(refused.contains("1 version per task") && refused.contains("8 versions per task") && refused.contains("--arc-versions"), "\(refused)")
        // The matching test file evaluates (with voting over its 8 versions).
        let (s3, evaluated) = try TRMExecutable.run(["eval", "--model", run, "--data", eight.test, "--out", dir.file("eval8").path])
        #expect(s3 == 0 && evaluated.contains("pass@2"), "\(evaluated)")
        // Training with a test file of another layout is refused before the first step.
        let (s4, mixed) = try TRMExecutable.run(["train", "--config", config, "--data", eight.train, "--test-data", one.test, "--steps", "1",
                                                 "--out", dir.file("mixed").path, "--quiet"])
        #expect(s4 != 0 && s4 < 128 && mixed.contains("the test data does not fit the training data") && mixed.contains("1 version per task"), "\(mixed)")
    }

    @Test func benchDataMeasuresARCVersions() throws {
        let dir = TestDirectory()
        let training = try ARCCommandTests.tasks(3, in: dir, name: "training")
        let evaluation = try ARCCommandTests.tasks(2, in: dir, name: "evaluation", offset: 10)
        let (status, out) = try TRMExecutable.run(["bench", "data", "--puzzles", "arc", "--arc-training", training, "--arc-evaluation", evaluation,
                                                   "--arc-versions", "4,16", "--arc-batch", "8", "--seconds", "0.2", "--json"])
        #expect(status == 0, "\(out)")
        let lines = out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["puzzle"] as? String == "arc" }
        try #require(lines.count == 2, "\(out)")
        #expect(lines.map { $0["arc_versions_per_task"] as? Int } == [4, 16])
        // The file stores tasks, not versions: the same rows at every versions-per-task.
        #expect(lines[0]["rows"] as? Int == lines[1]["rows"] as? Int && (lines[0]["rows"] as? Int ?? 0) > 0)
        #expect(lines.map { $0["puzzle_identifiers"] as? Int } == [5 * 4 + 1, 5 * 16 + 1])
        for line in lines {
            #expect((line["versions_per_s"] as? Double ?? 0) > 0, "\(line)")
            let peak = line["peak_resident_bytes"] as? Int ?? 0, resident = line["resident_bytes"] as? Int ?? 0
            #expect(peak > 0 && resident > 0 && peak >= resident, "\(line)")
        }
    }

    @Test func dataBuildAndStatsShowVersionsAndAugmentation() throws {
        let dir = TestDirectory()
        let training = try ARCCommandTests.tasks(3, in: dir, name: "training")
        let file = dir.file("train.trmd").path
        let (s0, built) = try TRMExecutable.run(["data", "build", training, "--arc-versions", "4", "-o", file])
        #expect(s0 == 0 && built.contains("13 puzzle identifiers (4 versions per task of 3 tasks, made while training, seed 0)"), "\(built)")
        let (s1, stats) = try TRMExecutable.run(["data", "stats", file])
        #expect(s1 == 0 && stats.contains("puzzle ids:  13 puzzle identifiers (4 versions per task of 3 tasks"), "\(stats)")
        let grid = dir.file("task.jsonl")
        try """
        {"format": "trm-grid", "alphabet": ".ab", "rows": 2, "cols": 3, "augment": {"symmetries": ["identity", "rotate180"], "permute": ["ab"]}}
        {"id": "p", "input": "a.b...", "target": "abbaab"}
        """.write(to: grid, atomically: true, encoding: .utf8)
        let (s2, gridStats) = try TRMExecutable.run(["data", "stats", grid.path])
        #expect(s2 == 0 && gridStats.contains("augment:     symmetries identity, rotate180; permuted groups \"ab\""), "\(gridStats)")
    }

    /// ../shared/fixtures/reference-datasets/arc, the reference builder's ARC output.
    static let referenceARC = Repository.root.appendingPathComponent("../shared/fixtures/reference-datasets/arc").standardizedFileURL.path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: referenceARC + "/train/dataset.json"), "no ../shared/fixtures/reference-datasets/arc"))
    func configWithoutSizesTakesImportedReferenceData() throws {
        let dir = TestDirectory()
        let source = Self.referenceARC
        let data = dir.file("imported.trmd").path
        let (s0, imported) = try TRMExecutable.run(["data", "import", source, "--split", "train", "-o", data])
        #expect(s0 == 0, "\(imported)")
        let config = try ARCCommandTests.smallConfig(in: dir)
        let run = dir.file("run").path
        let saved = try ARCCommandTests.trainOneStep(config: config, data: data, run: run)
        // The reference's dataset.json: 73 puzzle identifiers, vocab 12, 900 cells; no ARC layout
        // of ours (its identifiers follow the reference's identifiers.json).
        #expect(saved.model.puzzleIdentifiers == 73 && saved.model.vocabSize == 12 && saved.model.seqLen == 900)
        #expect(saved.model.puzzleIdentifierLayout == nil)
    }
}
