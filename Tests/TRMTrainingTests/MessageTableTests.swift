// The command line's user-facing errors from a table of bad inputs, through the built executable:
// each says what, where and what to do, once, so a message cannot regress unnoticed. (HTTP errors
// have their table in ServeAppTests, MCP tool errors in MCPTests.)
import Foundation
import Testing
import TRMTestSupport

@Suite("Error messages of the command line", .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct MessageTableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// Substrings the message must hold (what, where, what to do).
        var expected: [String]
        var testDescription: String { "trm " + arguments.joined(separator: " ").prefix(60) }
    }

    static let maze = String(repeating: "#", count: 3) + "\n#S#\n#G#"
    static let cases: [Case] = [
        Case(arguments: ["solve", "hello world"],
             expected: ["cannot read the puzzle: cannot tell the kind", "Kinds: sudoku, maze, arc, grid", "solves sudoku puzzles"]),
        Case(arguments: ["solve", "/nonexistent/puzzle.txt"],
             expected: ["/nonexistent/puzzle.txt", "no such file"]),
        Case(arguments: ["solve", "--model", "/nonexistent-model"],
             expected: ["no model at /nonexistent-model", "train one with `trm train`"]),
        Case(arguments: ["solve", "--threshold", "2"], expected: ["--threshold must be in 0...1"]),
        Case(arguments: ["solve", "--kind", "chess"], expected: ["chess", "sudoku"]),
        Case(arguments: ["train", "--preset", "nope"], expected: ["unknown preset 'nope'", "known presets:"]),
        Case(arguments: ["info", "--preset", "trm-mlp-sudoku", "--config", "x.json"], expected: ["give --preset or --config, not both"]),
        Case(arguments: ["export", "--model", "/nonexistent-run", "--out", "x.safetensors"],
             expected: ["no checkpoint here", "/nonexistent-run", "trm train --out"]),
        Case(arguments: ["data", "check", "/nonexistent.csv"], expected: ["/nonexistent.csv", "cannot read"]),
        Case(arguments: ["eval", "--data", "/nonexistent.csv"], expected: ["no such file or folder: /nonexistent.csv"]),
        Case(arguments: ["data", "check", "x.csv", "--max-errors=-1"], expected: ["--max-errors must be 0 or more"]),
        Case(arguments: ["serve", "--threads", "0"], expected: ["--threads must be in 1...1024, got 0"]),
        Case(arguments: ["mcp", "--threads", "0"], expected: ["--threads must be in 1...1024, got 0"]),
    ]

    @Test("each bad input gets one clear message and a non-zero exit", arguments: cases)
    func message(_ c: Case) throws {
        let (status, text) = try TRMExecutable.run(c.arguments, currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(status != 0 && status < 128, "\(status): \(text)")
        for e in c.expected { #expect(text.contains(e), "expected '\(e)' in: \(text)") }
        let errorLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        #expect(errorLine.range(of: #"(^|[^.])\.\.([^.]|$)"#, options: .regularExpression) == nil, "no doubled full stop: \(errorLine)")
        let first = try #require(c.expected.first)
        #expect(text.components(separatedBy: first).count == 2, "said once: \(text)")
    }

    @Test("a maze without --model goes to the bundled maze model; one of another size names the command that trains one")
    func mazeGoesToTheMazeModel() throws {
        // An 8x8 maze of the bundled model's own held-out test set: solved by Models/maze, not refused
        // by the Sudoku model.
        let small = ["# # #   ", "#G    # ", "# # # # ", " ###  ##", "     # S", " ##   # ", "# #     ", "#  ## ##"].joined(separator: "\n")
        let (s1, t1) = try TRMExecutable.run(["solve", small, "--json"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("\"kind\":\"maze\"") && t1.contains("\"model\":\"maze\""), "\(t1.prefix(400))")
        // A 30x30 Maze-Hard maze: the bundled maze model is 8x8, so the message says how to train one.
        let line = try #require(SharedData.path("maze-30x30-hard/test.csv").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
            .split(whereSeparator: \.isNewline).dropFirst().first.map(String.init))
        let (status, text) = try TRMExecutable.run(["solve", line], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(status != 0)
        #expect(text.contains("the model 'maze' takes 64 cells (e.g. 8x8), this puzzle has 900"), "\(text)")
        #expect(text.contains("trm train --preset trm-att-maze") && text.contains("--model runs/maze"), "\(text)")
        // Asked for the Sudoku model explicitly, a maze is refused with the same advice.
        let (s3, t3) = try TRMExecutable.run(["solve", small, "--model", "Models/sudoku"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s3 != 0 && t3.contains("solves sudoku puzzles (81 cells), not maze"), "\(t3)")
    }

    @Test("a CSV row and a CSV file with --index solve, and the row's answer is shown")
    func csvRows() throws {
        let dir = TestDirectory()
        let csv = try #require(SharedData.path("sudoku-extreme-lite/test.csv"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(whereSeparator: \.isNewline).prefix(3).map(String.init)
        let file = dir.file("rows.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (s1, t1) = try TRMExecutable.run(["solve", file.path, "--index", "1", "--no-color"], currentDirectory: Repository.root)
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("row 2 of 2") && t1.contains("the answer given with the puzzle"), "\(t1)")
        let (s2, t2) = try TRMExecutable.run(["solve", lines[1], "--no-color"], currentDirectory: Repository.root)
        #expect(s2 == 0 && t2.contains("the answer given with the puzzle"), "a row without its header: \(t2)")
        let (s3, t3) = try TRMExecutable.run(["solve", file.path, "--index", "7"], currentDirectory: Repository.root)
        #expect(s3 != 0 && t3.contains("--index 7 is past the last row; the input has 2 rows (0...1)"), "\(t3)")
    }

    /// Option groups shared between commands must not declare a flag twice (ArgumentParser refuses
    /// the whole command at run time): every subcommand's help must print.
    @Test("every subcommand parses its options", arguments: [
        "solve", "eval", "train", "info", "export", "serve", "mcp", "check-fixture", "import", "plot",
        "bench train", "bench kernels", "bench data", "bench serve",
        "data build", "data check", "data import", "data stats", "data show", "data generate sudoku", "data generate maze",
    ])
    func helpPrints(_ command: String) throws {
        let (status, text) = try TRMExecutable.run(command.split(separator: " ").map(String.init) + ["--help"], timeoutSeconds: 60)
        #expect(status == 0, "\(command): \(text)")
        #expect(text.contains("USAGE:") && !text.contains("Validation failed"), "\(command): \(text)")
    }

    /// One option group per concern: every command that writes takes -o, --out and --output; every
    /// computing command takes --threads and --dtype; the servers log like train and eval.
    @Test("option groups are the same on every command", arguments: [
        ("train", ["-o, --out, --output", "--threads", "--dtype", "--log-level"]),
        ("eval", ["-o, --out, --output", "--threads", "--dtype", "--log-level", "--no-verify"]),
        ("export", ["-o, --out, --output"]), ("import", ["-o, --out, --output"]),
        ("data build", ["-o, --out, --output"]), ("data import", ["-o, --out, --output"]),
        ("data generate sudoku", ["-o, --out, --output"]), ("data generate maze", ["-o, --out, --output"]),
        ("solve", ["--threads", "--dtype", "--random-preset", "--no-verify"]),
        ("serve", ["--threads", "--dtype", "--log-level", "--random-preset", "--no-verify"]),
        ("mcp", ["--threads", "--dtype", "--log-level", "--random-preset", "--no-verify"]),
        ("bench serve", ["--threads", "--dtype", "--random-preset", "--no-verify"]),
    ])
    func optionGroups(_ command: String, _ spellings: [String]) throws {
        let (status, text) = try TRMExecutable.run(command.split(separator: " ").map(String.init) + ["--help"], timeoutSeconds: 60)
        #expect(status == 0, "\(command): \(text)")
        for spelling in spellings { #expect(text.contains(spelling), "\(command) --help lacks \(spelling): \(text)") }
    }
}
