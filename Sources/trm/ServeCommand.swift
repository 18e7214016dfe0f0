// `trm serve` (stub until implemented).
import ArgumentParser

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm serve is not implemented yet") }
}
