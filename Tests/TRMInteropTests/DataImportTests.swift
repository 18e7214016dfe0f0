// Importing the reference builders' data sets (../shared/fixtures/reference-datasets) and checking
// them against our own reading of the same source rows: tokens, labels, identifiers and groups.
import Foundation
import Testing
@testable import TRMInterop
import TRMPuzzles

private let sourceData = sharedDirectory.appendingPathComponent("data")
private func present(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: referenceDatasets.appendingPathComponent("\(name)/test/dataset.json").path)
}

/// Example rows of puzzle group g: [first example, end).
private func groupRows(_ d: PuzzleDataset, _ g: Int) -> Range<Int> {
    let groups = ReferenceDataset.indices(d.metadata[ReferenceDataset.groupIndicesKey])!
    let puzzles = ReferenceDataset.indices(d.metadata[ReferenceDataset.puzzleIndicesKey])!
    return puzzles[groups[g]]..<puzzles[groups[g + 1]]
}

/// The reference builder's canvas: ours, except that its end-of-grid markers leave out the corner
/// cell below-right of the grid (np_grid_to_seq_translational_augment). ARCCanvas.encode sets it.
private func referenceCanvas(_ grid: ARCGrid) -> [Int32] {
    var t = ARCCanvas.encode(grid)
    if grid.rows < ARCCanvas.side && grid.cols < ARCCanvas.side { t[grid.rows * ARCCanvas.side + grid.cols] = ARCCanvas.padToken }
    return t
}

@Suite("Reference data sets import")
struct DataImportTests {
    @Test("Sudoku: test rows are the first 50 of test.csv; each train group starts with one of the first 200 train rows")
    func sudoku() throws {
        guard present("sudoku") else { return }
        let dir = referenceDatasets.appendingPathComponent("sudoku")
        func ours(_ file: String, _ n: Int) throws -> [(input: [Int32], label: [Int32])] {
            try PuzzleRowReader.read(path: sourceData.appendingPathComponent("sudoku-extreme-lite/\(file)").path).prefix(n).map { row in
                (try SudokuGrid.parse(row.question).get().tokens, try SudokuGrid.parse(row.answer).get().tokens)
            }
        }
        let test = try ReferenceDataset.load(dir, split: "test")
        #expect(test.kind == .sudoku && test.count == 50 && test.numPuzzleIdentifiers == 1)
        for (i, row) in try ours("test.csv", 50).enumerated() {
            let same = Array(test.input(i)) == row.input && Array(test.label(i)) == row.label
            #expect(same, "test row \(i)")
        }
        #expect(test.puzzleIdentifiers.allSatisfy { $0 == 0 })

        let train = try ReferenceDataset.load(dir, split: "train")
        #expect(train.count == 600)
        var originals = Dictionary(grouping: try ours("train.csv", 200), by: { $0.input }).mapValues { $0.map(\.label) }
        for g in 0..<200 {
            let rows = groupRows(train, g)
            #expect(rows.count == 3, "group \(g): the original and 2 augmentations")
            let first = Array(train.input(rows.lowerBound))
            #expect(originals[first]?.first == Array(train.label(rows.lowerBound)), "group \(g) does not start with a source row")
            originals[first]?.removeFirst()
            // Augmented versions: a valid solved grid whose clues it agrees with, same clue count.
            for r in rows {
                let label = SudokuGrid(tokens: Array(train.label(r)))!, input = SudokuGrid(tokens: Array(train.input(r)))!
                #expect(label.isComplete && label.conflict == nil && input.completionProblem(label) == nil, "row \(r)")
                #expect(input.clueCount == SudokuGrid(tokens: first)!.clueCount)
            }
        }
        let unused = originals.values.filter { !$0.isEmpty }.count
        #expect(unused == 0, "every source row is used once")
    }

    @Test("Maze: test rows are the first 20 of test.csv; each train group is the 8 dihedral versions of a train row")
    func maze() throws {
        guard present("maze") else { return }
        let dir = referenceDatasets.appendingPathComponent("maze")
        func ours(_ file: String, _ n: Int) throws -> [(input: [Int32], label: [Int32])] {
            try PuzzleRowReader.read(path: sourceData.appendingPathComponent("maze-30x30-hard/\(file)").path).prefix(n).map { row in
                (try MazeGrid.parse(row.question, allowPath: false).get().tokens, try MazeGrid.parse(row.answer, allowPath: true).get().tokens)
            }
        }
        let test = try ReferenceDataset.load(dir, split: "test")
        #expect(test.kind == .maze && test.count == 20 && test.seqLen == 900)
        for (i, row) in try ours("test.csv", 20).enumerated() {
            let same = Array(test.input(i)) == row.input && Array(test.label(i)) == row.label
            #expect(same, "test row \(i)")
        }
        let train = try ReferenceDataset.load(dir, split: "train")
        for (g, row) in try ours("train.csv", 40).enumerated() {
            let rows = groupRows(train, g)
            #expect(rows.count == 8)
            for (k, r) in rows.enumerated() {
                let t = ReferenceDataset.dihedral(referenceTransform: k)
                let same = Array(train.input(r)) == t.apply(row.input, rows: 30, cols: 30)
                    && Array(train.label(r)) == t.apply(row.label, rows: 30, cols: 30)
                #expect(same, "group \(g) version \(k)")
            }
        }
    }

    @Test("ARC: identifiers name task versions; test examples are the evaluation tasks' test inputs in each version")
    func arc() throws {
        guard present("arc") else { return }
        let dir = referenceDatasets.appendingPathComponent("arc")
        let test = try ReferenceDataset.load(dir, split: "test")
        #expect(test.kind == .arc && test.numPuzzleIdentifiers == 73)
        let names = try JSONDecoder().decode([String].self, from: Data(test.metadata[ReferenceDataset.identifiersKey]!.utf8))
        #expect(names.count == 73 && names[0] == "<blank>")
        // Our own reading of the evaluation tasks (the Kaggle-style files the builder read).
        let src = dir.appendingPathComponent("source")
        let challenges = try JSONSerialization.jsonObject(with: Data(contentsOf: src.appendingPathComponent("arc1_evaluation_challenges.json"))) as! [String: Any]
        let solutions = try JSONSerialization.jsonObject(with: Data(contentsOf: src.appendingPathComponent("arc1_evaluation_solutions.json"))) as! [String: [[[Int]]]]
        let puzzles = ReferenceDataset.indices(test.metadata[ReferenceDataset.puzzleIndicesKey])!
        var checked = 0
        for p in 0..<(puzzles.count - 1) {
            let name = names[Int(test.puzzleIdentifiers[puzzles[p]])]
            let (task, version) = try #require(ReferenceDataset.arcVersion(fromIdentifier: name))
            let tests = ((challenges[task] as? [String: Any])?["test"] as? [[String: Any]]) ?? []
            #expect(tests.count == puzzles[p + 1] - puzzles[p], "\(name): one example per test input")
            for (k, t) in tests.enumerated() {
                let input = try ARCGrid.make(t["input"] as! [[Int]]).get(), output = try ARCGrid.make(solutions[task]![k]).get()
                let row = puzzles[p] + k
                let inputOK = Array(test.input(row)) == referenceCanvas(version.apply(input))
                let labelOK = Array(test.label(row)) == referenceCanvas(version.apply(output)).map { $0 == 0 ? PuzzleDataset.ignoreLabel : $0 }
                #expect(inputOK, "\(name) test \(k) input")
                #expect(labelOK, "\(name) test \(k) label")
                checked += 1
            }
        }
        #expect(checked == test.count)
        // Groups: one task's versions each, identity first.
        let groups = ReferenceDataset.indices(test.metadata[ReferenceDataset.groupIndicesKey])!
        for g in 0..<(groups.count - 1) {
            let tasks = (groups[g]..<groups[g + 1]).map { names[Int(test.puzzleIdentifiers[puzzles[$0]])].components(separatedBy: "|||") }
            #expect(tasks.first?.count == 1 && Set(tasks.map { $0[0] }).count == 1, "group \(g)")
        }
        let train = try ReferenceDataset.load(dir, split: "train")
        #expect(train.numPuzzleIdentifiers == 73 && Set(train.puzzleIdentifiers).count == 72)
        // test_puzzles.json, the test tasks as given, agrees with every test row once undone.
        let inputs = Set((0..<(puzzles.count - 1)).map { names[Int(test.puzzleIdentifiers[puzzles[$0]])].components(separatedBy: "|||")[0] })
        #expect(test.metadata["reference.test_puzzles_checked"] == String(inputs.count), "one test input per evaluation task here")
        #expect(train.metadata["reference.test_puzzles_checked"] == nil)
    }

    @Test("ARC: a test_puzzles.json that disagrees with the test rows is refused, naming the task")
    func arcTestPuzzlesDisagree() throws {
        guard present("arc") else { return }
        let source = referenceDatasets.appendingPathComponent("arc")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("trm-arc-ref-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: source, to: copy)
        let file = copy.appendingPathComponent("test_puzzles.json")
        var tasks = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: [String: Any]]
        let task = tasks.keys.sorted()[0]
        var tests = tasks[task]!["test"] as! [[String: Any]]
        var output = tests[0]["output"] as! [[Int]]
        output[0][0] = (output[0][0] + 1) % 10
        tests[0]["output"] = output
        tasks[task]!["test"] = tests
        try JSONSerialization.data(withJSONObject: tasks).write(to: file)
        #expect(throws: InteropError.self) { try ReferenceDataset.load(copy, split: "test") }
        do { _ = try ReferenceDataset.load(copy, split: "test") } catch {
            #expect("\(error)".contains("task \(task) test input 0") && "\(error)".contains("test_puzzles.json"), "\(error)")
        }
        // The training split does not depend on it.
        #expect(try ReferenceDataset.load(copy, split: "train").count > 0)
    }

    @Test("imported rows are already augmented: training shuffles them and adds no augmentation")
    func trainingDoesNotAugmentAgain() throws {
        guard present("maze") else { return }
        let d = try ReferenceDataset.load(referenceDatasets.appendingPathComponent("maze"), split: "train")
        let options = AugmentationOptions.forDataset(d)
        #expect(options.shuffle && !options.mazeDihedral && !options.sudoku && !options.arcTranslation)
        var stream = SampleStream(dataset: d, seed: 3, options: options)
        var inputs: [Int32] = [], labels: [Int32] = [], ids: [Int32] = []
        stream.nextBatch(batchSize: 16, inputs: &inputs, labels: &labels, puzzleIdentifiers: &ids)
        let rows = Set((0..<d.count).map { Array(d.input($0)) })
        for b in 0..<16 { #expect(rows.contains(Array(inputs[(b * d.seqLen)..<((b + 1) * d.seqLen)])), "sample \(b) is a stored row") }
    }

    @Test("an imported data set survives our .trmd file unchanged")
    func trmdRoundTrip() throws {
        guard present("arc") else { return }
        let d = try ReferenceDataset.load(referenceDatasets.appendingPathComponent("arc"), split: "train")
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let path = scratch.path("arc.trmd").path
        try DatasetFile.write(d, to: path)
        let back = try DatasetFile.read(path: path).dataset
        #expect(back == d)
    }
}
