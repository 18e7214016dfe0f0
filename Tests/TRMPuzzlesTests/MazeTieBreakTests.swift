// Tie-break rules: which shortest path a label marks, finding the rule a data set follows, and the
// sample stream relabelling rotated or mirrored copies by it.

import Foundation
import TRMTestSupport
import Testing
@testable import TRMPuzzles

@Suite struct MazeTieBreakTests {
    /// Random-wall 8x8 mazes, most with several shortest paths, labelled by the generator's rule.
    static func generatedMazes(_ count: Int, seed: UInt64 = 7) throws -> [MazeRecord] {
        var rng = DeterministicRandom(seed: seed)
        return try (0..<count).map { _ in try MazeGenerator.generate(MazeGeneratorOptions(side: 8, minPathCells: 12), using: &rng) }
    }

    @Test func fortyEightRulesEachGivingAShortestPath() throws {
        #expect(MazeTieBreak.all.count == 48 && Set(MazeTieBreak.all).count == 48)
        #expect(MazeTieBreak.all[0] == .generator && MazeTieBreak.all[1] == .mazeHard)
        #expect(MazeTieBreak.mazeHard.description == "from S: down, left, right, up")
        for m in try Self.generatedMazes(20) {
            #expect(MazeSolver.solve(m.question) == m.answer, "the generator's labels are its rule's")
            var answers = Set<MazeGrid>()
            for rule in MazeTieBreak.all {
                let a = try #require(rule.answer(m.question))
                #expect(MazeSolver.answerProblem(question: m.question, answer: a) == nil, "\(rule)")
                answers.insert(a)
            }
            // The rules pick different paths exactly when there are several.
            #expect((answers.count > 1) == (MazeSolver.shortestPathCount(m.question) > 1))
        }
        // Pinned by hand on an open 3x3 room (6 shortest paths): the generator's rule goes back from
        // G up first, Maze-Hard's from S down first.
        let room = try MazeGrid.parse("S       G", allowPath: false).get()
        #expect(MazeSolver.solve(room)?.line == "Soo  o  G")
        #expect(MazeTieBreak.mazeHard.answer(room)?.line == "S  o  ooG")
        let walledOff = try MazeGrid.parse("S# ##   G", allowPath: false).get()
        #expect(MazeTieBreak.mazeHard.answer(walledOff) == nil)
        // The token-level relabelling leaves the label alone when there is no path.
        var label: [Int32] = [9, 9, 9, 9, 9, 9, 9, 9, 9]
        let tokens = walledOff.tokens
        #expect(!tokens.withUnsafeBufferPointer { i in label.withUnsafeMutableBufferPointer {
            MazeTieBreak.generator.relabel(input: i.baseAddress!, side: 3, into: $0.baseAddress!) } })
        #expect(label == [Int32](repeating: 9, count: 9))
    }

    @Test func detectFindsTheRuleTheLabelsFollow() throws {
        let records = try Self.generatedMazes(60)
        #expect(MazeTieBreak.detect(PuzzleDataset.maze(records)) == .generator)
        let relabelled = try records.map { MazeRecord(question: $0.question, answer: try #require(MazeTieBreak.mazeHard.answer($0.question))) }
        #expect(MazeTieBreak.detect(PuzzleDataset.maze(relabelled)) == .mazeHard)
        // Labels that follow no single rule: half by one, half by another (where they differ).
        let mixed = records.enumerated().map { i, r in i % 2 == 0 ? r : relabelled[i] }
        #expect(MazeTieBreak.detect(PuzzleDataset.maze(mixed)) == nil)
        // Mazes with one shortest path each: nothing to relabel.
        var rng = DeterministicRandom(seed: 3)
        let unique = try (0..<10).map { _ in
            try MazeGenerator.generate(MazeGeneratorOptions(side: 8, minPathCells: 16, uniqueShortestPath: true), using: &rng)
        }
        #expect(MazeTieBreak.detect(PuzzleDataset.maze(unique)) == nil)
        // One-path mazes first, then mazes with a choice: judged by the latter, however many come first.
        #expect(MazeTieBreak.detect(PuzzleDataset.maze(Array(repeating: unique, count: 500).flatMap { $0 } + records)) == .generator)
    }

    @Test func mazeHardLabelsFollowOneRule() throws {
        let path = SharedData.root.appendingPathComponent("maze-30x30-hard/test.csv").path
        guard FileManager.default.fileExists(atPath: path) else { return }  // ../shared absent
        let data = try PuzzleLoader.load(paths: [path]).dataset
        #expect(data.count == 800)
        #expect(MazeTieBreak.detect(data, rows: 800) == .mazeHard)
    }

    @Test func theStreamRelabelsTurnedCopiesByTheDataRule() throws {
        let records = try Self.generatedMazes(30)
        for (rule, data) in [(MazeTieBreak.generator, PuzzleDataset.maze(records)),
                             (.mazeHard, PuzzleDataset.maze(try records.map { MazeRecord(question: $0.question, answer: try #require(MazeTieBreak.mazeHard.answer($0.question))) }))] {
            var stream = SampleStream(dataset: data, seed: 5)
            #expect(stream.mazeLabelRule == rule)
            let b = SampleStreamTests.take(&stream, [64])
            var plainCopyDiffers = false
            for i in 0..<64 {
                let q = try #require(MazeGrid(tokens: Array(b.inputs[(i * 64)..<((i + 1) * 64)])))
                let label = Array(b.labels[(i * 64)..<((i + 1) * 64)])
                #expect(try #require(rule.answer(q)).tokens == label, "every copy carries the rule's label for the maze as shown")
                // The turned label without relabelling: some copies would have taught another path.
                let row = try #require((0..<data.count).first { r in
                    Dihedral.allCases.contains { d in d.apply(Array(data.input(r)), rows: 8, cols: 8) == q.tokens }
                })
                let d = try #require(Dihedral.allCases.first { $0.apply(Array(data.input(row)), rows: 8, cols: 8) == q.tokens })
                if d.apply(Array(data.label(row)), rows: 8, cols: 8) != label { plainCopyDiffers = true }
            }
            #expect(plainCopyDiffers)
        }
        // Without augmentation nothing is relabelled.
        let plain = SampleStream(dataset: PuzzleDataset.maze(records), seed: 5, options: .forDataset(PuzzleDataset.maze(records), augment: false))
        #expect(plain.mazeLabelRule == nil)
    }
}
