// The command line's user-facing errors from a table of bad inputs, through the built executable:
// each says what, where and what to do, once, so a message cannot regress unnoticed. (HTTP errors
// have their table in ServeAppTests, MCP tool errors in MCPTests.)
import Foundation
import Testing
import TRMTestSupport
import TRMRuntime

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
        // A bad --out is refused before any work, in one sentence (not Foundation's error dump).
        Case(arguments: ["eval", "--data", sudokuTest, "--limit", "2", "--out", "Package.swift"],
             expected: ["cannot write the report to Package.swift: a file of that name is in the way; pass --out a writable folder"]),
        Case(arguments: ["eval", "--data", sudokuTest, "--limit", "2", "--out", "Package.swift/eval"],
             expected: ["cannot write the report to Package.swift/eval:", "is a file, not a folder; pass --out a writable folder"]),
        Case(arguments: ["train", "--preset", "trm-tiny-sudoku4", "--steps", "1", "--out", "Package.swift"],
             expected: ["cannot write the run to Package.swift: a file of that name is in the way; pass --out a writable folder"]),
        Case(arguments: ["train", "--preset", "trm-tiny-sudoku4", "--steps", "1", "--out", "Package.swift/run"],
             expected: ["cannot write the run to Package.swift/run:", "Package.swift is a file, not a folder; pass --out a writable folder"]),
        Case(arguments: ["export", "--model", "/nonexistent-run", "--out", "Package.swift"],
             expected: ["cannot write the export to Package.swift: a file of that name is in the way; pass --out a writable folder"]),
        Case(arguments: ["import", "/nonexistent/step_1", "--output", "Package.swift"],
             expected: ["cannot write the model folder to Package.swift: a file of that name is in the way; pass --output a new folder"]),
        Case(arguments: ["import", "/nonexistent/step_1", "--output", "Package.swift/model"],
             expected: ["cannot write the model folder to Package.swift: a file of that name is in the way; pass --output a writable folder"]),
        Case(arguments: ["data", "generate", "sudoku", "--count", "1", "-o", "/proc/no-such-folder/g.csv"],
             expected: ["/proc/no-such-folder/g.csv: cannot write:", "give a path in a writable folder"]),
        Case(arguments: ["train", "--preset", "trm-tiny-sudoku4", "--no-verify"], expected: ["--no-verify applies to --init MODEL only"]),
        // solve: options that would be silently ignored, and one wording for a missing file.
        Case(arguments: ["solve", "--index", "5"], expected: ["--index 5 picks a puzzle of the input, but no puzzle was given", "leave out --index"]),
        Case(arguments: ["solve", "--file", "/nonexistent/puzzle.txt"], expected: ["cannot read /nonexistent/puzzle.txt: no such file"]),
        Case(arguments: ["solve", "--file", "Sources"], expected: ["cannot read Sources: it is a folder"]),
        // A valid maze that does not fit the model is not "not a valid maze"; the advice fits its size.
        Case(arguments: ["solve", "#####\n#S  #\n# # #\n#  G#\n#####", "--model", "Models/maze"],
             expected: ["this maze puzzle does not fit the model: the model 'maze' takes 64 cells (e.g. 8x8), this puzzle has 25",
                        "trm data generate maze --side 5", "--model runs/maze5"]),
        // A Sudoku given to the maze model: the bundled Sudoku model would solve it.
        Case(arguments: ["solve", "--model", "Models/maze", "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."],
             expected: ["the model 'maze' solves maze puzzles (64 cells), not sudoku", "Leave out --model to use the bundled sudoku model"]),
        // Data that does not fit the model: eval has no --config, so the advice is --data or --model.
        Case(arguments: ["eval", "--model", "Models/maze", "--data", mazeHardTest, "--limit", "2"],
             expected: ["does not fit the model: puzzles have 900 cells, the model expects 64", "or a --model trained on this data"]),
    ]

    static let sudokuTest = SharedData.root.appendingPathComponent("sudoku-extreme-lite/test.csv").path
    static let mazeHardTest = SharedData.root.appendingPathComponent("maze-30x30-hard/test.csv").path

    @Test("each bad input gets one clear message and a non-zero exit", arguments: cases)
    func message(_ c: Case) throws {
        let shared = c.arguments.filter { $0.hasPrefix(SharedData.root.path) }
        guard shared.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return }  // ../shared absent
        let (status, text) = try TRMExecutable.run(c.arguments, currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(status != 0 && status < 128, "\(status): \(text)")
        for e in c.expected { #expect(text.contains(e), "expected '\(e)' in: \(text)") }
        let errorLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        #expect(errorLine.range(of: #"(^|[^.])\.\.([^.]|$)"#, options: .regularExpression) == nil, "no doubled full stop: \(errorLine)")
        let first = try #require(c.expected.first)
        #expect(text.components(separatedBy: first).count == 2, "said once: \(text)")
    }

    @Test("a maze without --model goes to the bundled maze model of its size; one no model takes names the command that trains one")
    func mazeGoesToTheMazeModel() throws {
        // An 8x8 maze of the bundled model's own held-out test set: solved by Models/maze, not refused
        // by the Sudoku model.
        let small = ["# # #   ", "#G    # ", "# # # # ", " ###  ##", "     # S", " ##   # ", "# #     ", "#  ## ##"].joined(separator: "\n")
        let (s1, t1) = try TRMExecutable.run(["solve", small, "--json"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("\"kind\":\"maze\"") && t1.contains("\"model\":\"maze\""), "\(t1.prefix(400))")
        // A 30x30 Maze-Hard maze: without --model the bundled model built for 30x30 runs it (the rope2d
        // model for other sizes did before Models/maze-30x30); the 8x8 model given with --model does
        // not take it, so the message says how to train one.
        let line = try #require(SharedData.path("maze-30x30-hard/test.csv").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
            .split(whereSeparator: \.isNewline).dropFirst().first.map(String.init))
        let (s2, t2) = try TRMExecutable.run(["solve", line, "--max-steps", "1"], currentDirectory: Repository.root, timeoutSeconds: 120)
        #expect(s2 == 0 && t2.contains("model 'maze-30x30' (") && !t2.contains("rope2d positions"), "\(t2.prefix(400))")
        let (status, text) = try TRMExecutable.run(["solve", line, "--model", "Models/maze"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(status != 0)
        #expect(text.contains("the model 'maze' takes 64 cells (e.g. 8x8), this puzzle has 900"), "\(text)")
        #expect(text.contains("trm train --preset trm-att-maze") && text.contains("--model runs/maze"), "\(text)")
        // Asked for the Sudoku model explicitly, a maze is refused with the same advice.
        let (s3, t3) = try TRMExecutable.run(["solve", small, "--model", "Models/sudoku"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s3 != 0 && t3.contains("solves sudoku puzzles (81 cells), not maze"), "\(t3)")
        // No puzzle: --kind picks the bundled model and its example (the same 8x8 maze).
        let (s4, t4) = try TRMExecutable.run(["solve", "--kind", "maze", "--json", "--threads", "1"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s4 == 0 && t4.contains("\"model\":\"maze\""), "\(t4.prefix(400))")
        #expect(t4.contains(##""question":["  #   #S","   ## # ""##), "the example maze: \(t4.prefix(400))")
        #expect(t4.contains(##""verdict":{"status":"valid""##), "the bundled model solves its example: \(t4.suffix(300))")
        let (s5, t5) = try TRMExecutable.run(["solve", "--kind", "arc"], currentDirectory: Repository.root, timeoutSeconds: 60)
        #expect(s5 != 0 && t5.contains("no arc model is loaded") && t5.contains("trm train --preset trm-att-arc"), "\(t5)")
    }

    @Test("a failed export leaves no folder behind")
    func failedExportLeavesNothing() throws {
        let dir = TestDirectory()
        let out = dir.file("exported")
        let (status, text) = try TRMExecutable.run(["export", "--model", "/nonexistent-run", "--out", out.path], timeoutSeconds: 60)
        #expect(status != 0 && text.contains("no checkpoint here"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "the folder made for the export was removed")
    }

    @Test("a CSV row and a CSV file with --index solve, and the row's answer is shown")
    func csvRows() throws {
        let dir = TestDirectory()
        let csv = try #require(SharedData.path("sudoku-extreme-lite/test.csv"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(whereSeparator: \.isNewline).prefix(3).map(String.init)
        let file = try dir.file("rows.csv", lines: lines)
        let (s1, t1) = try TRMExecutable.run(["solve", file.path, "--index", "1", "--no-color"], currentDirectory: Repository.root)
        #expect(s1 == 0, "\(t1)")
        #expect(t1.contains("row 2 of 2") && t1.contains("the answer given with the puzzle"), "\(t1)")
        let (s2, t2) = try TRMExecutable.run(["solve", lines[1], "--no-color"], currentDirectory: Repository.root)
        #expect(s2 == 0 && t2.contains("the answer given with the puzzle"), "a row without its header: \(t2)")
        // --json carries the row's origin and its given answer beside the model's.
        let (s4, t4) = try TRMExecutable.run(["solve", file.path, "--index", "1", "--json"], currentDirectory: Repository.root)
        #expect(s4 == 0, "\(t4)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(t4.utf8)) as? [String: Any], "\(t4)")
        let given = lines[2].split(separator: ",").map(String.init)[2]
        let expected = try #require(object["expected"] as? [String], "\(t4)")
        #expect(expected.joined().filter(\.isNumber) == given.filter(\.isNumber), "\(expected) vs \(given)")
        #expect((object["origin"] as? String)?.hasPrefix("row 2 of 2") == true, "\(t4)")
        #expect(object["expected_matches"] is Bool && object["answer"] is [String], "\(t4)")
        let (s3, t3) = try TRMExecutable.run(["solve", file.path, "--index", "7"], currentDirectory: Repository.root)
        #expect(s3 != 0 && t3.contains("--index 7 is past the last row; the input has 2 rows (0...1)"), "\(t3)")
        // A whole data set (1.9 MB, more than one puzzle's 1 MiB): the row is picked, as the README shows.
        let (s5, t5) = try TRMExecutable.run(["solve", csv, "--index", "1", "--no-color"], currentDirectory: Repository.root)
        #expect(s5 == 0 && t5.contains("row 2 of 10000"), "\(t5)")
        // Past the file limit: one sentence naming the file, its size and the limit.
        let huge = dir.file("huge.csv")
        try Data(count: PuzzleSource.maximumBytes + 1).write(to: huge)
        let (s6, t6) = try TRMExecutable.run(["solve", huge.path], currentDirectory: Repository.root)
        #expect(s6 != 0 && t6.contains("huge.csv is \(PuzzleSource.maximumBytes + 1) bytes; a file of puzzles is at most"), "\(t6)")
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
