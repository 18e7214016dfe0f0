// The `trm` command line: argument parsing only; every subcommand calls library code.
import ArgumentParser

@main
struct TRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trm",
        abstract: "Tiny Recursive Models and Hierarchical Reasoning Models: train, evaluate, solve, serve.",
        version: TRMVersion.string,
        subcommands: [BenchCommand.self, DataCommand.self]
    )
}

enum TRMVersion {
    static let string = "0.1.0"
}
