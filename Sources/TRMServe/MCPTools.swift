// MCPTools: `trm mcp`, a Model Context Protocol server (modelcontextprotocol/swift-sdk) whose tools
// let an LLM agent hand a puzzle to the tiny recursive model: solve_sudoku, solve_maze, solve_grid.
// Each tool answers with a readable text (answer grid, steps, verdict) and the same JSON as
// POST /v1/solve as structured content. Bad arguments come back as tool errors, never crashes.
import Foundation
import MCP
import TRMRuntime

public enum MCPTools {
    static let common: [String: Value] = [
        "max_steps": .object(["type": "integer", "minimum": 1, "maximum": 256,
                              "description": "Supervision steps at most: test-time depth, also beyond the model's training limit (default: that limit)"]),
        "halt_threshold": .object(["type": "number", "minimum": 0, "maximum": 1,
                                   "description": "Stop once the halting confidence exceeds this (default 0.5)"]),
        "tries": .object(["type": "integer", "minimum": 1, "maximum": .int(SolveRequest.maxTries),
                          "description": "Sudoku and mazes: tries in all (default 1). While the verdict is not valid, another version of the puzzle (digits relabelled and lines permuted; maze rotated or mirrored) is solved and its answer read back"]),
    ]

    public static let tools: [Tool] = [
        Tool(name: "solve_sudoku", title: "Solve a Sudoku",
             description: "Solve a 9x9 Sudoku with the tiny recursive model. The verdict is checked by an exact validator (every clue kept, no repeated digit), so trust it over the model.",
             inputSchema: .object([
                "type": "object", "required": .array(["puzzle"]),
                "properties": .object(common.merging([
                    "puzzle": .object(["type": "string", "description": "81 characters row by row: digits 1-9, '.' or '0' for blanks"]),
                ]) { a, _ in a }),
             ]), annotations: .init(readOnlyHint: true)),
        Tool(name: "solve_maze", title: "Find a shortest maze path",
             description: "Mark a shortest path from S to G in a square maze ('#' wall, ' ' open, 'S' start, 'G' goal; the size the maze model was trained on, 8x8 for the bundled one; any square side for a model with rope2d positions). The answer marks the path with 'o'; the verdict checks it is a shortest path.",
             inputSchema: .object([
                "type": "object", "required": .array(["grid"]),
                "properties": .object(common.merging([
                    "grid": .object(["type": "array", "items": .object(["type": "string"]), "description": "The maze rows"]),
                ]) { a, _ in a }),
             ]), annotations: .init(readOnlyHint: true)),
        Tool(name: "solve_grid", title: "Solve a user-defined grid task",
             description: "Run a grid-task model (trained from trm-grid JSONL) on one input grid. Give 'input' rows in the task's alphabet; 'header' ({\"format\":\"trm-grid\",\"alphabet\",\"rows\",\"cols\"}) is needed only when the model does not carry it; 'target' rows make the verdict compare against them.",
             inputSchema: .object([
                "type": "object", "required": .array(["input"]),
                "properties": .object(common.merging([
                    "input": .object(["type": "array", "items": .object(["type": "string"]), "description": "Input grid rows"]),
                    "target": .object(["type": "array", "items": .object(["type": "string"]), "description": "Expected rows (optional)"]),
                    "header": .object(["type": "object", "description": "The trm-grid header line as an object"]),
                ]) { a, _ in a }),
             ]), annotations: .init(readOnlyHint: true)),
    ]

    /// A server with the tools registered (not started).
    public static func server(service: SolverService) async -> Server {
        let server = Server(name: "trm", version: "0.1.0",
                            instructions: "Tiny Recursive Model puzzle solvers. Each answer carries an exact validator's verdict.",
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools) }
        await server.withMethodHandler(CallTool.self) { params in
            await call(params.name, arguments: params.arguments ?? [:], service: service)
        }
        return server
    }

    /// Serves over stdin/stdout until the client closes the connection.
    public static func runStdio(service: SolverService) async throws {
        let server = await server(service: service)
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// Runs one tool call.
    public static func call(_ name: String, arguments: [String: Value], service: SolverService) async -> CallTool.Result {
        do {
            let request = try solveRequest(name, arguments)
            let response = try await service.solve(request)
            let json = try APICoding.encoder.encode(response)
            let structured = try JSONDecoder().decode(Value.self, from: json)
            return .init(content: [.text(text: summary(response), annotations: nil, _meta: nil)], structuredContent: structured as Value?, isError: false)
        } catch let e as ServeError {
            return .init(content: [.text(text: "\(e.code): \(e.reason)", annotations: nil, _meta: nil)], isError: true)
        } catch {
            return .init(content: [.text(text: "error: \(error)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    /// Tool arguments -> the HTTP API's request.
    static func solveRequest(_ name: String, _ a: [String: Value]) throws(ServeError) -> SolveRequest {
        func rows(_ key: String) throws(ServeError) -> [String]? {
            guard let v = a[key] else { return nil }
            if let s = v.stringValue { return s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            guard let list = v.arrayValue else { throw .badRequest("'\(key)' must be a list of row strings") }
            var out: [String] = []
            for item in list {
                guard let s = item.stringValue else { throw .badRequest("'\(key)' must be a list of row strings") }
                out.append(s)
            }
            return out
        }
        func integer(_ key: String) throws(ServeError) -> Int? {
            guard let v = a[key] else { return nil }
            guard let n = v.intValue ?? v.doubleValue.flatMap({ $0.rounded() == $0 && abs($0) < 1e9 ? Int($0) : nil }) else {
                throw .badRequest("'\(key)' must be an integer")
            }
            return n
        }
        let maxSteps = try integer("max_steps"), tries = try integer("tries")
        var threshold: Float?
        if let v = a["halt_threshold"] {
            guard let x = v.doubleValue ?? v.intValue.map(Double.init) else { throw .badRequest("'halt_threshold' must be a number") }
            threshold = Float(x)
        }
        switch name {
        case "solve_sudoku":
            guard let p = a["puzzle"]?.stringValue else { throw .badRequest("'puzzle' (81 characters) is required") }
            return SolveRequest(kind: "sudoku", puzzle: p, maxSteps: maxSteps, haltThreshold: threshold, tries: tries)
        case "solve_maze":
            guard let g = try rows("grid") else { throw .badRequest("'grid' (the maze rows) is required") }
            return SolveRequest(kind: "maze", grid: g, maxSteps: maxSteps, haltThreshold: threshold, tries: tries)
        case "solve_grid":
            guard let input = try rows("input") else { throw .badRequest("'input' (the grid rows) is required") }
            var example: [String: Any] = ["input": input]
            if let target = try rows("target") { example["target"] = target }
            var lines: [String] = []
            if let header = a["header"] {
                guard let data = try? JSONEncoder().encode(header), header.objectValue != nil else {
                    throw .badRequest("'header' must be an object {\"format\": \"trm-grid\", \"alphabet\", \"rows\", \"cols\"}")
                }
                lines.append(String(decoding: data, as: UTF8.self))
            }
            guard let line = try? JSONSerialization.data(withJSONObject: example) else { throw .badRequest("'input' cannot be encoded") }
            lines.append(String(decoding: line, as: UTF8.self))
            return SolveRequest(kind: "grid", puzzle: lines.joined(separator: "\n"), maxSteps: maxSteps, haltThreshold: threshold)
        default:
            throw .notFound("unknown tool '\(name)'; tools: \(tools.map(\.name).joined(separator: ", "))")
        }
    }

    /// The text an LLM reads.
    static func summary(_ r: SolveResponse) -> String {
        var s = r.tries.map { $0 > 1 ? "try \($0) (another version of the puzzle, answer read back): " : "" } ?? ""
        s += "\(r.kind) answer after \(r.stepsUsed) supervision step\(r.stepsUsed == 1 ? "" : "s") "
        s += r.halted ? "(the model halted itself)" : "(step limit reached)"
        s += ", final halting confidence \(String(format: "%.3f", r.haltConfidence.last ?? 0)):\n"
        s += r.answer.joined(separator: "\n") + "\n"
        s += "verdict (exact validator): \(r.verdict.status.rawValue)"
        if let reason = r.verdict.reason { s += " - \(reason)" }
        return s
    }
}
