// ARC versions made while training streams: the version table is a pure function of (seed, task,
// version); each version's identifier is the same whatever the batch sizes, threads or run; the
// dataset holds each pair once, so more versions per task cost no dataset memory.
import Foundation
import Testing
@testable import TRMPuzzles

private func grid(_ rows: [[Int]]) -> ARCGrid { try! ARCGrid.make(rows).get() }

@Suite struct ARCVersionStreamTests {
    static let tasks = [
        ARCTask(id: "a", train: [ARCPair(input: grid([[1, 2, 0], [3, 4, 5]]), output: grid([[5, 4], [3, 2], [1, 0]]))],
                test: [ARCPair(input: grid([[6, 7]]), output: grid([[7], [6]]))]),
        ARCTask(id: "b", train: [ARCPair(input: grid([[8, 0], [0, 9]]), output: grid([[9]])), ARCPair(input: grid([[1]]), output: grid([[1, 1]]))],
                test: [ARCPair(input: grid([[2, 2]]), output: nil)]),
        ARCTask(id: "c", train: [ARCPair(input: grid([[3]]), output: grid([[3, 3]]))], test: []),
    ]

    static func build(_ versions: Int, seed: UInt64 = 5) throws -> ARCBuild {
        try ARCDatasetBuilder.build(training: tasks, evaluation: [], options: ARCBuildOptions(versionsPerTask: versions, seed: seed))
    }

    @Test func versionTableIsAPureFunctionOfSeedTaskAndVersion() throws {
        let layout = try Self.build(1000).layout
        let one = ARCVersionTable(layout), two = ARCVersionTable(layout)
        #expect(one.counts == two.counts)
        for t in 0..<3 {
            #expect(one.version(task: t, 0) == .identity)
            for k in stride(from: 0, to: Int(one.counts[t]), by: 37) { #expect(one.version(task: t, k) == two.version(task: t, k)) }
        }
        // Task a uses 7 colours: 1000 distinct versions. Task c uses one: 8 dihedrals x 9 colours.
        #expect(one.counts[0] == 1000)
        #expect(one.counts[2] == 72)
        // Distinct on the task's colours.
        var seen = Set<[UInt8]>()
        for k in 0..<Int(one.counts[0]) {
            let v = one.version(task: 0, k)
            #expect(seen.insert([UInt8(v.dihedral.rawValue)] + (1...7).map { v.colours[$0] }).inserted)
        }
        // Another seed, other versions.
        let other = ARCVersionTable(try Self.build(1000, seed: 6).layout)
        #expect((1..<50).contains { other.version(task: 0, $0) != one.version(task: 0, $0) })
        // The versions of a task do not depend on how many versions per task were asked for.
        let eight = ARCVersionTable(try Self.build(8).layout)
        for k in 0..<8 { #expect(eight.version(task: 0, k) == one.version(task: 0, k)) }
    }

    @Test func moreVersionsCostNoDatasetMemory() throws {
        let few = try Self.build(8), many = try Self.build(1000)
        #expect(few.train.inputs.count == many.train.inputs.count)
        #expect(few.train.count == 5)  // every pair once (b's hidden test answer is not training data)
        #expect(many.train.numPuzzleIdentifiers == 3 * 1000 + 1)
        #expect(ARCVersionTable(many.layout).byteCount < 3 * 1000 * 12)
    }

    @Test func identifiersAreStableAcrossBatchSizesThreadsAndRuns() throws {
        let data = try Self.build(1000).train
        var a = SampleStream(dataset: data, seed: 9)
        var b = SampleStream(dataset: data, seed: 9, threads: 4)
        let x = SampleStreamTests.take(&a, [7, 13, 1, 107])
        let y = SampleStreamTests.take(&b, [128])
        #expect(x == y)
        var c = SampleStream(dataset: data, seed: 9, position: 20)
        #expect(SampleStreamTests.take(&c, [108]).ids == Array(x.ids[20...]))
        // Many distinct identifiers, all inside the table, all of the row's task.
        #expect(Set(x.ids).count > 60)
        #expect(x.ids.allSatisfy { $0 >= 1 && Int($0) < data.numPuzzleIdentifiers })
        // A fixed expectation: the same on every machine and run (pure integer arithmetic).
        #expect(Array(x.ids.prefix(6)) == [1776, 613, 1576, 2012, 776, 1661], "\(Array(x.ids.prefix(6)))")
    }

    @Test func eachSampleIsItsIdentifiersVersionOfTheRow() throws {
        let build = try Self.build(1000)
        var options = AugmentationOptions()
        options.arcTranslation = false
        options.shuffle = false
        var s = SampleStream(dataset: build.train, seed: 3, options: options)
        let n = build.train.count
        let out = SampleStreamTests.take(&s, [n * 6])
        for i in 0..<(n * 6) {
            let row = i % n
            let v = try #require(build.version(of: out.ids[i]))
            #expect(v.taskID == build.version(of: build.train.puzzleIdentifiers[row])!.taskID)
            let original = ARCCanvas.crop(Array(build.train.input(row)))!
            #expect(ARCCanvas.crop(Array(out.inputs[(i * 900)..<((i + 1) * 900)])) == v.version.apply(original))
            let label = out.labels[(i * 900)..<((i + 1) * 900)].map { $0 == PuzzleDataset.ignoreLabel ? 0 : $0 }
            let answer = ARCCanvas.crop(Array(build.train.label(row)).map { $0 == PuzzleDataset.ignoreLabel ? 0 : $0 })!
            #expect(v.version.undo(ARCCanvas.crop(label)!) == answer)
        }
        // Without versions (evaluation order), the rows come back as stored: identity, own identifiers.
        var plain = SampleStream(dataset: build.train, seed: 3, options: .none)
        let p = SampleStreamTests.take(&plain, [n])
        #expect(p.ids == build.train.puzzleIdentifiers && p.inputs == build.train.inputs)
    }

    @Test func filesBuiltWithVersionsAsRowsStillStream() throws {
        // The layout before on-the-fly versions: rows per version, the table in "arc.versions".
        var old = try Self.build(1).train
        old.metadata = ["arc.versions": "[]"]
        #expect(try ARCTaskLayout.of(old) == nil)
        var s = SampleStream(dataset: old, seed: 1)
        let b = SampleStreamTests.take(&s, [10])
        #expect(Set(b.ids).isSubset(of: Set(old.puzzleIdentifiers)))
        // A damaged table is an error that says to rebuild.
        var damaged = old
        damaged.metadata[ARCTaskLayout.metadataKey] = "{\"versionsPerTask\": 0}"
        #expect { try ARCTaskLayout.of(damaged) } throws: { ($0 as? DataError)?.description.contains("rebuild") == true }
    }
}
