// ARC: loading every shared task file, the token canvas, augmentation and its inverse, voting and
// pass@k scoring, and the train/evaluation leakage guard.
import TRMTestSupport
import Foundation
import Testing
@testable import TRMPuzzles

private func grid(_ rows: [[Int]]) -> ARCGrid { try! ARCGrid.make(rows).get() }

@Suite struct ARCLoaderTests {
    /// This test's own folder, removed when the test ends.
    let dir = TestDirectory()

    @Test(.enabled(if: ["arc-agi-1", "arc-agi-2", "conceptarc/corpus"].allSatisfy(SharedData.exists)), arguments: [
        ("arc-agi-1/training", 400), ("arc-agi-1/evaluation", 400),
        ("arc-agi-2/training", 1000), ("arc-agi-2/evaluation", 120), ("conceptarc/corpus", 160),
    ])
    func loadsEverySharedTaskFile(_ folder: String, _ expected: Int) throws {
        let path = try #require(SharedData.path(folder))
        let tasks = try ARCTaskLoader.loadFolder(path)
        #expect(tasks.count == expected)
        for task in tasks {
            #expect(!task.train.isEmpty && !task.test.isEmpty, "\(task.id)")
            for pair in task.train + task.test {
                // Every grid survives the canvas round trip.
                #expect(ARCCanvas.crop(ARCCanvas.encode(pair.input)) == pair.input, "\(task.id)")
                if let out = pair.output { #expect(ARCCanvas.crop(ARCCanvas.encode(out)) == out) }
            }
        }
    }

    @Test func rejectsBadTaskFiles() {
        let bad: [(String, String)] = [
            (#"{"train": [], "test": [{"input": [[1, 2], [3]]}]}"#, "row 1 has 1 cells"),
            (#"{"train": [{"input": [[10]], "output": [[1]]}], "test": []}"#, "outside 0...9"),
            (#"{"train": [{"input": [[1]]}], "test": []}"#, "has no output"),
            (#"{"train": [{"input": [], "output": [[1]]}], "test": []}"#, "empty grid"),
            (#"{"tests": []}"#, "not an ARC task"),
            ("not json", "not an ARC task"),
            (#"{"train": [], "test": []}"#, "no puzzle rows"),
        ]
        for (json, reason) in bad {
            do {
                _ = try ARCTaskLoader.parse(Data(json.utf8), id: "x", file: "x.json")
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.description.contains(reason), "\(error.description)")
                #expect(error.description.contains("x.json"))
            }
        }
        let big = "[" + Array(repeating: "[" + Array(repeating: "0", count: 31).joined(separator: ",") + "]", count: 2).joined(separator: ",") + "]"
        #expect(throws: DataError.self) { try ARCTaskLoader.parse(Data(#"{"train": [], "test": [{"input": \#(big)}]}"#.utf8), id: "x", file: "x.json") }
        #expect(throws: DataError.self) { try ARCTaskLoader.loadFolder("/nonexistent/folder") }
    }

    @Test func skipInvalidCountsBadTaskFiles() throws {
        let folder = dir.file("arc").path
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try Data(#"{"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}"#.utf8).write(to: URL(fileURLWithPath: folder + "/a.json"))
        try Data(#"{"train": "#.utf8).write(to: URL(fileURLWithPath: folder + "/sub/b.json"))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        #expect { try ARCTaskLoader.loadFolder(folder) } throws: { ($0 as? DataError)?.description.contains("b.json") == true }
        var report = SkipReport()
        let tasks = try ARCTaskLoader.loadFolder(folder, skipInvalid: true, report: &report)
        #expect(tasks.map(\.id) == ["a"] && report.accepted == 1 && report.skipped == 1)
        let loaded = try PuzzleLoader.load(paths: [folder], options: LoadOptions(skipInvalid: true, arc: ARCBuildOptions(versionsPerTask: 2)))
        // One demonstration pair stored once; its 2 versions are made while streaming.
        #expect(loaded.dataset.kind == .arc && loaded.dataset.count == 1 && loaded.dataset.numPuzzleIdentifiers == 3 && loaded.report.skipped == 1)
    }
}

@Suite struct ARCCanvasTests {
    @Test func encodesWithEndMarkers() {
        let g = grid([[0, 1, 2], [3, 4, 5]])
        let t = ARCCanvas.encode(g)
        #expect(Array(t[0..<4]) == [2, 3, 4, 1])
        #expect(Array(t[30..<34]) == [5, 6, 7, 1])
        #expect(Array(t[60..<64]) == [1, 1, 1, 1])
        #expect(t[64] == 0 && t[90] == 0)
        let labels = ARCCanvas.labels(g)
        #expect(labels[64] == PuzzleDataset.ignoreLabel && labels[63] == 1)
        // A full 30x30 grid has no room for markers.
        let full = ARCGrid(rows: 30, cols: 30, cells: [UInt8](repeating: 9, count: 900))
        #expect(ARCCanvas.encode(full).allSatisfy { $0 == 11 })
        #expect(ARCCanvas.crop(ARCCanvas.encode(full)) == full)
    }

    @Test func cropRejectsNonRectangularPredictions() {
        var t = ARCCanvas.encode(grid([[1, 1], [1, 1]]))
        t[31] = 0  // a hole inside the grid
        #expect(ARCCanvas.crop(t) == nil)
        #expect(ARCCanvas.crop([Int32](repeating: 0, count: 900)) == nil)
        #expect(ARCCanvas.crop([Int32](repeating: 2, count: 10)) == nil)
    }

    @Test func translationMovesInputAndLabelTogether() {
        let input = ARCCanvas.encode(grid([[1, 2, 3], [4, 5, 6]]))
        let label = ARCCanvas.labels(grid([[7, 8], [9, 1], [2, 3], [4, 5]]))
        var rng = DeterministicRandom(seed: 3)
        var offsets = Set<Int>()
        for _ in 0..<50 {
            var outI = [Int32](repeating: 0, count: 900), outL = [Int32](repeating: 0, count: 900)
            input.withUnsafeBufferPointer { i in label.withUnsafeBufferPointer { l in
                outI.withUnsafeMutableBufferPointer { oi in outL.withUnsafeMutableBufferPointer { ol in
                    ARCCanvas.translate(input: i.baseAddress!, label: l.baseAddress!, rows: 30, cols: 30,
                                        into: oi.baseAddress!, label: ol.baseAddress!, using: &rng)
                } }
            } }
            let first = outI.firstIndex { $0 != 0 }!
            let (dy, dx) = (first / 30, first % 30)
            offsets.insert(first)
            // Shifting back gives the original canvas, for input and label alike.
            for r in 0..<30 { for c in 0..<30 {
                let from = (r + dy) * 30 + c + dx
                let inside = r + dy < 30 && c + dx < 30
                #expect((inside ? outI[from] : 0) == input[r * 30 + c])
                #expect((inside ? outL[from] : PuzzleDataset.ignoreLabel) == label[r * 30 + c])
            } }
        }
        #expect(offsets.count > 10)
    }
}

@Suite struct ARCAugmentationTests {
    @Test func versionsAreDistinctAndUndoable() throws {
        let task = ARCTask(id: "t", train: [ARCPair(input: grid([[0, 1, 2], [3, 0, 0]]), output: grid([[5], [6]]))],
                           test: [ARCPair(input: grid([[1, 1], [0, 2]]), output: grid([[7, 8, 9]]))])
        var rng = DeterministicRandom(seed: 1)
        let versions = ARCAugmenter.versions(of: task, count: 200, using: &rng)
        #expect(versions.count == 200)
        #expect(versions[0] == .identity)
        #expect(Set(versions.map { ARCAugmenter.contentHash($0.apply(task)) }).count == 200)
        for v in versions {
            for p in task.train + task.test {
                #expect(v.undo(v.apply(p.input)) == p.input)
                #expect(v.inverse.apply(v.apply(p.output!)) == p.output!)
            }
            #expect(v.apply(grid([[0]])) == grid([[0]]))  // background fixed
        }
    }

    @Test func versionTablesRejectBadColourMaps() throws {
        let good = try JSONEncoder().encode(ARCVersion.identity)
        #expect(try JSONDecoder().decode(ARCVersion.self, from: good) == .identity)
        let bad = Data(#"{"dihedral": 1, "colours": [1,0,2,3,4,5,6,7,8,9]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ARCVersion.self, from: bad) }
        let short = Data(#"{"dihedral": 9, "colours": [0,1,2,3,4,5,6,7,8,9]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ARCVersion.self, from: short) }
    }

    @Test func symmetricTasksYieldFewerVersions() {
        // One colour, one cell: every transform gives the same task up to the colour: 9 versions.
        let task = ARCTask(id: "s", train: [ARCPair(input: grid([[3]]), output: grid([[3]]))], test: [])
        var rng = DeterministicRandom(seed: 1)
        #expect(ARCAugmenter.versions(of: task, count: 1000, using: &rng).count == 9)
    }

    @Test(.enabled(if: SharedData.exists("arc-agi-1/training")))
    func inverseAugmentationRoundTripsOnRealTasks() throws {
        let path = try #require(SharedData.path("arc-agi-1/training"))
        let tasks = try ARCTaskLoader.loadFolder(path).prefix(60)
        var rng = DeterministicRandom(seed: 2)
        for task in tasks {
            for v in ARCAugmenter.versions(of: task, count: 8, using: &rng) {
                let aug = v.apply(task)
                for (p, q) in zip(task.train + task.test, aug.train + aug.test) {
                    // Through the canvas and back, as a model prediction would travel.
                    let predicted = ARCCanvas.encode(q.output!)
                    #expect(v.undo(ARCCanvas.crop(predicted)!) == p.output!, "\(task.id)")
                }
            }
        }
    }

    @Test func builderGivesEachVersionItsOwnIdentifier() throws {
        let t1 = ARCTask(id: "a", train: [ARCPair(input: grid([[1, 2]]), output: grid([[2, 1]]))],
                         test: [ARCPair(input: grid([[3, 4]]), output: grid([[4, 3]]))])
        let t2 = ARCTask(id: "b", train: [ARCPair(input: grid([[5]]), output: grid([[6]])), ARCPair(input: grid([[6]]), output: grid([[5]]))],
                         test: [ARCPair(input: grid([[7]]), output: grid([[8]]))])
        let build = try ARCDatasetBuilder.build(training: [t1], evaluation: [t2], options: ARCBuildOptions(versionsPerTask: 4, seed: 1))
        // 2 tasks x 4 versions, identifiers 1...8 (0 = none); the file holds each pair once.
        #expect(build.layout.tasks.map(\.id) == ["a", "b"])
        #expect(build.train.numPuzzleIdentifiers == 9 && build.test.numPuzzleIdentifiers == 9)
        // t1: 1 demo + 1 test pair (training tasks train on all their pairs); t2: 2 demos.
        #expect(build.train.count == 4)
        #expect(build.test.count == 1)
        #expect(build.train.consistencyProblem == nil && build.test.consistencyProblem == nil)
        #expect(build.train.puzzleIdentifiers == [1, 1, 5, 5])  // each task's identity version
        #expect(build.test.puzzleIdentifiers == [5])
        for id in Int32(1)...8 {
            let v = try #require(build.version(of: id))
            #expect(v.taskID == (id <= 4 ? "a" : "b"))
            #expect((id - 1) % 4 == 0 ? v.version == .identity : v.version != .identity)
        }
        #expect(build.version(of: 0) == nil && build.version(of: 9) == nil)
        #expect(build.testExamples == [ARCTestExample(taskID: "b", testIndex: 0, puzzleIdentifier: 5)])
        #expect(ARCDatasetBuilder.testExamples(of: build.test) == build.testExamples)
        #expect(try ARCTaskLayout.of(build.test) == build.layout && ARCTaskLayout.of(build.train) == build.layout)
        // Expanded for voting: every version of the test row, its label the version of the answer.
        let (expanded, sources) = build.table.expand(build.test, rows: 0..<1)
        #expect(expanded.count == 4 && sources.map(\.version) == [0, 1, 2, 3])
        #expect(expanded.puzzleIdentifiers == [5, 6, 7, 8])
        for i in 0..<4 {
            let v = try #require(build.version(of: expanded.puzzleIdentifiers[i])).version
            let label = Array(expanded.label(i)).map { $0 == PuzzleDataset.ignoreLabel ? 0 : $0 }
            #expect(v.undo(ARCCanvas.crop(label)!) == grid([[8]]))
            #expect(ARCCanvas.crop(Array(expanded.input(i))) == v.apply(grid([[7]])))
        }
    }

    @Test func duplicateTaskIdsAreRefused() {
        let t = ARCTask(id: "a", train: [ARCPair(input: grid([[1]]), output: grid([[2]]))], test: [])
        #expect { try ARCDatasetBuilder.build(training: [t, t], evaluation: []) } throws: { ($0 as? DataError)?.description.contains("both called a") == true }
    }
}

@Suite struct ARCVotingTests {
    let answerA = grid([[1, 2], [3, 4]])
    let answerB = grid([[5]])
    let wrong = grid([[9, 9]])

    @Test func votesRankByCountThenConfidence() {
        var c = ARCVoteCollector()
        c.add(taskID: "t", testIndex: 0, grid: wrong, qHaltLogit: 5)
        c.add(taskID: "t", testIndex: 0, grid: answerA, qHaltLogit: -1)
        c.add(taskID: "t", testIndex: 0, grid: answerA, qHaltLogit: -1)
        c.add(taskID: "t", testIndex: 0, grid: answerB, qHaltLogit: 0)
        c.add(taskID: "t", testIndex: 0, grid: answerB, qHaltLogit: 2)
        let ranked = c.ranked(taskID: "t", testIndex: 0)
        #expect(ranked.map(\.grid) == [answerB, answerA, wrong])  // tie 2-2 broken by mean sigmoid
        #expect(ranked[0].votes == 2)
        #expect(abs(ranked[0].meanConfidence - (0.5 + 1 / (1 + exp(-2.0))) / 2) < 1e-12)
    }

    @Test func predictionsAreUndoneBeforeVoting() {
        var c = ARCVoteCollector()
        var rng = DeterministicRandom(seed: 4)
        for _ in 0..<5 {
            let v = ARCVersion.random(using: &rng)
            c.add(taskID: "t", testIndex: 0, version: v, tokens: ARCCanvas.encode(v.apply(answerA)), qHaltLogit: 0)
        }
        // An all-pad canvas reads as the empty grid: it votes (as in the reference's evaluator).
        c.add(taskID: "t", testIndex: 0, version: .identity, tokens: [Int32](repeating: 0, count: 900), qHaltLogit: 0)
        let ranked = c.ranked(taskID: "t", testIndex: 0)
        #expect(ranked.map(\.votes) == [5, 1])
        #expect(ranked.map(\.grid) == [answerA, ARCGrid(rows: 0, cols: 0, cells: [])])
        #expect(c.emptyPredictions == 1)
    }

    /// A canvas with `grid` at the top-left (its end markers included) and `extra` tokens set.
    func canvas(_ grid: ARCGrid, extra: [(row: Int, col: Int, token: Int32)] = []) -> [Int32] {
        var tokens = ARCCanvas.encode(grid)
        for e in extra { tokens[e.row * ARCCanvas.side + e.col] = e.token }
        return tokens
    }

    @Test func predictionsCropAsTheReferenceEvaluatorDoes() {
        let answer = grid([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        // A stray colour at (0, 3) over the end marker, the marker still at (1, 3): row 0 reads 4
        // colours, rows 1 and 2 read 3, so the largest all-colour rectangle is the 3x3 answer
        // (3x3 = 9 beats 1x4 = 4). The strict data crop refuses it (row 0 says 4 columns).
        let stray = canvas(answer, extra: [(0, 3, 2 + 5)])
        #expect(stray[1 * 30 + 3] == ARCCanvas.endToken)
        #expect(ARCCanvas.cropPrediction(stray) == answer)
        #expect(ARCCanvas.crop(stray) == nil)
        // A clean canvas reads the same both ways.
        #expect(ARCCanvas.cropPrediction(canvas(answer)) == answer)
        #expect(ARCCanvas.crop(canvas(answer)) == answer)
        // A ragged prediction: row 0 has 5 colours, row 1 has 2, row 2 none. 1x5 = 5 beats 2x2 = 4.
        var ragged = [Int32](repeating: ARCCanvas.padToken, count: 900)
        for c in 0..<5 { ragged[c] = 3 }
        for c in 0..<2 { ragged[30 + c] = 4 }
        #expect(ARCCanvas.cropPrediction(ragged) == grid([[1, 1, 1, 1, 1]]))
        // With row 2 as wide as row 1, 3x2 = 6 wins over 1x5 = 5.
        for c in 0..<2 { ragged[60 + c] = 4 }
        #expect(ARCCanvas.cropPrediction(ragged) == grid([[1, 1], [2, 2], [2, 2]]))
        // Equal areas: the first (shortest) rectangle wins, as the reference keeps the first maximum.
        var tie = [Int32](repeating: ARCCanvas.padToken, count: 900)
        for c in 0..<4 { tie[c] = 2 }
        for c in 0..<2 { tie[30 + c] = 3 }
        #expect(ARCCanvas.cropPrediction(tie) == grid([[0, 0, 0, 0]]))
        // A full 30x30 board of colours is the whole board; a marker at (0, 0) is the empty grid.
        #expect(ARCCanvas.cropPrediction([Int32](repeating: 11, count: 900)) == ARCGrid(rows: 30, cols: 30, cells: [UInt8](repeating: 9, count: 900)))
        #expect(ARCCanvas.cropPrediction(canvas(answer, extra: [(0, 0, ARCCanvas.endToken)])) == ARCGrid(rows: 0, cols: 0, cells: []))
        // The collector counts the stray-colour prediction as a vote for the answer.
        var c = ARCVoteCollector()
        c.add(taskID: "t", testIndex: 0, version: .identity, tokens: stray, qHaltLogit: 0)
        #expect(c.ranked(taskID: "t", testIndex: 0).map(\.grid) == [answer] && c.emptyPredictions == 0)
    }

    @Test func passAtKOnHandMadeCases() {
        // Task t1: two test inputs; input 0 right at rank 1, input 1 right only at rank 2.
        // Task t2: one test input, never right. Task t3: no known answers (skipped).
        let t1 = ARCTask(id: "t1", train: [], test: [ARCPair(input: answerB, output: answerA), ARCPair(input: answerA, output: answerB)])
        let t2 = ARCTask(id: "t2", train: [], test: [ARCPair(input: answerB, output: answerB)])
        let t3 = ARCTask(id: "t3", train: [], test: [ARCPair(input: answerB, output: nil)])
        var c = ARCVoteCollector()
        c.add(taskID: "t1", testIndex: 0, grid: answerA, qHaltLogit: 0)
        c.add(taskID: "t1", testIndex: 1, grid: wrong, qHaltLogit: 0)
        c.add(taskID: "t1", testIndex: 1, grid: wrong, qHaltLogit: 0)
        c.add(taskID: "t1", testIndex: 1, grid: answerB, qHaltLogit: 0)
        c.add(taskID: "t2", testIndex: 0, grid: wrong, qHaltLogit: 0)
        let p1 = c.passAtK(1, tasks: [t1, t2, t3])
        let p2 = c.passAtK(2, tasks: [t1, t2, t3])
        #expect(p1.tasks == 2 && p2.tasks == 2)
        #expect(p1.perTask["t1"] == 0.5 && p2.perTask["t1"] == 1.0)
        #expect(p1.perTask["t2"] == 0 && p2.perTask["t2"] == 0)
        #expect(p1.score == 0.25)
        #expect(p2.score == 0.5)
        #expect(ARCScoring.passAtK(2, tasks: []) { _, _ in [] }.score == 0)
    }
}

@Suite struct ARCSplitGuardTests {
    @Test func refusesOverlapByIdOrContent() {
        let a = ARCTask(id: "a", train: [], test: [ARCPair(input: grid([[1]]), output: nil)])
        let renamed = ARCTask(id: "zz", train: [], test: [ARCPair(input: grid([[1]]), output: nil)])
        let sameID = ARCTask(id: "a", train: [], test: [ARCPair(input: grid([[2]]), output: nil)])
        let other = ARCTask(id: "b", train: [], test: [ARCPair(input: grid([[3]]), output: nil)])
        #expect(throws: DataError.self) { try ARCSplitGuard.check(training: [other, renamed], evaluation: [a]) }
        #expect(throws: DataError.self) { try ARCSplitGuard.check(training: [sameID], evaluation: [a]) }
        #expect(throws: DataError.self) { try ARCDatasetBuilder.build(training: [renamed], evaluation: [a]) }
        #expect(ARCSplitGuard.overlap(training: [other], evaluation: [a]).isEmpty)
    }

    @Test(.enabled(if: SharedData.exists("arc-agi-2/training") && SharedData.exists("arc-agi-1/evaluation")))
    func refusesARCAGI2TrainingWithARCAGI1Evaluation() throws {
        let training = try ARCTaskLoader.loadFolder(try #require(SharedData.path("arc-agi-2/training")))
        let evaluation = try ARCTaskLoader.loadFolder(try #require(SharedData.path("arc-agi-1/evaluation")))
        let shared = ARCSplitGuard.overlap(training: training, evaluation: evaluation)
        #expect(shared.count == 376)
        do {
            try ARCSplitGuard.check(training: training, evaluation: evaluation)
            Issue.record("the guard let ARC-AGI-2 training through")
        } catch {
            guard case let .trainEvaluationOverlap(count, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(count == 376)
            #expect(error.description.contains("376"))
        }
        // ARC-AGI-1 training and evaluation share exactly one task, word for word under two names
        // (40853293 = 070dd51e); the guard finds it by content, and dropping it makes the build legal.
        let training1 = try ARCTaskLoader.loadFolder(try #require(SharedData.path("arc-agi-1/training")))
        #expect(ARCSplitGuard.overlap(training: training1, evaluation: evaluation) == ["40853293"])
        let options = ARCBuildOptions(versionsPerTask: 1, dropOverlappingTrainingTasks: true)
        let build = try ARCDatasetBuilder.build(training: Array(training1.prefix(120)), evaluation: Array(evaluation.prefix(3)), options: options)
        #expect(build.droppedTrainingTasks.isEmpty || build.droppedTrainingTasks == ["40853293"])
        let dropped = try ARCDatasetBuilder.build(training: training, evaluation: evaluation.filter { $0.id == "00576224" }, options: options)
        #expect(dropped.droppedTrainingTasks.count == 1)
    }
}
