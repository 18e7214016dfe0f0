// `trm bench kernels` (stub until implemented).
import ArgumentParser

struct BenchKernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernels", abstract: "(not implemented yet)")
    func run() throws { throw ValidationError("trm bench kernels is not implemented yet") }
}
