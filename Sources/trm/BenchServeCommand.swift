// `trm bench serve`: HTTP load on loopback at several concurrencies, with and without batching.
import ArgumentParser
import Foundation
import TRMServe
import TRMRuntime
import TRMTensor

struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load the HTTP server in-process on 127.0.0.1: throughput, p50/p99 latency, gain of batching (JSON lines with --json).",
        discussion: """
            Each --model in turn (repeat it for several), or the --random-preset; without either, the \
            bundled Sudoku model (a random-weight trm-att-sudoku-small where none is bundled). Every \
            request runs exactly --steps supervision steps, so the cases do equal work. A maze model gets \
            generated mazes of its own side (--maze-side for a model that takes any side; default 30).
            """)

    @OptionGroup var models: ServedModelOptions
    @OptionGroup var threads: ThreadOptions
    @Option(help: "Comma-separated client concurrencies.") var concurrency = "1,8,64"
    @Option(help: "Requests per case.") var requests = 128
    @Option(help: "A case stops after this many seconds.") var seconds = 60.0
    @Option(help: "Max batch of the batching server (the baseline uses 1).") var maxBatch = 64
    @Option(help: "Supervision steps per request.") var steps = 4
    @Option(help: "Side of the generated mazes for a maze model (default: the model's side; 30 for one that takes any side).")
    var mazeSide: Int?
    @OptionGroup var output: JSONOutputOptions

    func validate() throws {
        guard parsedConcurrency.count > 0, parsedConcurrency.allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--concurrency must be a comma-separated list of numbers in 1...1024")
        }
        guard (1...100_000).contains(requests) else { throw ValidationError("--requests must be in 1...100000") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        guard (1...4096).contains(maxBatch) else { throw ValidationError("--max-batch must be in 1...4096") }
        guard (1...64).contains(steps) else { throw ValidationError("--steps must be in 1...64") }
        if let side = mazeSide, !(2...64).contains(side) { throw ValidationError("--maze-side must be in 2...64") }
    }

    var parsedConcurrency: [Int] { concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        output.printMachine()
        let chosen: [LoadedModel]
        if models.directories.isEmpty, models.randomPreset == nil {
            // Not every bundled model: the default one (Models/sudoku), as the table in the README.
            if let directory = ModelStore.bundledDirectory() {
                let model = try ModelStore.load(directory: directory, verify: !models.verify.noVerify)
                VerifyOption.warnIfUnchecked(model)
                chosen = [model]
            } else {
                chosen = [try ModelLoading.random(preset: "trm-att-sudoku-small")]
            }
        } else {
            chosen = try models.load()
        }
        var options = ServeBenchmarkOptions()
        options.concurrencies = parsedConcurrency
        options.requests = requests
        options.maxSeconds = seconds
        options.maxBatch = maxBatch
        options.steps = steps
        options.mazeSide = mazeSide
        let context = ComputeContext(threads: threads.count, dtype: threads.compute.resolved())
        try await ComputeContext.$current.withValue(context) {
            let json = output.json
            for model in chosen {
                try await ServeBenchmark.run(model: model, options: options) { line in writeLine(json ? line.json : line.text) }
            }
        }
    }
}
