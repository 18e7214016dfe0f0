// The identifier layout a model records from its ARC training data: the same for the same build,
// different when versions, seed or task list differ; data of another layout (or of none, with
// identifiers other than 0) is refused; resuming a checkpoint saved before layouts were recorded
// still works, while resuming with data of another layout is refused.
import Foundation
import Testing
@testable import TRMTraining
import TRMModels
import TRMPuzzles

@Suite struct IdentifierLayoutTests {
    static func task(_ id: String, _ colour: Int) -> ARCTask {
        let g = try! ARCGrid.make([[colour, 0], [0, 1]]).get()
        return ARCTask(id: id, train: [ARCPair(input: g, output: g)], test: [ARCPair(input: g, output: g)])
    }

    static func layout(versions: Int = 4, seed: UInt64 = 0, ids: [String] = ["a", "b"]) throws -> PuzzleIdentifierLayout {
        let build = try ARCDatasetBuilder.build(training: ids.enumerated().map { task($1, $0 + 2) }, evaluation: [],
                                                options: ARCBuildOptions(versionsPerTask: versions, seed: seed))
        return try #require(build.train.identifierLayout)
    }

    @Test func layoutsFollowVersionsSeedAndTasks() throws {
        let base = try Self.layout()
        #expect(try Self.layout() == base)
        #expect(base.versionsPerTask == 4 && base.tasks == 2 && base.tasksHash.count == 16)
        #expect(try Self.layout(versions: 8) != base)
        #expect(try Self.layout(seed: 1) != base)
        #expect(try Self.layout(ids: ["a", "c"]).tasksHash != base.tasksHash)
        let message = try #require(base.mismatch(with: try Self.layout(seed: 1)))
        #expect(message.contains("seed 1 instead of 0") && message.contains("--seed"), "\(message)")
        #expect(base.mismatch(with: base) == nil)
    }

    @Test func dataOfAnotherLayoutOrNoneIsRefused() throws {
        var config = ModelConfig()
        config.seqLen = 900; config.vocabSize = 12; config.puzzleIdentifiers = 100
        config.puzzleIdentifierLayout = try Self.layout(versions: 8)
        let four = try ARCDatasetBuilder.build(training: [Self.task("a", 2), Self.task("b", 3)], evaluation: [],
                                               options: ARCBuildOptions(versionsPerTask: 4)).train
        #expect(four.problem(for: config)?.contains("4 versions per task") == true)
        // The same rows without the layout: identifiers other than 0 mean unknown rows.
        var bare = four
        bare.metadata[ARCTaskLayout.metadataKey] = nil
        #expect(bare.problem(for: config)?.contains("has no ARC layout") == true)
        bare.puzzleIdentifiers = bare.puzzleIdentifiers.map { _ in 0 }
        #expect(bare.problem(for: config) == nil)
        // A model without a recorded layout is not checked.
        config.puzzleIdentifierLayout = nil
        #expect(four.problem(for: config) == nil)
    }

    @Test func resumeComparesLayoutsOnlyWhenBothAreRecorded() throws {
        var saved = try RunConfig.preset("trm-att-sudoku-small")
        var now = saved
        now.model.puzzleIdentifierLayout = try Self.layout()
        #expect(now.resumeProblem(from: saved) == nil, "a checkpoint from before layouts were recorded")
        saved.model.puzzleIdentifierLayout = try Self.layout(versions: 8)
        #expect(now.resumeProblem(from: saved)?.contains("identifier layout") == true)
        saved.model.puzzleIdentifierLayout = now.model.puzzleIdentifierLayout
        #expect(now.resumeProblem(from: saved) == nil)
    }
}
