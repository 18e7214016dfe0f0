// `trm info` (stub until implemented).
import ArgumentParser

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm info is not implemented yet") }
}
