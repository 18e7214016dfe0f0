// `trm train` (stub until implemented).
import ArgumentParser

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm train is not implemented yet") }
}
