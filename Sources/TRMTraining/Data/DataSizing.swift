// Sizing a model from its training data: a configuration whose seqLen, vocabSize or
// puzzleIdentifiers is 0 (the ARC presets' puzzleIdentifiers, or a config file that leaves the key
// out) takes the data's value, as the reference sizes its puzzle-embedding table from the data set.
// An explicit value the data does not fit is an error that names both numbers. The training data's
// ARC identifier layout is recorded too (ModelConfig.puzzleIdentifierLayout).
import TRMModels
import TRMPuzzles

/// A configuration and a data set that do not fit each other.
public struct DataSizingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
}

extension RunConfig {
    /// This configuration with its data-decided sizes filled in from `training` (and `test`, whose
    /// identifiers must also have rows).
    /// - Throws: `DataSizingError` when an explicit size is smaller than the data needs, or the
    ///   sequence length differs (test data may be another square side for a rope2d model).
    public func sized(for training: PuzzleDataset, test: PuzzleDataset? = nil) throws -> RunConfig {
        var run = self
        let sets = [training] + (test.map { [$0] } ?? [])
        let identifiers = sets.map(\.numPuzzleIdentifiers).max()!
        let vocabulary = sets.map(\.vocabSize).max()!
        let m = model
        if m.puzzleIdentifiers == 0 {
            run.model.puzzleIdentifiers = identifiers
        } else if m.puzzleIdentifiers < identifiers {
            throw DataSizingError(description: "the configuration's puzzle-embedding table has \(m.puzzleIdentifiers) rows (puzzleIdentifiers \(m.puzzleIdentifiers)), "
                + "but the data uses \(identifiers) puzzle identifiers (0..<\(identifiers)); leave puzzleIdentifiers out of the config (or set it to 0) to size it from the data, or set it to at least \(identifiers)")
        }
        if m.vocabSize == 0 {
            run.model.vocabSize = vocabulary
        } else if m.vocabSize < vocabulary {
            throw DataSizingError(description: "the configuration's vocabulary has \(m.vocabSize) tokens (vocabSize \(m.vocabSize)), "
                + "but the data uses \(vocabulary) (tokens 0..<\(vocabulary)); leave vocabSize out of the config to take the data's, or set it to at least \(vocabulary)")
        }
        // Test data of another size is evaluated with the same weights when the model's positions
        // keep their meaning there (rope2d on another square side: ModelConfig.sizeTransfer).
        var trained = run.model
        trained.seqLen = training.seqLen
        if let test, let problem = trained.sizeTransfer(to: test.seqLen).problem {
            let option = trained.positionEncoding == .rope ? "; a model with positionEncoding rope2d is validated on any square side" : ""
            throw DataSizingError(description: "the training data has \(training.seqLen) cells per puzzle, the test data \(test.seqLen): \(problem)" + option)
        }
        if m.seqLen == 0 {
            run.model.seqLen = training.seqLen
        } else if m.seqLen != training.seqLen {
            throw DataSizingError(description: "the configuration's sequence length is \(m.seqLen) (seqLen \(m.seqLen)), but the data's puzzles have \(training.seqLen) cells; "
                + "leave seqLen out of the config to take the data's, or use data built for this model")
        }
        // What the identifiers mean: the training data's ARC layout, which the test data must share.
        run.model.puzzleIdentifierLayout = training.identifierLayout
        if let test, let layout = run.model.puzzleIdentifierLayout, let p = test.identifierLayoutProblem(model: layout, this: "the training data's") {
            throw DataSizingError(description: "the test data does not fit the training data: " + p)
        }
        try run.model.validate(requireSizes: true)
        return run
    }
}

extension PuzzleDataset {
    /// The puzzle identifiers of this dataset a model with `count` embedding rows has no row for,
    /// sorted (at most `limit` of them) and how many distinct ones there are in all.
    public func unknownIdentifiers(modelRows count: Int, limit: Int = 10) -> (examples: [Int32], distinct: Int) {
        let unknown = Set(puzzleIdentifiers.filter { $0 < 0 || Int($0) >= count })
        return (Array(unknown.sorted().prefix(limit)), unknown.count)
    }
}
