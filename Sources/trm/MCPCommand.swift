// `trm mcp` (stub until implemented).
import ArgumentParser

struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mcp", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm mcp is not implemented yet") }
}
