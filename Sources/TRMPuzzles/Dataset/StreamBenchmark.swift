// Measuring the sample stream: augmented samples per second for a dataset and batch size.
import Foundation

public struct StreamBenchmarkResult: Sendable, Codable, Equatable {
    public var puzzle: String
    public var batchSize: Int
    public var threads: Int
    public var batches: Int
    public var seconds: Double
    public var samplesPerSecond: Double
}

public enum StreamBenchmark {
    /// Fills batches for about `seconds` (at least `minBatches`) and reports the throughput.
    public static func run(_ dataset: PuzzleDataset, batchSize: Int, threads: Int = 1, seconds: Double = 1.0,
                           minBatches: Int = 3, seed: UInt64 = 0) -> StreamBenchmarkResult {
        var stream = SampleStream(dataset: dataset, seed: seed, threads: threads)
        var inputs: [Int32] = [], labels: [Int32] = [], ids: [Int32] = []
        stream.nextBatch(batchSize: batchSize, inputs: &inputs, labels: &labels, puzzleIdentifiers: &ids)  // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        var batches = 0
        var elapsed = 0.0
        repeat {
            stream.nextBatch(batchSize: batchSize, inputs: &inputs, labels: &labels, puzzleIdentifiers: &ids)
            batches += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds || batches < minBatches
        return StreamBenchmarkResult(puzzle: dataset.kind.rawValue, batchSize: batchSize, threads: threads, batches: batches,
                                     seconds: elapsed, samplesPerSecond: Double(batches * batchSize) / elapsed)
    }

    /// A quick synthetic dataset for when no data files are at hand: random complete Sudoku grids
    /// with about half the cells blanked (not checked for uniqueness; for throughput only).
    public static func syntheticSudoku(count: Int, seed: UInt64 = 1) -> PuzzleDataset {
        var rng = DeterministicRandom(seed: seed)
        var records: [SudokuRecord] = []
        let base = SudokuSolver.randomSolution(.empty, using: &rng)!
        for _ in 0..<count {
            let solution = SudokuTransform.random(using: &rng).apply(base)
            var puzzle = solution
            for i in 0..<81 where rng.coin() { puzzle.cells[i] = 0 }
            records.append(SudokuRecord(puzzle: puzzle, solution: solution))
        }
        return .sudoku(records)
    }

    /// Generated hard mazes (side 30 by default: shortest path of 110+ cells; other sides: the
    /// generator's default minimum), for when no data files are at hand.
    public static func syntheticMazes(count: Int, seed: UInt64 = 1, side: Int = 30) throws(DataError) -> PuzzleDataset {
        var rng = DeterministicRandom(seed: seed)
        var records: [MazeRecord] = []
        for _ in 0..<count { records.append(try MazeGenerator.generate(MazeGeneratorOptions(side: side), using: &rng)) }
        return .maze(records)
    }
}
