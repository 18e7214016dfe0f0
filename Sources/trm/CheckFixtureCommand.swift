// `trm check-fixture` (stub until implemented).
import ArgumentParser

struct CheckFixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-fixture", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm check-fixture is not implemented yet") }
}
