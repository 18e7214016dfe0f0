// `trm bench train`: TRMTraining's TrainBenchmark, printed in the JSON-lines schema of
// ../shared/bench/torch_trm_bench.py (impl "swift-trm").
import ArgumentParser
import Foundation
import TRMModels
import TRMTraining
import TRMTensor

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time one training step (batch 8, 32) and the 16-step inference rollout (batch 1, 16) of the paper models.",
        discussion: """
        Prints one line per measurement with the field names of ../shared/bench/torch_trm_bench.py, so the two outputs join on (model, task, batch, threads, dtype). One untimed warm-up run per case, then --repeats timed runs: seconds_median and seconds_min. A `train_memory` line per model and thread count gives the buffer pool's peak bytes during one batch-32 training step and the process's peak resident set so far. Build with -c release for meaningful numbers.

        Examples:
          trm bench train --json
          trm bench train --json --threads 1 --models trm-mlp-sudoku --quick
          trm bench train --threads 1,2 --repeats 5
          trm bench train --json --threads 1 --models trm-att-sudoku --quick --shapes
        """)

    @OptionGroup var threads: ThreadListOptions

    @Option(help: "Comma-separated presets.")
    var models: String = "trm-mlp-sudoku,trm-att-sudoku"

    @Option(help: "Timed runs per case (after one warm-up run).")
    var repeats: Int = 3

    @Flag(help: "As the baseline's --quick: train batch 8 and infer batch 1 only, 2 repeats, no memory line.")
    var quick = false

    @Flag(help: "After each train and infer line, one line per matrix-product shape of that step: calls, seconds, share of the products' time, GFLOP/s.")
    var shapes = false

    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    @OptionGroup var compute: DTypeOption

    var threadCounts: [Int] { (try? threads.counts()) ?? [] }
    var modelNames: [String] { models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        for name in modelNames where !RunConfig.presetNames.contains(name) {
            throw ValidationError("unknown preset '\(name)'; known presets: \(RunConfig.presetNames.joined(separator: ", "))")
        }
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100") }
    }

    func run() throws {
        output.printMachine()
        try ComputeContext.withDType(compute.resolved()) { try measure() }
    }

    private func measure() throws {
        var options = quick ? TrainBenchmarkOptions.quick : TrainBenchmarkOptions()
        options.models = modelNames
        if !quick { options.repeats = repeats }
        if !json {
            print("dtype \(ComputeContext.current.dtype), matmul \(BLAS.name)")
            print("model            threads task          batch  median s   min s     rate")
        }
        try TrainBenchmark.run(threads: threadCounts, options: options) { line in
            if json {
                print(line.json)
            } else if let peak = line.peakPoolBytes, let rss = line.maxResidentBytes {
                print(String(format: "%@ %7d %@ %5d  peak pool %.1f MiB, max RSS %.1f MiB", line.model.padding(toLength: 16, withPad: " ", startingAt: 0),
                             line.threads, line.task.padding(toLength: 13, withPad: " ", startingAt: 0), line.batch,
                             Double(peak) / 1048576, Double(rss) / 1048576))
            } else {
                let unit = line.task == "train" ? "sample-steps/s" : "puzzles/s"
                print(String(format: "%@ %7d %@ %5d  %-9.3f %-9.3f %.3f %@", line.model.padding(toLength: 16, withPad: " ", startingAt: 0),
                             line.threads, line.task.padding(toLength: 13, withPad: " ", startingAt: 0), line.batch,
                             line.secondsMedian, line.secondsMin, Double(line.batch) / line.secondsMedian, unit))
            }
            if shapes { printShapes(line) }
            fflush(nil)
        }
    }

    /// The products of the line's step by shape (`--shapes`).
    private func printShapes(_ line: TrainBenchmarkLine) {
        if json { line.shapeJSON.forEach { print($0) }; return }
        let total = line.gemmShapeSeconds
        for (shape, t) in line.gemmShapes {
            print(String(format: "    %@ %5d x %5d x %5d  %5d calls  %8.4f s  %5.1f%% of products  %6.1f GFLOP/s",
                         shape.op, shape.m, shape.n, shape.k, t.calls, t.seconds,
                         total > 0 ? 100 * t.seconds / total : 0, t.gflops))
        }
    }
}
