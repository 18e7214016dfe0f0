// `trm data ...`: puzzle data tools (build, stats, show, generate, check).
import ArgumentParser

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Puzzle data tools.",
        subcommands: []
    )
}
