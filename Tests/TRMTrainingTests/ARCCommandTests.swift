// ARC through the built executable: tables sized from the data (the ARC preset trains on a built
// ARC file as is; an explicit table smaller than the data names both numbers; a checkpoint
// evaluated on data with identifiers it has no row for names them; a config without seqLen and
// vocabSize takes the data's) and evaluation with voting over versions (pass@1, pass@2), for ARC
// and for grid tasks whose header declares augmentation.
import Foundation
import TRMTestSupport
import Testing
@testable import TRMTraining
import TRMModels

@Suite("trm ARC commands", .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
struct ARCCommandTests {
    /// Writes `count` small ARC tasks (recolour 1 -> 2) into folder `name`; returns its path.
    static func tasks(_ count: Int, in dir: TestDirectory, name: String, offset: Int = 0) throws -> String {
        let folder = dir.file(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<count {
            let a = (i + offset) % 7 + 1, b = (i + offset) % 5 + 3
            let json = #"{"train": [{"input": [[\#(a), 0], [0, \#(b)]], "output": [[\#(b), 0], [0, \#(a)]]}, {"input": [[\#(b), \#(a)]], "output": [[\#(a), \#(b)]]}], "test": [{"input": [[0, \#(a), \#(b)]], "output": [[0, \#(b), \#(a)]]}]}"#
            try json.write(to: folder.appendingPathComponent(String(format: "task%03d.json", i + offset)), atomically: true, encoding: .utf8)
        }
        return folder.path
    }

    /// A small attention model's configuration without the keys the data decides.
    static func smallConfig(in dir: TestDirectory, keep: [String: Int] = [:]) throws -> String {
        var run = try RunConfig.preset("trm-att-sudoku-small")
        run.model.hidden = 64; run.model.heads = 1; run.model.puzzleEmbeddingWidth = 64; run.model.puzzleEmbeddingLength = 1
        run.model.hCycles = 1; run.model.lCycles = 1; run.model.haltMaxSteps = 2
        var object = try JSONSerialization.jsonObject(with: run.jsonData()) as! [String: Any]
        var model = object["model"] as! [String: Any]
        for key in ["seqLen", "vocabSize", "puzzleIdentifiers"] { model[key] = keep[key] }
        object["model"] = model
        let url = dir.file("small.json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url.path
    }

    /// `trm train --config CONFIG --data DATA --steps 1 --batch-size 2` into `run`, and the
    /// configuration it saved (sizes taken from the data).
    static func trainOneStep(config: String, data: String, run: String) throws -> RunConfig {
        let (status, out) = try TRMExecutable.run(["train", "--config", config, "--data", data, "--steps", "1", "--batch-size", "2",
                                                   "--eval-interval", "0", "--out", run, "--quiet"])
        #expect(status == 0, "\(out)")
        return try RunConfig.load(from: URL(fileURLWithPath: run + "/config.json"))
    }

    @Test func arcPresetTrainsOnBuiltDataAndTablesFollowTheData() throws {
        let dir = TestDirectory()
        let training = try Self.tasks(3, in: dir, name: "training"), evaluation = try Self.tasks(2, in: dir, name: "evaluation", offset: 10)
        let train = dir.file("arc.trmd").path, test = dir.file("arc-test.trmd").path
        let (s0, built) = try TRMExecutable.run(["data", "build", training, "--arc-evaluation", evaluation, "--arc-versions", "4",
                                                 "-o", train, "--test-output", test])
        #expect(s0 == 0, "\(built)")
        #expect(built.contains("21 puzzle identifiers"), "5 tasks x 4 versions + 1: \(built)")
        // The published preset, its table sized from the data: one step starts and finishes.
        let run = dir.file("preset-run").path
        let (s1, trained) = try TRMExecutable.run(["train", "--preset", "trm-att-arc", "--data", train, "--steps", "1",
                                                   "--batch-size", "1", "--eval-interval", "0", "--out", run, "--quiet"])
        #expect(s1 == 0, "\(trained)")
        let saved = try RunConfig.load(from: URL(fileURLWithPath: run + "/config.json"))
        #expect(saved.model.puzzleIdentifiers == 21)

        // An explicit table smaller than the data: an error naming both numbers.
        let tooSmall = try Self.smallConfig(in: dir, keep: ["puzzleIdentifiers": 8])
        let (s2, refused) = try TRMExecutable.run(["train", "--config", tooSmall, "--data", train, "--steps", "1", "--out", dir.file("x").path, "--quiet"])
        #expect(s2 != 0 && s2 < 128)
        #expect(refused.contains("8 rows") && refused.contains("21 puzzle identifiers"), "\(refused)")

        // A small config sized from the data trains, evaluates with voting over the versions.
        let config = try Self.smallConfig(in: dir)
        let small = dir.file("small-run").path
        let (s3, smallOut) = try TRMExecutable.run(["train", "--config", config, "--data", train, "--test-data", test, "--steps", "2",
                                                    "--batch-size", "4", "--eval-interval", "0", "--out", small, "--quiet"])
        #expect(s3 == 0, "\(smallOut)")
        let (s4, evaluated) = try TRMExecutable.run(["eval", "--model", small, "--data", test, "--protocol", "all", "--out", dir.file("eval").path])
        #expect(s4 == 0, "\(evaluated)")
        #expect(evaluated.contains("pass@1") && evaluated.contains("pass@2") && evaluated.contains("over 2 tasks (2 test inputs, 8 predictions"), "\(evaluated)")

        // Evaluated on data built with more tasks: the identifiers it has no row for are named.
        let bigger = try Self.tasks(6, in: dir, name: "more-training")
        let otherTrain = dir.file("other.trmd").path, otherTest = dir.file("other-test.trmd").path
        let (s5, _) = try TRMExecutable.run(["data", "build", bigger, "--arc-evaluation", evaluation, "--arc-versions", "4",
                                             "-o", otherTrain, "--test-output", otherTest])
        #expect(s5 == 0)
        let (s6, unknown) = try TRMExecutable.run(["eval", "--model", small, "--data", otherTest, "--out", dir.file("eval2").path])
        #expect(s6 != 0 && s6 < 128)
        // The evaluation tasks come after the 6 training tasks: identity identifiers 25 and 29.
        #expect(unknown.contains("2 puzzle identifiers") && unknown.contains("25, 29") && unknown.contains("0..<21"), "\(unknown)")
    }

    @Test func gridConfigWithoutSizesTakesTheData() throws {
        let dir = TestDirectory()
        let grid = dir.file("task.jsonl")
        try """
        {"format": "trm-grid", "alphabet": ".ab", "rows": 2, "cols": 3, "augment": {"symmetries": ["identity", "rotate180"], "permute": ["ab"]}}
        {"id": "p", "input": "a.b...", "target": "abbaab"}
        {"id": "q", "input": "..b.a.", "target": "bbbaaa"}
        """.write(to: grid, atomically: true, encoding: .utf8)
        let config = try Self.smallConfig(in: dir)
        let run = dir.file("grid-run").path
        let saved = try Self.trainOneStep(config: config, data: grid.path, run: run)
        #expect(saved.model.seqLen == 6 && saved.model.vocabSize == 4 && saved.model.puzzleIdentifiers == 3)
        // The header's augmentation: evaluation votes over versions of each puzzle.
        let (s1, voted) = try TRMExecutable.run(["eval", "--model", run, "--data", grid.path, "--vote-versions", "4", "--out", dir.file("eval").path])
        #expect(s1 == 0 && voted.contains("grid voting over 4 versions") && voted.contains("of 2 puzzles"), "\(voted)")
        // An explicit vocabulary smaller than the data's names both.
        let small = try Self.smallConfig(in: dir, keep: ["vocabSize": 3])
        let (s2, refused) = try TRMExecutable.run(["train", "--config", small, "--data", grid.path, "--steps", "1", "--out", dir.file("y").path, "--quiet"])
        #expect(s2 != 0 && refused.contains("3 tokens") && refused.contains("uses 4"), "\(refused)")
        // An explicit sequence length other than the data's names both.
        let sudokuLength = try Self.smallConfig(in: dir, keep: ["seqLen": 81])
        let (s3, wrongLength) = try TRMExecutable.run(["train", "--config", sudokuLength, "--data", grid.path, "--steps", "1", "--out", dir.file("z").path, "--quiet"])
        #expect(s3 != 0 && s3 < 128 && wrongLength.contains("sequence length is 81") && wrongLength.contains("6 cells"), "\(wrongLength)")
        // Test data of another shape than the training data: both lengths named.
        let square = dir.file("square.jsonl")
        try """
        {"format": "trm-grid", "alphabet": ".ab", "rows": 2, "cols": 2}
        {"id": "r", "input": "a..b", "target": "abba"}
        """.write(to: square, atomically: true, encoding: .utf8)
        let (s4, mixed) = try TRMExecutable.run(["train", "--config", config, "--data", grid.path, "--test-data", square.path, "--steps", "1",
                                                 "--out", dir.file("w").path, "--quiet"])
        #expect(s4 != 0 && s4 < 128 && mixed.contains("6 cells per puzzle, the test data 4"), "\(mixed)")
    }
}
