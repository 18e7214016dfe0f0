// `trm bench data`: throughput of the training sample stream (augmented samples per second).
import ArgumentParser
import Foundation
import TRMPuzzles

struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Sample-stream throughput: augmented Sudoku and maze batches per second.")

    @Option(help: "Sudoku CSV to stream (default: ../shared/data/sudoku-extreme-lite/train.csv if present, else synthetic).")
    var sudoku: String?

    @Option(help: "Maze CSV to stream (default: ../shared/data/maze-30x30-hard/train.csv if present, else generated).")
    var maze: String?

    @Option(help: "Sudoku batch size.") var sudokuBatch = 768
    @Option(help: "Maze batch size.") var mazeBatch = 768
    @Option(help: "Worker threads filling a batch.") var threads = 1
    @Option(help: "Seconds to measure each case.") var seconds = 2.0
    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    func validate() throws {
        guard sudokuBatch >= 1, mazeBatch >= 1 else { throw ValidationError("batch sizes must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() throws {
        let sudokuData: PuzzleDataset, mazeData: PuzzleDataset
        let sudokuPath = sudoku ?? "../shared/data/sudoku-extreme-lite/train.csv"
        if FileManager.default.fileExists(atPath: sudokuPath) {
            sudokuData = try PuzzleLoader.load(paths: [sudokuPath], options: LoadOptions(kind: .sudoku)).dataset
        } else {
            sudokuData = StreamBenchmark.syntheticSudoku(count: 10_000)
        }
        let mazePath = maze ?? "../shared/data/maze-30x30-hard/train.csv"
        if FileManager.default.fileExists(atPath: mazePath) {
            mazeData = try PuzzleLoader.load(paths: [mazePath], options: LoadOptions(kind: .maze)).dataset
        } else {
            mazeData = try StreamBenchmark.syntheticMazes(count: 100)
        }
        for (data, batch) in [(sudokuData, sudokuBatch), (mazeData, mazeBatch)] {
            let r = StreamBenchmark.run(data, batchSize: batch, threads: threads, seconds: seconds)
            if json {
                print(#"{"impl":"swift-trm","task":"data-stream","puzzle":"\#(r.puzzle)","batch":\#(r.batchSize),"threads":\#(r.threads),"batches":\#(r.batches),"seconds":\#(String(format: "%.3f", r.seconds)),"samples_per_s":\#(String(format: "%.0f", r.samplesPerSecond))}"#)
            } else {
                print(String(format: "%@ batch %d, %d thread(s): %.0f samples/s (%d batches in %.2f s)",
                             r.puzzle, r.batchSize, r.threads, r.samplesPerSecond, r.batches, r.seconds))
            }
        }
    }
}
