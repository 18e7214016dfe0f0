// `trm mcp`: a Model Context Protocol server over stdio with solve_sudoku, solve_maze, solve_grid.
import ArgumentParser
import TRMServe
import TRMTensor

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Model Context Protocol server over stdin/stdout: tools solve_sudoku, solve_maze, solve_grid.",
        discussion: """
            Add it to an MCP client as a stdio server, e.g. {"command": "trm", "args": ["mcp"]}. \
            stdout carries only the protocol; messages go to stderr.
            """)

    @OptionGroup var models: ServedModelOptions
    @Option(help: "Seconds a tool call may take.") var timeout = 60.0
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        // stdout carries only the protocol: log lines (loading, warnings) go to standard error.
        _ = log.makeLogger("trm.mcp")
        let context = ComputeContext(threads: threads.count, dtype: threads.compute.resolved())
        try await ComputeContext.$current.withValue(context) {
            let service = SolverService(models: try models.load(), limits: SolverLimits(timeoutSeconds: timeout), serverCommand: "trm mcp")
            try await MCPTools.runStdio(service: service)
            await service.shutdown()
        }
    }
}
