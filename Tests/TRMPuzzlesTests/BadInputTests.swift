// Every kind of bad input: each must give a typed error naming file, line and reason, never a crash;
// --skip-invalid must count and continue.
import Foundation
import Testing
import TRMTestSupport
@testable import TRMPuzzles

private let header = "source,question,answer,rating"
private let goodQ = ".8....9.5.9.3....61..2.....2.4..1................9.5...6..5.............3......2."
private let goodA = "682147935497385216153269487234571869579628143816493572761852394928734651345916728"

private func swap(_ s: String, at i: Int, with c: Character) -> String {
    var a = Array(s); a[i] = c; return String(a)
}

@Suite struct BadInputTests {
    /// This test's own folder, removed when the test ends.
    let dir = TestDirectory()

    /// Writes text to a new file in this test's folder (a test may write several of one name) and
    /// returns its path.
    func file(_ text: String, _ name: String = "bad.csv") throws -> String {
        let path = dir.file("\(UUID().uuidString)-\(name)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [
        ("x,\(goodQ),\(goodA)", "expected 4 comma-separated fields"),
        ("x,\(goodQ.dropLast()),\(goodA),0", "expected 81 cells, found 80"),
        ("x,\(goodQ)1,\(goodA),0", "expected 81 cells, found 82"),
        ("x,\(swap(goodQ, at: 0, with: "x")),\(goodA),0", "unknown character 'x' at position 1"),
        ("x,\(goodQ),\(swap(goodA, at: 1, with: "1")),0", "contradicts clue 8"),
        ("x,\(goodQ),\(swap(goodA, at: 0, with: "1")),0", "breaks the rules"),
        ("x,\(goodQ),\(swap(goodA, at: 5, with: ".")),0", "answer has a blank"),
        ("x,\(swap(goodQ, at: 0, with: "8")),\(goodA),0", "appears twice"),
        ("x,\(goodQ),\(goodA.prefix(10)),0", "answer: expected 81 cells"),
    ])
    func sudokuRowsAreRejectedWithFileLineAndReason(_ row: String, _ reason: String) throws {
        let path = try file("\(header)\n\(goodQ.prefix(0))x,\(goodQ),\(goodA),0\n\(row)\n")
        do {
            _ = try PuzzleLoader.load(paths: [path], options: LoadOptions(kind: .sudoku))
            Issue.record("accepted \(row)")
        } catch {
            #expect(error.description.contains("\(path):3"), "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func skipInvalidKeepsTheGoodRows() throws {
        let bad = "x,\(swap(goodQ, at: 0, with: "x")),\(goodA),0"
        let path = try file("\(header)\nx,\(goodQ),\(goodA),0\n\(bad)\n\(bad)\nx,\(goodQ),\(goodA),3\n")
        let loaded = try PuzzleLoader.load(paths: [path], options: LoadOptions(kind: .sudoku, skipInvalid: true))
        #expect(loaded.dataset.count == 2)
        #expect(loaded.report.accepted == 2 && loaded.report.skipped == 2)
        #expect(loaded.report.messages[1].contains(":4"))
        // Only bad rows: an empty result is an error, not an empty dataset.
        let allBad = try file("\(header)\n\(bad)\n")
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: [allBad], options: LoadOptions(kind: .sudoku, skipInvalid: true)) }
    }

    @Test func plainLinesAreSolvedWhenNoAnswerIsGiven() throws {
        let path = try file("\(goodQ)\n\n\(goodQ.replacingOccurrences(of: ".", with: "0"))\n", "plain.txt")
        let loaded = try PuzzleLoader.load(paths: [path])
        #expect(loaded.dataset.kind == .sudoku && loaded.dataset.count == 2)
        #expect(loaded.sudoku[0].solution.line == goodA)
        // An ambiguous plain puzzle (too few clues) is refused.
        let ambiguous = try file(String(repeating: ".", count: 81) + "\n", "plain2.txt")
        #expect { try PuzzleLoader.load(paths: [ambiguous], options: LoadOptions(kind: .sudoku)) } throws: {
            ($0 as? DataError)?.description.contains("more than one solution") == true
        }
    }

    @Test func mazeRowsAreRejectedWithFileLineAndReason() throws {
        let q = String(repeating: " ", count: 898)
        let open = "S" + q + "G"
        let cases: [(String, String)] = [
            ("m,\(open.dropLast()),,0", "expected a square maze"),
            ("m,\(swap(open, at: 5, with: "x")),,0", "unknown character 'x'"),
            ("m,\(swap(open, at: 0, with: " ")),,0", "exactly one 'S'"),
            ("m,\(open),\(swap(open, at: 1, with: "o")),0", "do not connect S to G"),
            ("m,\(open),\(swap(open, at: 0, with: "o")),0", "answer: a maze needs exactly one"),
            ("m,\(open),\(swap(open, at: 1, with: "#")),0", "changes the cell"),
            ("m,S#\(String(repeating: " ", count: 28))#\(String(repeating: " ", count: 868))G,,0", "cannot be reached"),
        ]
        for (row, reason) in cases {
            let path = try file("\(header)\n\(row)\n", "maze.csv")
            do {
                _ = try PuzzleLoader.load(paths: [path], options: LoadOptions(kind: .maze))
                Issue.record("accepted \(reason)")
            } catch {
                #expect(error.description.contains("\(path):2"), "\(error)")
                #expect(error.description.contains(reason), "\(error)")
            }
        }
    }

    @Test func unreadableAndUnrecognisedFiles() throws {
        #expect { try PuzzleLoader.load(paths: ["/nonexistent/file.csv"]) } throws: {
            ($0 as? DataError)?.description.contains("/nonexistent/file.csv") == true
        }
        let odd = try file("hello world, this is not a puzzle\n", "odd.txt")
        #expect { try PuzzleLoader.load(paths: [odd]) } throws: {
            if case .unknownKind = $0 as? DataError { return true } else { return false }
        }
        let empty = try file("\n\n", "empty.csv")
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: [empty]) }
        let headerOnly = try file("\(header)\n", "h.csv")
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: [headerOnly], options: LoadOptions(kind: .sudoku)) }
        let binary = try file("\u{0}\u{1}\u{2}\u{FF}", "bin.csv")
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: [binary]) }
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: []) }
        let good = try file("\(header)\nx,\(goodQ),\(goodA),0\n")
        #expect(throws: DataError.self) { try PuzzleLoader.load(paths: [good], options: LoadOptions(limit: -3)) }
        #expect(try PuzzleLoader.load(paths: [good], options: LoadOptions(limit: 1)).dataset.count == 1)
    }

    @Test func kindIsDetectedFromContent() throws {
        #expect(try PuzzleLoader.detectKind(path: try file("\(header)\nx,\(goodQ),\(goodA),0\n")) == .sudoku)
        #expect(try PuzzleLoader.detectKind(path: try file("\(goodQ)\n", "p.txt")) == .sudoku)
        #expect(try PuzzleLoader.detectKind(path: try file("\(header)\r\nm, S#G,,0\r\n")) == .maze)
        #expect(try PuzzleLoader.detectKind(path: try file(readmeGridExample, "g.jsonl")) == .grid)
        #expect(try PuzzleLoader.detectKind(path: try file(#"{"train": [], "test": []}"#, "t.json")) == .arc)
    }

    @Test func csvQuotingAndCarriageReturns() throws {
        let rows = try PuzzleRowReader.parse(Data("source,question,answer,rating\r\n\"a, \"\"b\"\"\",\(goodQ),\(goodA),12\r\n".utf8), file: "q.csv")
        #expect(rows.count == 1)
        #expect(rows[0].source == "a, \"b\"" && rows[0].question == goodQ && rows[0].rating == 12 && rows[0].line == 2)
        // Leading spaces are cells, not padding.
        let maze = try PuzzleRowReader.parse(Data("source,question,answer,rating\nm,  S,,0\n".utf8), file: "m.csv")
        #expect(maze[0].question == "  S")
    }

    @Test func reasonsCountAlikeRowsTogetherAndKeepTheirWords() {
        let here = DataLocation(file: "f.csv", line: 12)
        // Row numbers and counts vary from row to row: blanked, so alike rows count together.
        #expect(DataError.malformedRow(here, reason: "expected 4 fields, found 2").reasonKind
                == DataError.malformedRow(DataLocation(file: "f.csv", line: 9), reason: "expected 4 fields, found 17").reasonKind)
        #expect(DataError.malformedRow(here, reason: "expected 4 fields, found 2").reasonKind == "malformed row: expected N fields, found N")
        // Digits that belong to a word, a quoted character or a quoted alphabet are the reason itself.
        #expect(DataError.malformedRow(here, reason: "invalid UTF-8 near character 31").reasonKind
                == "malformed row: invalid UTF-8 near character N")
        #expect(DataError.invalidPuzzle(here, reason: "cell '7' is not in the alphabet \".0123456789\"").reasonKind
                == "invalid puzzle: cell '7' is not in the alphabet \".0123456789\"")
    }
}
