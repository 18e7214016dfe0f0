// MCP: a real client exchange with the SDK's Client: in-process over the SDK's in-memory transport,
// and against a spawned `trm mcp` over its stdin/stdout (the way agents run it).
import Foundation
import MCP
import SystemPackage
import TRMTestSupport
import Testing
import TRMModels
import TRMPuzzles
import TRMRuntime
@testable import TRMServe

@Suite struct MCPTests {
    @Test func clientListsToolsAndSolvesASudokuInProcess() async throws {
        let service = Fixtures.service()
        let server = await MCPTools.server(service: service)
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "trm-tests", version: "1.0")
        _ = try await client.connect(transport: clientSide)

        let (tools, _) = try await client.listTools()
        #expect(Set(tools.map(\.name)) == ["solve_sudoku", "solve_maze", "solve_grid"])

        let (content, isError) = try await client.callTool(
            name: "solve_sudoku", arguments: ["puzzle": .string(PuzzleParser.defaultSudoku), "max_steps": 2])
        #expect(isError != true)
        guard case .text(let text, _, _) = content.first else { Issue.record("no text content"); return }
        #expect(text.contains("after 2 supervision steps"))
        #expect(text.contains("verdict (exact validator): invalid"))   // random weights

        // Bad arguments are tool errors with a reason, and the server keeps answering.
        let bad = try await client.callTool(name: "solve_sudoku", arguments: ["puzzle": "12"])
        #expect(bad.isError == true)
        let missing = try await client.callTool(name: "solve_maze", arguments: [:])
        #expect(missing.isError == true)
        let noGridModel = try await client.callTool(name: "solve_grid", arguments: ["input": .array(["1.", ".1"])])
        guard case .text(let reason, _, _) = noGridModel.content.first else { Issue.record("no text"); return }
        #expect(noGridModel.isError == true && reason.contains("no grid model"))
        let unknown = try await client.callTool(name: "launch_rockets", arguments: [:])
        #expect(unknown.isError == true)

        await client.disconnect()
        await server.stop()
        await service.shutdown()
    }

    /// MCP tool errors from a table of bad calls: each is a tool error (isError) whose text says
    /// what is wrong and what to do; advice to restart names `trm mcp`, not `trm serve`.
    @Test(arguments: [
        ("solve_sudoku", ["puzzle": Value.string("12")], ["not a valid sudoku puzzle"]),
        ("solve_maze", [:], ["grid"]),
        ("solve_maze", ["grid": Value.array(["#S#", "#G#"])],
         ["no maze model is loaded; this server solves: sudoku", "restart the server with it: `trm mcp --model runs/maze`"]),
        ("solve_grid", ["input": Value.array(["1.", ".1"])], ["no grid model is loaded", "`trm mcp --model runs/task`"]),
        ("launch_rockets", [:], ["unknown tool 'launch_rockets'", "solve_sudoku"]),
    ] as [(String, [String: Value], [String])])
    func toolErrorsSayWhatAndWhatToDo(_ tool: String, _ arguments: [String: Value], _ expected: [String]) async throws {
        let service = SolverService(models: [Fixtures.sudoku], serverCommand: "trm mcp")
        let result = await MCPTools.call(tool, arguments: arguments, service: service)
        #expect(result.isError == true)
        guard case .text(let text, _, _) = result.content.first else { Issue.record("no text"); return }
        for e in expected { #expect(text.contains(e), "expected '\(e)' in: \(text)") }
        #expect(!text.contains("trm serve"), "\(text)")
        await service.shutdown()
    }

    @Test func spawnedTrmMCPAnswersOverStdio() async throws {
        guard let trm = TRMExecutable.path else {
            print("MCPTests: skipping the stdio exchange: no trm executable next to the tests (run `swift build` first)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: trm)
        process.arguments = ["mcp", "--random-preset", "trm-att-sudoku-small"]
        let toServer = Pipe(), fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let transport = StdioTransport(input: FileDescriptor(rawValue: fromServer.fileHandleForReading.fileDescriptor),
                                       output: FileDescriptor(rawValue: toServer.fileHandleForWriting.fileDescriptor))
        let client = Client(name: "trm-tests-stdio", version: "1.0")
        let initialized = try await client.connect(transport: transport)
        #expect(initialized.serverInfo.name == "trm")
        let (tools, _) = try await client.listTools()
        #expect(tools.count == 3)
        let result = try await client.callTool(name: "solve_sudoku",
                                               arguments: ["puzzle": .string(PuzzleParser.defaultSudoku), "max_steps": 1])
        #expect(result.isError != true)
        guard case .text(let text, _, _) = result.content.first else { Issue.record("no text content"); return }
        #expect(text.contains("sudoku answer after 1 supervision step"))
        await client.disconnect()
        try toServer.fileHandleForWriting.close()
        // Closing stdin ends the server.
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
    }
}

/// A user-defined grid task model end to end through the MCP tool and the HTTP service.
@Suite struct GridTaskServingTests {
    /// A random model for a 2x3 grid over the alphabet ".123" (tokens 1...4, vocab 5).
    static func gridModel() throws -> LoadedModel {
        var run = try RunConfig.preset("trm-tiny-sudoku4")
        run.name = "grid-demo"
        run.model.seqLen = 6
        run.model.vocabSize = 5
        let model = try ReasoningModel(config: run.model, seed: 1)
        #expect(LoadedModel.kind(of: run.model) == .grid)
        return LoadedModel(name: "grid-demo", directory: "", run: run, model: model, kind: .grid,
                           gridSpec: GridTaskSpec(alphabet: ".123", rows: 2, cols: 3))
    }

    @Test func solveGridToolAnswersInTheTaskAlphabet() async throws {
        let service = SolverService(models: [try Self.gridModel()])
        let ok = await MCPTools.call("solve_grid", arguments: ["input": .array(["1.3", "..2"]), "target": .array(["123", "312"]),
                                                                "max_steps": 2], service: service)
        #expect(ok.isError == false)
        guard case .object(let structured)? = ok.structuredContent else { Issue.record("no structured content"); return }
        let answer = structured["answer"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(answer.count == 2 && answer.allSatisfy { $0.count == 3 && $0.allSatisfy { ".123?".contains($0) } })
        #expect(structured["verdict"]?.objectValue?["status"]?.stringValue != "unchecked")   // a target was given
        // Without the model's header the tool takes one in the arguments; a wrong alphabet is refused.
        let bad = await MCPTools.call("solve_grid", arguments: ["input": .array(["1x3", "..2"])], service: service)
        #expect(bad.isError == true)
        await service.shutdown()
    }
}
