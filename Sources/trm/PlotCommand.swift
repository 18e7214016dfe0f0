// `trm plot` (stub until implemented).
import ArgumentParser

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm plot is not implemented yet") }
}
