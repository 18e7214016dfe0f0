// `trm export` (stub until implemented).
import ArgumentParser

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm export is not implemented yet") }
}
