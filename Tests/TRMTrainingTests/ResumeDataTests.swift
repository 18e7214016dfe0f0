// `trm train --resume RUN` continues on the data the run recorded (absolute paths, sizes and
// checksums in every checkpoint), bit for bit as when naming it again; a changed training file is
// refused with what changed and what to do, nothing already saved is touched; data named again
// that differs is warned about; a new --steps says the schedule changed. The rules themselves
// (RunInputs.resume) are tested without a process, including checkpoints of older versions.
import Foundation
import Testing
import TRMModels
import TRMRuntime
import TRMTestSupport
@testable import TRMTraining

@Suite("resume on the run's recorded data")
struct ResumeDataTests {
    /// A tiny maze run configuration (sizes from the data) in `dir`.
    static func tinyConfig(in dir: TestDirectory, steps: Int) throws -> String {
        var model = SizeTransferCommandTests.tinyConfig(.rope2d, cells: 0)
        model.positionEncoding = .rope
        var training = TrainingConfig()
        training.batchSize = 4; training.totalSteps = steps; training.warmupSteps = 1
        training.evalInterval = 0; training.checkpointInterval = 0; training.seed = 3
        let path = dir.file("tiny.json").path
        try RunConfig(name: "tiny-maze", model: model, training: training).jsonData().write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("resume without --data continues on the recorded files, from another folder, as naming them would",
          .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
    func resumeOnRecordedData() throws {
        let dir = TestDirectory()
        _ = try SizeTransferCommandTests.mazes(side: 6, count: 24, seed: 4, in: dir)
        _ = try SizeTransferCommandTests.mazes(side: 6, count: 4, seed: 9, in: dir)
        try FileManager.default.moveItem(at: dir.file("m6-4.csv"), to: dir.file("train.csv"))
        try FileManager.default.moveItem(at: dir.file("m6-9.csv"), to: dir.file("test.csv"))
        let config = try Self.tinyConfig(in: dir, steps: 6)
        let common = ["--threads", "1", "--quiet"]
        // Relative paths, as a user types them, in the data's folder.
        let (s1, t1) = try TRMExecutable.run(["train", "--config", config, "--data", "train.csv", "--test-data", "test.csv",
                                              "--eval-limit", "2", "--out", "straight"] + common, currentDirectory: dir.url)
        #expect(s1 == 0, "\(t1)")
        let (s2, t2) = try TRMExecutable.run(["train", "--config", config, "--data", "train.csv", "--test-data", "test.csv",
                                              "--eval-limit", "2", "--steps", "3", "--out", "split"] + common, currentDirectory: dir.url)
        #expect(s2 == 0, "\(t2)")
        let recorded = try #require(try Checkpoint.readContents(dir.file("split")).manifest.inputs)
        #expect(recorded.training.map(\.path) == [dir.file("train.csv").standardizedFileURL.path])
        #expect(recorded.test.map(\.path) == [dir.file("test.csv").standardizedFileURL.path])
        #expect(recorded.evalLimit == 2 && recorded.trainLimit == nil)
        #expect(recorded.training[0].record == FileRecord(of: try Data(contentsOf: dir.file("train.csv"))))

        // From another working directory, naming nothing but the run and the new end.
        let elsewhere = TestDirectory()
        let (s3, t3) = try TRMExecutable.run(["train", "--resume", dir.file("split").path, "--steps", "6", "--threads", "1"],
                                             currentDirectory: elsewhere.url)
        #expect(s3 == 0, "\(t3)")
        #expect(t3.contains("training data from the checkpoint: \(recorded.training[0].path)"), "\(t3)")
        #expect(t3.contains("test data from the checkpoint: \(recorded.test[0].path)"), "\(t3)")
        #expect(t3.contains("the schedule now ends at step 6 (the run's configuration said 3)"), "\(t3)")
        #expect(t3.contains("on 2 puzzles"), "the evaluation keeps the run's --eval-limit 2: \(t3)")
        let a = try Checkpoint.readContents(dir.file("straight")), b = try Checkpoint.readContents(dir.file("split"))
        #expect(a.manifest.step == 6 && b.manifest.step == 6)
        #expect(a.manifest.stream == b.manifest.stream)
        for file in [Checkpoint.File.model, Checkpoint.File.optimizer, Checkpoint.File.carry] {
            let x = try tensorBytes(a.directory.appendingPathComponent(file)), y = try tensorBytes(b.directory.appendingPathComponent(file))
            #expect(!x.isEmpty && x == y, "\(file) differs between the straight run and the one resumed on its recorded data")
        }
        #expect(b.manifest.inputs == recorded, "the resumed run records the same inputs")
    }

    @Test("a changed training file is refused on resume, the checkpoint untouched; named again it trains, warned",
          .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
    func changedTrainingData() throws {
        let dir = TestDirectory()
        let train = try SizeTransferCommandTests.mazes(side: 6, count: 12, seed: 5, in: dir)
        let test = try SizeTransferCommandTests.mazes(side: 6, count: 2, seed: 6, in: dir)
        let config = try Self.tinyConfig(in: dir, steps: 2)
        let run = dir.file("run").path
        let (s1, t1) = try TRMExecutable.run(["train", "--config", config, "--data", train, "--test-data", test,
                                              "--out", run, "--threads", "1", "--quiet"])
        #expect(s1 == 0, "\(t1)")
        let before = try Data(contentsOf: dir.file("run/checkpoint/model.safetensors"))

        // One maze dropped from the training file: same folder, other rows.
        let lines = try String(contentsOfFile: train, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: train, atomically: true, encoding: .utf8)
        let (s2, t2) = try TRMExecutable.run(["train", "--resume", run, "--steps", "4", "--threads", "1"])
        #expect(s2 != 0)
        #expect(t2.contains("the run's training data \(URL(fileURLWithPath: train).standardizedFileURL.path): changed since the run read it")
                && t2.contains("bytes instead of") && t2.contains("name it with --data"), "\(t2)")
        #expect(try Checkpoint.readContents(dir.file("run")).manifest.step == 2)
        #expect(try Data(contentsOf: dir.file("run/checkpoint/model.safetensors")) == before, "nothing saved is touched")

        // Named again: it trains on the file as it is, warned; the test file is gone: left out, warned.
        try FileManager.default.removeItem(atPath: test)
        let (s3, t3) = try TRMExecutable.run(["train", "--resume", run, "--data", train, "--steps", "4", "--threads", "1"])
        #expect(s3 == 0, "\(t3)")
        #expect(t3.contains("training on other data than the run started with"), "\(t3)")
        #expect(t3.contains("test data \(URL(fileURLWithPath: test).standardizedFileURL.path): not there any more; left out of the evaluation"), "\(t3)")
        let after = try Checkpoint.readContents(dir.file("run")).manifest
        #expect(after.step == 4 && after.inputs?.test == [])
        #expect(after.inputs?.training.first?.record == FileRecord(of: try Data(contentsOf: URL(fileURLWithPath: train))))
    }

    // MARK: The rules, without a process

    static func file(_ dir: TestDirectory, _ name: String, _ text: String) throws -> String {
        let path = dir.file(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("recorded inputs are used when nothing is named; named ones override; limits follow the same rule")
    func rules() throws {
        let dir = TestDirectory()
        let a = try Self.file(dir, "a.csv", "a"), b = try Self.file(dir, "b.csv", "b"), t = try Self.file(dir, "t.csv", "t")
        let recorded = try RunInputs.reading(training: [a], test: [t], trainLimit: 7, evalLimit: 50)
        let same = try RunInputs.resume(recorded: recorded, legacyTraining: [a], data: [], testData: [], trainLimit: nil, evalLimit: nil)
        #expect(same.training == [recorded.training[0].path] && same.test == [recorded.test[0].path])
        #expect(same.trainLimit == 7 && same.evalLimit == 50 && same.warnings.isEmpty && same.notices.count == 2)

        let other = try RunInputs.resume(recorded: recorded, legacyTraining: [a], data: [b], testData: [], trainLimit: 9, evalLimit: 10)
        #expect(other.training == [b] && other.trainLimit == 9 && other.evalLimit == 10)
        #expect(other.warnings.count == 2, "other data and another --train-limit: \(other.warnings)")

        // The same file named again (a relative spelling of it) is no change.
        let again = try RunInputs.resume(recorded: recorded, legacyTraining: [], data: [dir.url.path + "/./a.csv"], testData: [],
                                         trainLimit: nil, evalLimit: nil)
        #expect(again.warnings.isEmpty, "\(again.warnings)")

        // Same size, other bytes: refused, naming the checksums.
        try "c".write(toFile: a, atomically: true, encoding: .utf8)
        #expect(throws: RunInputsError.self) {
            _ = try RunInputs.resume(recorded: recorded, legacyTraining: [], data: [], testData: [], trainLimit: nil, evalLimit: nil)
        }
        let change = RunInputs.changes(recorded.training)
        #expect(change.count == 1 && change[0].change.contains("same size, checksum"), "\(change)")
    }

    @Test("a checkpoint of an older version (paths only) resumes on them when they exist, else asks for --data")
    func legacyCheckpoint() throws {
        let dir = TestDirectory()
        let a = try Self.file(dir, "a.csv", "a")
        let found = try RunInputs.resume(recorded: nil, legacyTraining: [a], data: [], testData: [], trainLimit: nil, evalLimit: nil)
        #expect(found.training == [a] && found.notices.first?.contains("without checksums") == true)
        #expect(found.evalLimit == RunInputs.defaultEvalLimit)
        let gone = try RunInputs.resume(recorded: nil, legacyTraining: [dir.file("gone.csv").path], data: [], testData: [],
                                        trainLimit: nil, evalLimit: nil)
        #expect(gone.training.isEmpty && gone.notices.isEmpty)
        // A generated run records a description, not a path: nothing to use.
        let generated = try RunInputs.resume(recorded: nil, legacyTraining: ["generated 4x4 Sudoku (seed 0): 800 train, 200 test"],
                                             data: [], testData: [], trainLimit: nil, evalLimit: nil)
        #expect(generated.training.isEmpty)
    }

    @Test("a folder is recorded by its files: a changed file inside it is a change")
    func folderRecord() throws {
        let dir = TestDirectory()
        let folder = dir.file("tasks")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "{}".write(to: folder.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try "[]".write(to: folder.appendingPathComponent("sub/b.json"), atomically: true, encoding: .utf8)
        let first = try RunDataFile.reading(folder.path)
        #expect(first.record.bytes == 4)
        #expect(RunInputs.changes([first]).isEmpty)
        try "[1]".write(to: folder.appendingPathComponent("sub/b.json"), atomically: true, encoding: .utf8)
        #expect(RunInputs.changes([first]).first?.change.contains("5 bytes instead of 4") == true)
        try "[]".write(to: folder.appendingPathComponent("sub/b.json"), atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(at: folder.appendingPathComponent("sub/b.json"), to: folder.appendingPathComponent("sub/c.json"))
        #expect(RunInputs.changes([first]).first?.change.contains("same size, checksum") == true, "a renamed file is a change")
    }
}
