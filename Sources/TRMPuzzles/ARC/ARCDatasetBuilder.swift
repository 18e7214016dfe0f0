// ARC tasks -> training and test datasets on the 30x30 canvas, one puzzle identifier per augmented
// task version (TRM-SPEC section 4); the versions themselves are made while training streams
// (ARCVersionTable), so the files hold each pair once. Demonstration pairs of every task (evaluation tasks included)
// are training data; the evaluation tasks' test pairs are the test data.
import Foundation

/// Which task and version a puzzle identifier stands for.
/// (Files built before versions were made on the fly list these in their `arc.versions` metadata.)
public struct ARCPuzzleVersion: Sendable, Hashable, Codable {
    public var taskID: String
    public var version: ARCVersion
}

/// Which evaluation test input a test-set row holds.
public struct ARCTestExample: Sendable, Hashable, Codable {
    public var taskID: String
    public var testIndex: Int
    public var puzzleIdentifier: Int32
}

public struct ARCBuildOptions: Sendable, Equatable {
    /// Distinct augmented versions per task (identity first); the TRM paper uses 1000.
    public var versionsPerTask: Int
    public var seed: UInt64
    /// Also train on the test pairs (with answers) of the training tasks.
    public var includeTrainingTestPairs: Bool
    /// Drop training tasks that are also evaluation tasks (by id or content) instead of refusing.
    public var dropOverlappingTrainingTasks: Bool

    public init(versionsPerTask: Int = 8, seed: UInt64 = 0, includeTrainingTestPairs: Bool = true,
                dropOverlappingTrainingTasks: Bool = false) {
        self.versionsPerTask = versionsPerTask
        self.seed = seed
        self.includeTrainingTestPairs = includeTrainingTestPairs
        self.dropOverlappingTrainingTasks = dropOverlappingTrainingTasks
    }
}

public struct ARCBuild: Sendable {
    public var train: PuzzleDataset
    public var test: PuzzleDataset
    /// The tasks both datasets share (also in their metadata).
    public var layout: ARCTaskLayout
    /// Their versions (computed on each use; the sample stream keeps its own).
    public var table: ARCVersionTable { ARCVersionTable(layout) }
    /// One entry per row of `test`.
    public var testExamples: [ARCTestExample]
    /// Training task ids dropped because they are evaluation tasks (with `dropOverlappingTrainingTasks`).
    public var droppedTrainingTasks: [String]

    /// The version a puzzle identifier stands for.
    public func version(of identifier: Int32) -> ARCPuzzleVersion? {
        guard let (t, _) = layout.split(identifier) else { return nil }
        return ARCVersionTable(layout, tasks: t..<(t + 1)).version(of: identifier).map { ARCPuzzleVersion(taskID: $0.taskID, version: $0.version) }
    }
}

public enum ARCDatasetBuilder {
    /// Stores every pair once, as given (the "tasks" layout, see ARCVersionTable): training rows are
    /// all pairs of the training tasks (test pairs with `includeTrainingTestPairs`) and the
    /// demonstration pairs of the evaluation tasks; test rows are the evaluation tasks' test pairs.
    /// The sample stream makes `versionsPerTask` versions of each task while training.
    /// - Throws: `DataError.trainEvaluationOverlap` if a training task is also an evaluation task
    ///   (unless `options.dropOverlappingTrainingTasks`).
    public static func build(training allTraining: [ARCTask], evaluation: [ARCTask], options: ARCBuildOptions = ARCBuildOptions()) throws(DataError) -> ARCBuild {
        var training = allTraining
        var dropped: [String] = []
        if options.dropOverlappingTrainingTasks {
            dropped = ARCSplitGuard.overlap(training: training, evaluation: evaluation)
            let droppedSet = Set(dropped)
            training.removeAll { droppedSet.contains($0.id) }
        }
        try ARCSplitGuard.check(training: training, evaluation: evaluation)
        guard (1...100_000).contains(options.versionsPerTask) else {
            throw .invalidArgument("versions per task must be in 1...100000, got \(options.versionsPerTask)")
        }
        let all = training + evaluation
        var seenIDs: Set<String> = []
        for task in all where !seenIDs.insert(task.id).inserted {
            throw .invalidArgument("two ARC tasks are both called \(task.id); task ids (file names) must be unique")
        }
        let layout = ARCTaskLayout(versionsPerTask: options.versionsPerTask, seed: options.seed, tasks: all.map(ARCTaskEntry.init))
        guard layout.identifierCount <= Int(Int32.max) else {
            throw .invalidArgument("\(all.count) tasks x \(options.versionsPerTask) versions do not fit 32-bit puzzle identifiers")
        }
        var train = canvasDataset()
        var test = canvasDataset()
        var testExamples: [ARCTestExample] = []
        func add(_ pair: ARCPair, id: Int32, to d: inout PuzzleDataset) {
            let input = ARCCanvas.encode(pair.input)
            let label = pair.output.map { ARCCanvas.labels($0) } ?? [Int32](repeating: PuzzleDataset.ignoreLabel, count: ARCCanvas.cellCount)
            d.append(input: input, label: label, puzzleIdentifier: id)
        }
        for (t, task) in all.enumerated() {
            let id = layout.identifier(task: t, version: 0)
            let isEvaluation = t >= training.count
            for p in task.train { add(p, id: id, to: &train) }
            if isEvaluation {
                for (i, p) in task.test.enumerated() {
                    add(p, id: id, to: &test)
                    testExamples.append(ARCTestExample(taskID: task.id, testIndex: i, puzzleIdentifier: id))
                }
            } else if options.includeTrainingTestPairs {
                for p in task.test where p.output != nil { add(p, id: id, to: &train) }
            }
        }
        train.numPuzzleIdentifiers = layout.identifierCount
        test.numPuzzleIdentifiers = layout.identifierCount
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let examplesJSON = (try? encoder.encode(testExamples)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        train.metadata[ARCTaskLayout.metadataKey] = layout.encoded()
        test.metadata[ARCTaskLayout.metadataKey] = layout.encoded()
        test.metadata["arc.testExamples"] = examplesJSON
        if !dropped.isEmpty { train.metadata["arc.droppedTrainingTasks"] = dropped.joined(separator: ",") }
        return ARCBuild(train: train, test: test, layout: layout, testExamples: testExamples, droppedTrainingTasks: dropped)
    }

    /// The test examples (task id and test index per row) of a test dataset's metadata.
    public static func testExamples(of dataset: PuzzleDataset) -> [ARCTestExample] {
        dataset.metadata["arc.testExamples"].flatMap { try? JSONDecoder().decode([ARCTestExample].self, from: Data($0.utf8)) } ?? []
    }

    static func canvasDataset() -> PuzzleDataset {
        PuzzleDataset(kind: .arc, seqLen: ARCCanvas.cellCount, vocabSize: ARCCanvas.vocabSize,
                      numPuzzleIdentifiers: 1, gridRows: ARCCanvas.side, gridCols: ARCCanvas.side)
    }
}
