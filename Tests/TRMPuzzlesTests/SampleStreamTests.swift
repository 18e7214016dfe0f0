// The training sample stream: determinism, bit-identical resumption, valid augmented samples.
import Foundation
import Testing
@testable import TRMPuzzles

@Suite struct SampleStreamTests {
    struct Batch: Equatable {
        var inputs: [Int32] = [], labels: [Int32] = [], ids: [Int32] = []
    }

    static func take(_ stream: inout SampleStream, _ sizes: [Int]) -> Batch {
        var all = Batch()
        for n in sizes {
            var b = Batch()
            stream.nextBatch(batchSize: n, inputs: &b.inputs, labels: &b.labels, puzzleIdentifiers: &b.ids)
            all.inputs += b.inputs; all.labels += b.labels; all.ids += b.ids
        }
        return all
    }

    static let sudoku = StreamBenchmark.syntheticSudoku(count: 37)

    @Test func sameSeedAndPositionGiveTheSameSamples() {
        var a = SampleStream(dataset: Self.sudoku, seed: 5)
        var b = SampleStream(dataset: Self.sudoku, seed: 5)
        #expect(Self.take(&a, [16, 16]) == Self.take(&b, [16, 16]))
        var c = SampleStream(dataset: Self.sudoku, seed: 6)
        var d = SampleStream(dataset: Self.sudoku, seed: 5)
        #expect(Self.take(&c, [16]) != Self.take(&d, [16]))
    }

    @Test func resumingFromASavedPositionIsBitIdentical() throws {
        var whole = SampleStream(dataset: Self.sudoku, seed: 9)
        let reference = Self.take(&whole, [30, 30, 30])  // crosses epoch boundaries (37 examples)
        var first = SampleStream(dataset: Self.sudoku, seed: 9)
        let head = Self.take(&first, [7, 20])
        let saved = try JSONEncoder().encode(first.state)
        let state = try JSONDecoder().decode(SampleStreamState.self, from: saved)
        #expect(state.position == 27)
        var resumed = SampleStream(dataset: Self.sudoku, state: state, threads: 2)
        let tail = Self.take(&resumed, [63])
        #expect(head.inputs + tail.inputs == reference.inputs)
        #expect(head.labels + tail.labels == reference.labels)
        #expect(head.ids + tail.ids == reference.ids)
    }

    @Test func threadsDoNotChangeTheSamples() {
        var one = SampleStream(dataset: Self.sudoku, seed: 1, threads: 1)
        var four = SampleStream(dataset: Self.sudoku, seed: 1, threads: 4)
        #expect(Self.take(&one, [200]) == Self.take(&four, [200]))
    }

    @Test func eachEpochVisitsEveryExampleOnce() {
        var s = SampleStream(dataset: Self.sudoku, seed: 2, options: {
            var o = AugmentationOptions(); o.sudoku = false; return o
        }())
        let b = Self.take(&s, [37])
        var seen = Set<[Int32]>()
        for i in 0..<37 { seen.insert(Array(b.inputs[(i * 81)..<((i + 1) * 81)])) }
        let all = Set((0..<37).map { Array(Self.sudoku.input($0)) })
        #expect(seen == all)
        var plain = SampleStream(dataset: Self.sudoku, seed: 2, options: .none)
        #expect(Self.take(&plain, [37]).inputs == Self.sudoku.inputs)
    }

    @Test func augmentedSudokuSamplesStayValid() {
        var s = SampleStream(dataset: Self.sudoku, seed: 3)
        let b = Self.take(&s, [100])
        for i in 0..<100 {
            let q = SudokuGrid(tokens: Array(b.inputs[(i * 81)..<((i + 1) * 81)]))!
            let a = SudokuGrid(tokens: Array(b.labels[(i * 81)..<((i + 1) * 81)]))!
            #expect(q.completionProblem(a) == nil)
        }
        #expect(b.inputs != Array(Self.sudoku.inputs.prefix(8100)))
    }

    @Test func augmentedMazeSamplesStayValid() throws {
        var rng = DeterministicRandom(seed: 8)
        let records = try (0..<3).map { _ in try MazeGenerator.generate(MazeGeneratorOptions(side: 12, wallDensity: 0.3, minPathCells: 19), using: &rng) }
        let d = PuzzleDataset.maze(records)
        var s = SampleStream(dataset: d, seed: 4)
        let b = Self.take(&s, [40])
        var distinct = Set<[Int32]>()
        for i in 0..<40 {
            let q = MazeGrid(tokens: Array(b.inputs[(i * 144)..<((i + 1) * 144)]))!
            let a = MazeGrid(tokens: Array(b.labels[(i * 144)..<((i + 1) * 144)]))!
            #expect(MazeSolver.answerProblem(question: q, answer: a) == nil)
            distinct.insert(q.tokens)
        }
        #expect(distinct.count > 8)
    }

    @Test func noAugmentationGivesTheRowsAsTheyAreShuffled() throws {
        var rng = DeterministicRandom(seed: 8)
        let records = try (0..<5).map { _ in try MazeGenerator.generate(MazeGeneratorOptions(side: 12, wallDensity: 0.3, minPathCells: 19), using: &rng) }
        let d = PuzzleDataset.maze(records)
        let off = AugmentationOptions.forDataset(d, augment: false)
        #expect(!off.mazeDihedral && !off.sudoku && !off.arcVersions && off.shuffle)
        #expect(AugmentationOptions.forDataset(d, augment: nil) == AugmentationOptions())
        #expect(AugmentationOptions.forDataset(d, augment: true) == AugmentationOptions())
        var s = SampleStream(dataset: d, seed: 4, options: off)
        let b = Self.take(&s, [20])
        let rows = (0..<5).map { (Array(d.input($0)), Array(d.label($0))) }
        for epoch in 0..<4 {
            // Each epoch of 5 samples is the 5 rows, untransformed, in some order.
            var seen: [Int] = []
            for i in (epoch * 5)..<(epoch * 5 + 5) {
                let input = Array(b.inputs[(i * 144)..<((i + 1) * 144)]), label = Array(b.labels[(i * 144)..<((i + 1) * 144)])
                let row = try #require(rows.firstIndex { $0.0 == input })
                #expect(rows[row].1 == label)
                seen.append(row)
            }
            #expect(seen.sorted() == [0, 1, 2, 3, 4])
        }
    }

    @Test func arcSamplesAreTranslatedCopies() throws {
        let task = ARCTask(id: "t", train: [ARCPair(input: try ARCGrid.make([[1, 2], [3, 4]]).get(), output: try ARCGrid.make([[5]]).get())], test: [])
        let build = try ARCDatasetBuilder.build(training: [task], evaluation: [], options: ARCBuildOptions(versionsPerTask: 1))
        var s = SampleStream(dataset: build.train, seed: 1)
        let b = Self.take(&s, [20])
        for i in 0..<20 {
            let input = Array(b.inputs[(i * 900)..<((i + 1) * 900)])
            let first = input.firstIndex { $0 != 0 }!
            let shifted = Array(input[first...]) + [Int32](repeating: 0, count: first)
            #expect(ARCCanvas.crop(shifted) == task.train[0].input)
            let label = Array(b.labels[(i * 900)..<((i + 1) * 900)])
            #expect(label[first] == 7)  // colour 5 at the same offset
        }
    }
}
