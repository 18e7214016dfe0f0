// The `trm` command line: argument parsing only; every subcommand calls library code.
import ArgumentParser
import TRMTensor

@main
enum Main {
    static func main() async {
        await TRM.main()
    }
}

struct TRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trm",
        abstract: "Tiny Recursive Models and Hierarchical Reasoning Models: train, evaluate, solve, serve.",
        version: TRMVersion.string,
        subcommands: [
            TrainCommand.self, EvalCommand.self, SolveCommand.self, ServeCommand.self, MCPCommand.self,
            DataCommand.self, BenchCommand.self, InfoCommand.self, CheckFixtureCommand.self,
            PlotCommand.self, ExportCommand.self, ImportCommand.self,
        ]
    )
}

enum TRMVersion {
    static let string = "0.1.0"
}
