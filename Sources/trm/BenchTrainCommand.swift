// `trm bench train` (stub until implemented).
import ArgumentParser

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm bench train is not implemented yet") }
}
