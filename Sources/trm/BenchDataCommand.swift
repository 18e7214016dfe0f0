// `trm bench data`: throughput of the training sample stream (augmented samples per second).
import ArgumentParser
import Foundation
import TRMPuzzles

struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Sample-stream throughput: augmented Sudoku and maze samples, and ARC versions, per second; ARC memory.",
        discussion: """
        ARC: the paper's training split (all pairs of --arc-training plus the demonstrations of --arc-evaluation) streamed at each --arc-versions count; each sample is a task version made on the fly. The peak resident memory is the process's high-water mark so far, so run one count per process (--puzzles arc --arc-versions 1000) to see each on its own.
        """)

    @Option(help: "Sudoku CSV to stream (default: ../shared/data/sudoku-extreme-lite/train.csv if present, else synthetic).")
    var sudoku: String?

    @Option(help: "Maze CSV to stream (default: ../shared/data/maze-30x30-hard/train.csv if present, else generated).")
    var maze: String?

    @Option(help: "Which streams to measure: sudoku, maze, arc (comma-separated).")
    var puzzles = "sudoku,maze,arc"

    @Option(help: "ARC training task folder (default: ../shared/data/arc-agi-1/training; skipped when absent).")
    var arcTraining: String?

    @Option(help: "ARC evaluation task folder whose demonstrations join training (default: ../shared/data/arc-agi-1/evaluation).")
    var arcEvaluation: String?

    @Option(help: "ARC versions per task to measure (comma-separated).")
    var arcVersions = "8,1000"

    @Option(help: "ARC batch size.") var arcBatch = 768
    @Option(help: "Sudoku batch size.") var sudokuBatch = 768
    @Option(help: "Maze batch size.") var mazeBatch = 768
    @Option(help: "Worker threads filling a batch.") var threads = 1
    @Option(help: "Seconds to measure each case.") var seconds = 2.0
    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    func validate() throws {
        guard sudokuBatch >= 1, mazeBatch >= 1 else { throw ValidationError("batch sizes must be at least 1") }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be in 1...1024, got \(threads)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard arcBatch >= 1 else { throw ValidationError("--arc-batch must be at least 1") }
        let known: Set<Substring> = ["sudoku", "maze", "arc"]
        if let bad = puzzles.split(separator: ",").first(where: { !known.contains($0) }) {
            throw ValidationError("--puzzles: unknown '\(bad)'; use sudoku, maze, arc")
        }
        if arcVersionCounts.isEmpty || arcVersionCounts.contains(where: { !(1...100_000).contains($0) }) {
            throw ValidationError("--arc-versions: give counts in 1...100000, comma-separated (got '\(arcVersions)')")
        }
    }

    var arcVersionCounts: [Int] {
        let parts = arcVersions.split(separator: ",")
        let counts = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return counts.count == parts.count ? counts : []
    }

    func run() throws {
        output.printMachine()
        let wanted = Set(puzzles.split(separator: ",").map(String.init))
        if wanted.contains("sudoku") || wanted.contains("maze") { try runGrids(sudoku: wanted.contains("sudoku"), maze: wanted.contains("maze")) }
        guard wanted.contains("arc") else { return }
        let training = arcTraining ?? "../shared/data/arc-agi-1/training"
        guard FileManager.default.fileExists(atPath: training) else {
            if arcTraining != nil { throw ValidationError("no such folder: \(training)") }
            printError("arc: skipped (no \(training); give --arc-training)")
            return
        }
        let evaluationDefault = "../shared/data/arc-agi-1/evaluation"
        let evaluation = arcEvaluation ?? (FileManager.default.fileExists(atPath: evaluationDefault) ? evaluationDefault : nil)
        for versions in arcVersionCounts {
            let line = try ARCStreamBenchmark.run(training: training, evaluation: evaluation, versions: versions,
                                                  batch: arcBatch, threads: threads, seconds: seconds)
            print(json ? line.json : line.text)
        }
    }

    func runGrids(sudoku wantSudoku: Bool, maze wantMaze: Bool) throws {
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
        for (data, batch) in [(sudokuData, sudokuBatch), (mazeData, mazeBatch)] where data.kind == .sudoku ? wantSudoku : wantMaze {
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
