// TrainingData: the puzzle sets a command trains or evaluates on: built dataset files (.trmd),
// raw files read by PuzzleLoader (CSV, plain lines, grid JSONL, ARC folders), or, for 4x4 Sudoku
// models with no data given, puzzles generated in code.
import Foundation
import TRMModels
import TRMPuzzles

public enum TrainingData {
    /// Loads `paths` into one dataset: a single .trmd file, or raw files of one kind.
    /// `limit` keeps the first `limit` puzzles.
    public static func load(paths: [String], limit: Int? = nil) throws -> PuzzleDataset {
        guard !paths.isEmpty else { throw DataError.invalidArgument("no data files given") }
        var dataset: PuzzleDataset
        let built = paths.filter { DatasetFile.isDatasetFile(path: $0) }
        if !built.isEmpty {
            guard built.count == 1, paths.count == 1 else {
                throw DataError.invalidArgument("give one built dataset file (.trmd) or raw puzzle files, not a mix or several .trmd files: \(paths.joined(separator: ", "))")
            }
            dataset = try DatasetFile.read(path: built[0]).dataset
        } else {
            dataset = try PuzzleLoader.load(paths: paths, options: LoadOptions(limit: limit)).dataset
        }
        if let limit { dataset = dataset.prefix(limit) }
        _ = try ARCTaskLayout.of(dataset)  // a damaged ARC version table fails here, not silently later
        return dataset
    }

    /// True for models shaped for 4x4 Sudoku (16 cells, vocab 6): those can train on generated puzzles.
    public static func canGenerate(for config: ModelConfig) -> Bool {
        config.seqLen == TinySudoku.cellCount && config.vocabSize == TinySudoku.vocabSize
    }

    /// Generated 4x4 Sudoku train and test sets (disjoint), the same for the same seed.
    public static func generatedSudoku4(train: Int = 6000, test: Int = 1000, seed: UInt64) -> (train: PuzzleDataset, test: PuzzleDataset) {
        TinySudoku.datasets(train: train, test: test, seed: seed)
    }
}
