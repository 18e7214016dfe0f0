// `trm solve` (stub until implemented).
import ArgumentParser

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "solve", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm solve is not implemented yet") }
}
