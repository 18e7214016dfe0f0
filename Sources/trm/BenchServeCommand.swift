// `trm bench serve` (stub until implemented).
import ArgumentParser

struct BenchServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm bench serve is not implemented yet") }
}
