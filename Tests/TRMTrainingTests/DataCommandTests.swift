// `trm data` end to end through the built executable: build a dataset file and read it back,
// stats, show, generate, and bad input (an error naming file, line and reason; non-zero exit).
import Foundation
import Testing

@Suite("trm data commands", .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
struct DataCommandTests {
    static let puzzle = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."
    static let answer = "483921657967345821251876493548132976729564138136798245372689514814253769695417382"
    /// Breaks the rules in its last cell (two 2s... in the last row).
    static let badAnswer = String(answer.dropLast()) + "3"

    func csv(_ rows: [(String, String)], in dir: TestDirectory, name: String = "puzzles.csv") throws -> URL {
        let text = "source,question,answer,rating\n" + rows.map { "t,\($0.0),\($0.1),0" }.joined(separator: "\n") + "\n"
        let url = dir.file(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func buildStatsAndShowRoundTrip() throws {
        let dir = TestDirectory()
        let input = try csv([(Self.puzzle, Self.answer), (Self.puzzle, Self.answer)], in: dir)
        let output = dir.file("set.trmd").path
        let (status, text) = try TRMExecutable.run(["data", "build", input.path, "-o", output])
        #expect(status == 0, "\(text)")
        #expect(FileManager.default.fileExists(atPath: output))
        let (s2, stats) = try TRMExecutable.run(["data", "stats", output])
        #expect(s2 == 0, "\(stats)")
        #expect(stats.contains("sudoku") && stats.contains("2"))
        let (s3, shown) = try TRMExecutable.run(["data", "show", input.path, "--index", "0"])
        #expect(s3 == 0, "\(shown)")
        #expect(shown.contains("| 4 8 3 | 9 2 1 | 6 5 7 |"), "the answer grid is printed")
    }

    @Test func badRowsNameFileLineAndReason() throws {
        let dir = TestDirectory()
        let input = try csv([(Self.puzzle, Self.answer), (Self.puzzle, Self.badAnswer), ("123", "456")], in: dir)
        let (status, text) = try TRMExecutable.run(["data", "check", input.path, "--kind", "sudoku"])
        #expect(status != 0)
        #expect(text.contains("puzzles.csv:3"), "names the file and line: \(text)")
        #expect(text.contains("twice"), "says why: \(text)")
        // --skip-invalid goes on and reports the counts.
        let (_, skipped) = try TRMExecutable.run(["data", "check", input.path, "--kind", "sudoku", "--skip-invalid"])
        #expect(skipped.contains("2 invalid") || skipped.contains("skipped 2"), "\(skipped)")
        // A corrupt dataset file is an error, not a crash.
        let corrupt = dir.file("corrupt.trmd")
        try Data("TRMD garbage".utf8).write(to: corrupt)
        let (s4, message) = try TRMExecutable.run(["data", "stats", corrupt.path])
        #expect(s4 != 0 && s4 < 128, "exits with an error, not a signal: \(s4) \(message)")
    }

    @Test func generatedPuzzlesHaveUniqueSolutions() throws {
        let dir = TestDirectory()
        let out = dir.file("gen.csv").path
        let (status, text) = try TRMExecutable.run(["data", "generate", "sudoku", "--count", "3", "--clues", "36", "--seed", "5", "-o", out])
        #expect(status == 0, "\(text)")
        let (s2, checked) = try TRMExecutable.run(["data", "check", out, "--solve"])
        #expect(s2 == 0, "generated puzzles validate and solve uniquely: \(checked)")
    }
}

@Suite("trm eval on a model folder", .enabled(if: TRMExecutable.url != nil, "no built trm executable found (set TRM_EXECUTABLE or run `swift build` first)"))
struct EvalModelFolderTests {
    /// The bundled model is a model folder (config.json + model.safetensors), not a training
    /// checkpoint: `trm eval` takes it and writes a report; 98.7% exact on 1000 held-out puzzles,
    /// so 30 of the same kind should nearly all be solved.
    @Test func evaluatesTheBundledModelFolder() throws {
        let dir = TestDirectory()
        let data = dir.file("test.csv").path
        let (s1, generated) = try TRMExecutable.run(["data", "generate", "sudoku", "--count", "30", "--clues", "36",
                                                      "--max-backtracks", "0", "--seed", "2", "-o", data])
        #expect(s1 == 0, "\(generated)")
        let model = TRMExecutable.repositoryRoot.appendingPathComponent("Models/sudoku").path
        let out = dir.file("eval").path
        let (status, text) = try TRMExecutable.run(["eval", "--model", model, "--data", data, "--out", out, "--quiet", "--json"])
        #expect(status == 0, "\(text)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))) as? [String: Any]
        let allSteps = report?["all_steps"] as? [String: Any]
        let exact = (allSteps?["exact_accuracy"] as? Double) ?? -1
        #expect(exact >= 0.9, "bundled model exact accuracy on 30 easy puzzles: \(exact)")
        #expect(report?["puzzle_count"] as? Int == 30)
        #expect(text.contains("exact_accuracy"), "--json prints the report")
        // A folder that is neither a checkpoint nor a model folder is named in the error.
        let (s3, message) = try TRMExecutable.run(["eval", "--model", dir.url.path, "--data", data, "--quiet"])
        #expect(s3 != 0 && s3 < 128, "\(message)")
        #expect(message.contains("config.json") || message.contains("no model"), "\(message)")
    }
}
