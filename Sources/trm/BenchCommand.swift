// `trm bench ...`: benchmarks printed as JSON lines.
import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (JSON lines with --json).",
        subcommands: [BenchKernelsCommand.self, BenchTrainCommand.self, BenchDataCommand.self, BenchServeCommand.self]
    )
}
