// `trm eval` (stub until implemented).
import ArgumentParser

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm eval is not implemented yet") }
}
