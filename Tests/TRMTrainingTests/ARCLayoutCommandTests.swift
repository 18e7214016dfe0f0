// ARC through the built executable, continued: a random-weight ARC preset solves an ARC task (its
// puzzle-embedding table, sized from data in training, gets a placeholder); a model records its
// training data's identifier layout and `trm eval` refuses a test file built with another one.
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
        let (s1, trained) = try TRMExecutable.run(["train", "--config", config, "--data", eight.train, "--steps", "1", "--batch-size", "2",
                                                   "--eval-interval", "0", "--out", run, "--quiet"])
        #expect(s1 == 0, "\(trained)")
        let saved = try RunConfig.load(from: URL(fileURLWithPath: run + "/config.json"))
        let layout = try #require(saved.model.puzzleIdentifierLayout)
        #expect(layout.versionsPerTask == 8 && layout.tasks == 5 && layout.seed == 0 && layout.tasksHash.count == 16)
        #expect(saved.model.puzzleIdentifiers == 41)

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
}
