// ARC tasks -> training and test datasets on the 30x30 canvas, one puzzle identifier per augmented
// task version (TRM-SPEC section 4). Demonstration pairs of every task (evaluation tasks included)
// are training data; the evaluation tasks' test pairs are the test data.
import Foundation

/// Which task and version a puzzle identifier stands for.
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
    /// versions[id - 1] for puzzle identifier id (0 is "none").
    public var versions: [ARCPuzzleVersion]
    /// One entry per row of `test`.
    public var testExamples: [ARCTestExample]
    /// Training task ids dropped because they are evaluation tasks (with `dropOverlappingTrainingTasks`).
    public var droppedTrainingTasks: [String]

    /// The version a puzzle identifier stands for.
    public func version(of identifier: Int32) -> ARCPuzzleVersion? {
        let i = Int(identifier) - 1
        return versions.indices.contains(i) ? versions[i] : nil
    }
}

public enum ARCDatasetBuilder {
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
        var rng = DeterministicRandom(seed: options.seed, 0xA2C)
        var versions: [ARCPuzzleVersion] = []
        var train = canvasDataset()
        var test = canvasDataset()
        var testExamples: [ARCTestExample] = []
        func add(_ pair: ARCPair, id: Int32, to d: inout PuzzleDataset) {
            let input = ARCCanvas.encode(pair.input)
            let label = pair.output.map { ARCCanvas.labels($0) } ?? [Int32](repeating: PuzzleDataset.ignoreLabel, count: ARCCanvas.cellCount)
            d.append(input: input, label: label, puzzleIdentifier: id)
        }
        for (tasks, isEvaluation) in [(training, false), (evaluation, true)] {
            for task in tasks {
                for v in ARCAugmenter.versions(of: task, count: options.versionsPerTask, using: &rng) {
                    versions.append(ARCPuzzleVersion(taskID: task.id, version: v))
                    let id = Int32(versions.count)
                    let augmented = v.apply(task)
                    for p in augmented.train { add(p, id: id, to: &train) }
                    if isEvaluation {
                        for (i, p) in augmented.test.enumerated() {
                            add(p, id: id, to: &test)
                            testExamples.append(ARCTestExample(taskID: task.id, testIndex: i, puzzleIdentifier: id))
                        }
                    } else if options.includeTrainingTestPairs {
                        for p in augmented.test where p.output != nil { add(p, id: id, to: &train) }
                    }
                }
            }
        }
        train.numPuzzleIdentifiers = versions.count + 1
        test.numPuzzleIdentifiers = versions.count + 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let versionsJSON = (try? encoder.encode(versions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let examplesJSON = (try? encoder.encode(testExamples)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        train.metadata["arc.versions"] = versionsJSON
        test.metadata["arc.versions"] = versionsJSON
        test.metadata["arc.testExamples"] = examplesJSON
        if !dropped.isEmpty { train.metadata["arc.droppedTrainingTasks"] = dropped.joined(separator: ",") }
        return ARCBuild(train: train, test: test, versions: versions, testExamples: testExamples, droppedTrainingTasks: dropped)
    }

    /// Reads the version table and test examples back from a dataset's metadata.
    public static func tables(of dataset: PuzzleDataset) -> (versions: [ARCPuzzleVersion], testExamples: [ARCTestExample]) {
        let d = JSONDecoder()
        let v = dataset.metadata["arc.versions"].flatMap { try? d.decode([ARCPuzzleVersion].self, from: Data($0.utf8)) } ?? []
        let t = dataset.metadata["arc.testExamples"].flatMap { try? d.decode([ARCTestExample].self, from: Data($0.utf8)) } ?? []
        return (v, t)
    }

    static func canvasDataset() -> PuzzleDataset {
        PuzzleDataset(kind: .arc, seqLen: ARCCanvas.cellCount, vocabSize: ARCCanvas.vocabSize,
                      numPuzzleIdentifiers: 1, gridRows: ARCCanvas.side, gridCols: ARCCanvas.side)
    }
}
