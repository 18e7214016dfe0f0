// `trm data` end to end through the built executable: build a dataset file and read it back,
// stats, show, generate, and bad input (an error naming file, line and reason; non-zero exit).
import TRMTestSupport
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
        // check always reads every row and reports the counts (--skip-invalid changes nothing).
        let (_, skipped) = try TRMExecutable.run(["data", "check", input.path, "--kind", "sudoku", "--skip-invalid"])
        #expect(skipped.contains("2 bad row(s), 1 valid"), "\(skipped)")
        // A corrupt dataset file is an error, not a crash.
        let corrupt = dir.file("corrupt.trmd")
        try Data("TRMD garbage".utf8).write(to: corrupt)
        let (s4, message) = try TRMExecutable.run(["data", "stats", corrupt.path])
        #expect(s4 != 0 && s4 < 128, "exits with an error, not a signal: \(s4) \(message)")
    }

    /// The case: a wrong answer digit on line 7 and a short row on line 12. Both are
    /// reported, in line order, not only the row that breaks the CSV.
    @Test func everyBadRowInLineOrder() throws {
        let dir = TestDirectory()
        var rows = Array(repeating: "t,\(Self.puzzle),\(Self.answer),0", count: 10)
        rows[5] = "t,\(Self.puzzle),\(Self.badAnswer),0"   // line 7 (the header is line 1)
        rows.append("t,\(Self.puzzle)")                       // line 12: two fields of four
        let url = dir.file("mixed.csv")
        try ("source,question,answer,rating\n" + rows.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let (status, text) = try TRMExecutable.run(["data", "check", url.path])
        #expect(status == 1, "\(text)")
        let line7 = try #require(text.range(of: "mixed.csv:7: invalid puzzle"), "\(text)")
        let line12 = try #require(text.range(of: "mixed.csv:12: malformed row: expected 4 comma-separated fields"), "\(text)")
        #expect(line7.lowerBound < line12.lowerBound, "line order: \(text)")
        #expect(text.contains("2 bad row(s), 9 valid"), "\(text)")
    }

    /// Bad bytes are rows like any other: named by line, skipped with --skip-invalid, counted by
    /// reason; nothing crashes.
    @Test func badBytesAreReportedNotFatal() throws {
        let dir = TestDirectory()
        var data = Data("source,question,answer,rating\n".utf8)
        let good = Data("t,\(Self.puzzle),\(Self.answer),0\n".utf8)
        data += good                                                                  // line 2
        data += Data("t,".utf8) + Data([0xFF, 0xFE, 0x41]) + Data(",x,0\n".utf8)       // line 3: invalid UTF-8
        data += Data("t,ab".utf8) + Data([0x00]) + Data("c,x,0\n".utf8)                // line 4: NUL
        data += Data("t,".utf8) + Data(repeating: UInt8(ascii: "1"), count: 10 << 20) + Data(",x,0\n".utf8)  // line 5: 10 MB
        data += good                                                                  // line 6
        let url = dir.file("bytes.csv")
        try data.write(to: url)
        let (status, text) = try TRMExecutable.run(["data", "check", url.path, "--kind", "sudoku"])
        #expect(status == 1, "\(text)")
        #expect(text.contains("bytes.csv:3: malformed row: invalid UTF-8"), "\(text)")
        #expect(text.contains("bytes.csv:4: malformed row: a NUL byte"), "\(text)")
        #expect(text.contains("bytes.csv:5: malformed row: the line is"), "\(text)")
        #expect(text.contains("3 bad row(s), 2 valid"), "\(text)")
        let out = dir.file("bytes.trmd").path
        let (s2, built) = try TRMExecutable.run(["data", "build", url.path, "--kind", "sudoku", "--skip-invalid", "-o", out])
        #expect(s2 == 0, "\(built)")
        #expect(built.contains("skipped 3 invalid row(s), kept 2"), "\(built)")
        #expect(built.contains("by reason:"), "counts by reason: \(built)")
        #expect(built.contains("wrote \(out): 2 sudoku examples"), "\(built)")
        // Without --skip-invalid, build stops at the first bad row and writes nothing.
        let strictOut = dir.file("strict.trmd").path
        let (s3, strict) = try TRMExecutable.run(["data", "build", url.path, "--kind", "sudoku", "-o", strictOut])
        #expect(s3 != 0 && s3 < 128, "\(strict)")
        #expect(strict.contains("bytes.csv:3"), "\(strict)")
        #expect(!FileManager.default.fileExists(atPath: strictOut))
    }

    @Test func maxErrorsLimitsTheListAndCountsTheRest() throws {
        let dir = TestDirectory()
        let input = try csv(Array(repeating: ("123", "456"), count: 5) + [(Self.puzzle, Self.answer)], in: dir)
        let (status, text) = try TRMExecutable.run(["data", "check", input.path, "--kind", "sudoku", "--max-errors", "2"])
        #expect(status == 1)
        #expect(text.contains("puzzles.csv:2:") && text.contains("puzzles.csv:3:"), "\(text)")
        #expect(!text.contains("puzzles.csv:4:"), "only two listed: \(text)")
        #expect(text.contains("... and 3 more"), "\(text)")
        #expect(text.contains("5 bad row(s), 1 valid"), "\(text)")
    }

    @Test func defaultListsTwentyThenCountsTheRest() throws {
        let dir = TestDirectory()
        let input = try csv(Array(repeating: ("123", "456"), count: 25) + [(Self.puzzle, Self.answer)], in: dir)
        let (status, text) = try TRMExecutable.run(["data", "check", input.path])
        #expect(status == 1)
        #expect(text.contains("puzzles.csv:21:") && !text.contains("puzzles.csv:22:"), "rows 2...21 listed: \(text)")
        #expect(text.contains("... and 5 more") && text.contains("25 bad row(s), 1 valid"), "\(text)")
    }

    @Test func aFileOfOnlyBadRowsListsThem() throws {
        let dir = TestDirectory()
        let input = try csv([("123", "456"), ("..3", "1"), ("abc", "def")], in: dir)
        let (status, text) = try TRMExecutable.run(["data", "check", input.path, "--kind", "sudoku"])
        #expect(status == 1)
        #expect(text.contains("3 bad row(s), 0 valid"), "\(text)")
        for line in 2...4 { #expect(text.contains("puzzles.csv:\(line):"), "\(text)") }
        let out = dir.file("none.trmd").path
        let (s2, built) = try TRMExecutable.run(["data", "build", input.path, "--kind", "sudoku", "--skip-invalid", "-o", out])
        #expect(s2 == 1 && built.contains("all 3 row(s) are bad; nothing written") && built.contains("puzzles.csv:4:"), "\(built)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aBadFirstRowDoesNotHideTheKind() throws {
        let dir = TestDirectory()
        // No --kind: the first data row is short, the second decides that this is Sudoku.
        let input = try csv([("123", "456"), (Self.puzzle, Self.answer)], in: dir)
        let (status, text) = try TRMExecutable.run(["data", "check", input.path])
        #expect(status == 1)
        #expect(text.contains("puzzles.csv:2:") && text.contains("1 bad row(s), 1 valid"), "\(text)")
    }

    @Test func generatedPuzzlesHaveUniqueSolutions() throws {
        let dir = TestDirectory()
        let out = dir.file("gen.csv").path
        let (status, text) = try TRMExecutable.run(["data", "generate", "sudoku", "--count", "3", "--clues", "36", "--seed", "5", "-o", out])
        #expect(status == 0, "\(text)")
        #expect(text.contains("wrote \(out): 3 puzzles"), "says where it wrote what: \(text)")
        let maze = dir.file("maze.csv").path
        let (s3, t3) = try TRMExecutable.run(["data", "generate", "maze", "--count", "1", "--side", "6", "--min-path-cells", "4", "-o", maze])
        #expect(s3 == 0 && t3.contains("wrote \(maze): 1 puzzle") && !t3.contains("1 puzzles"), "\(t3)")
        let (s2, checked) = try TRMExecutable.run(["data", "check", out, "--solve"])
        #expect(s2 == 0, "generated puzzles validate and solve uniquely: \(checked)")
    }

    /// A side other than 30 without --min-path-cells: Maze-Hard's 110 cells cannot be drawn on an
    /// 8x8 grid (it failed after 10,000 attempts before), so the default is 2 x side there.
    @Test func mazeSidesOtherThan30GetAPathLengthTheyCanHave() throws {
        let dir = TestDirectory()
        let maze = dir.file("m8.csv").path
        let (status, text) = try TRMExecutable.run(["data", "generate", "maze", "--count", "5", "--side", "8", "--seed", "3", "-o", maze])
        #expect(status == 0 && text.contains("wrote \(maze): 5 puzzles"), "\(text)")
        let rows = try String(contentsOfFile: maze, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 5)
        for row in rows {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields.count == 4 && fields[1].count == 64, "\(row)")
            // rating = steps = path cells - 1: at least 2 x 8 cells
            #expect((Int(fields[3]) ?? 0) >= 15, "\(row)")
        }
        let (checkStatus, checked) = try TRMExecutable.run(["data", "check", maze])
        #expect(checkStatus == 0, "\(checked)")
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
        let model = Repository.root.appendingPathComponent("Models/sudoku").path
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
