// ARCVotingEvaluator end to end with known predictions: every version of every test input is
// expanded from the test file's version table, "predicted" by a stand-in that answers each version
// in its own (augmented) space, cropped, undone and voted; right answers must score pass@1 100%
// even when one version in four is wrong and the right ones carry a stray colour past the grid.
import Foundation
import Testing
@testable import TRMTraining
import TRMModels
import TRMPuzzles

@Suite struct ARCVotingEvaluatorTests {
    static func grid(_ rows: [[Int]]) -> ARCGrid { try! ARCGrid.make(rows).get() }

    /// Two evaluation tasks with 3x3 test answers using several colours (so the versions differ),
    /// one training task.
    static func build(versions: Int) throws -> ARCBuild {
        func task(_ id: String, _ k: Int) -> ARCTask {
            let input = grid([[k, 0, 1], [2, k, 0], [0, 3, k]]), output = grid([[1, 2, 3], [4, 5, k], [0, 6, 7]])
            return ARCTask(id: id, train: [ARCPair(input: input, output: output)], test: [ARCPair(input: input, output: output)])
        }
        return try ARCDatasetBuilder.build(training: [task("train", 6)], evaluation: [task("eval-a", 8), task("eval-b", 9)],
                                           options: ARCBuildOptions(versionsPerTask: versions))
    }

    @Test func rightPredictionsScoreFullMarks() throws {
        let build = try Self.build(versions: 4)
        let test = build.test
        let layout = try #require(try ARCTaskLayout.of(test))
        var versionsSeen = Set<Int>()
        let result = try ARCVotingEvaluator.evaluate(dataset: test, name: "test set", options: ARCVotingOptions(batchSize: 3), progress: nil) { batch in
            let s = batch.tokens.shape[1]
            var out: [Int32] = []
            for r in 0..<batch.size {
                let version = try #require(layout.split(batch.puzzleIdentifiers[r])).version
                versionsSeen.insert(version)
                // The version's own answer: its label, ignore cells as pad.
                var tokens = batch.labels.values[(r * s)..<((r + 1) * s)].map { $0 == PuzzleDataset.ignoreLabel ? ARCCanvas.padToken : $0 }
                if version == 1 {
                    tokens = ARCCanvas.encode(Self.grid([[5, 5], [5, 5]]))  // a wrong vote
                } else {
                    tokens[3] = 2 + 4  // a stray colour over row 0's end marker, as models write
                }
                out += tokens
            }
            return (out, [Float](repeating: 0, count: batch.size))
        }
        #expect(versionsSeen == [0, 1, 2, 3])
        #expect(result.predictions == 2 * 4)
        #expect(result.testInputs == 2 && result.emptyPredictions == 0)
        #expect(result.passAt1.score == 1 && result.passAt1.tasks == 2, "\(result.summary)")
        #expect(result.passAt2.score == 1)
    }

    @Test func emptyPredictionsVoteAndScoreNothing() throws {
        let test = try Self.build(versions: 2).test
        let result = try ARCVotingEvaluator.evaluate(dataset: test, name: "test set", options: ARCVotingOptions(), progress: nil) { batch in
            ([Int32](repeating: ARCCanvas.padToken, count: batch.size * batch.tokens.shape[1]), [Float](repeating: 0, count: batch.size))
        }
        #expect(result.predictions == 4 && result.emptyPredictions == 4)
        #expect(result.passAt1.score == 0 && result.passAt2.score == 0 && result.passAt2.tasks == 2)
        #expect(result.summary.contains("4 empty"))
    }
}
