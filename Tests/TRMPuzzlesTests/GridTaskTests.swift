// User-defined grid tasks (JSONL) and the CSV importer.
import Foundation
import Testing
@testable import TRMPuzzles

/// The example from the README and the GridTask.swift header.
let readmeGridExample = """
{"format": "trm-grid", "alphabet": ".123", "rows": 2, "cols": 3}
{"id": "a", "input": ["1.3", "..2"], "target": ["123", "312"], "mask": ["010", "110"]}
{"input": "1.3..2", "target": "123312"}
{"id": "a", "input": "1.3..2", "target": "123312"}
"""

@Suite struct GridTaskTests {
    @Test func badBytesAreRowProblemsLikeInCSV() throws {
        let good = Data(#"{"input": "1.3..2", "target": "123312"}"#.utf8) + Data("\n".utf8)
        var data = Data(#"{"format": "trm-grid", "alphabet": ".123", "rows": 2, "cols": 3}"#.utf8) + Data("\n".utf8)
        data += good                                                                              // line 2
        data += Data(#"{"input": "1.3..2", "target": "12"#.utf8) + Data([0xFF]) + Data(#"312"}"#.utf8) + Data("\n".utf8)  // 3
        data += Data(#"{"input": "1.3"#.utf8) + Data([0x00]) + Data(#"..2", "target": "123312"}"#.utf8) + Data("\r\n".utf8) // 4
        data += Data(#"{"input": ""#.utf8) + Data(repeating: UInt8(ascii: "1"), count: 2 << 20) + Data("\"}\n".utf8)      // 5
        data += good                                                                              // line 6
        var report = SkipReport()
        let d = try GridTaskReader.parse(data, file: "g.jsonl", skipInvalid: true, report: &report)
        #expect(d.count == 2 && report.accepted == 2 && report.skipped == 3)
        #expect(report.messages == ["g.jsonl:3: malformed row: invalid UTF-8 near character 34",
                                    "g.jsonl:4: malformed row: a NUL byte at column 15 (binary data, not puzzle text)",
                                    "g.jsonl:5: malformed row: the line is \((2 << 20) + 13) bytes long (at most \(1 << 20) bytes per line)"],
                "\(report.messages)")
        var strict = SkipReport()
        #expect(throws: DataError.malformedRow(DataLocation(file: "g.jsonl", line: 3), reason: "invalid UTF-8 near character 34")) {
            _ = try GridTaskReader.parse(data, file: "g.jsonl", skipInvalid: false, report: &strict)
        }
    }

    @Test func readsTheDocumentedFormat() throws {
        var report = SkipReport()
        let d = try GridTaskReader.parse(Data(readmeGridExample.utf8), file: "g.jsonl", skipInvalid: false, report: &report)
        #expect(d.kind == .grid && d.count == 3 && d.seqLen == 6 && d.vocabSize == 5)
        #expect(d.gridRows == 2 && d.gridCols == 3)
        #expect(Array(d.input(0)) == [2, 1, 4, 1, 1, 3])
        let x = PuzzleDataset.ignoreLabel
        #expect(Array(d.label(0)) == [x, 3, x, 4, 2, x])
        #expect(Array(d.label(1)) == [2, 3, 4, 4, 2, 3])
        #expect(d.puzzleIdentifiers == [1, 0, 1])
        #expect(d.numPuzzleIdentifiers == 2)
        #expect(d.consistencyProblem == nil)
        #expect(report.accepted == 3)
        #expect(PuzzleDisplay.render(d, index: 0).contains("?2?"))
    }

    @Test func badLinesNameTheLineAndReason() {
        let header = #"{"format": "trm-grid", "alphabet": "ab", "rows": 1, "cols": 2}"#
        let cases: [(String, String)] = [
            (#"{"input": "ax", "target": "ab"}"#, "not in the alphabet"),
            (#"{"input": "abc", "target": "ab"}"#, "has 3 cells"),
            (#"{"input": ["ab", "ab"], "target": "ab"}"#, "has 2 rows"),
            (#"{"input": "ab", "target": "ab", "mask": "12"}"#, "mask cell 1"),
            (#"{"input": "ab"}"#, "missing \"target\""),
            (#"{"input": "ab", "target": "ab", "colour": 1}"#, "unknown key"),
            (#"{"input": 5, "target": "ab"}"#, "must be a string"),
            (#"[1, 2]"#, "JSON object"),
            (#"{"input": "ab", "#, "not valid JSON"),
        ]
        for (line, reason) in cases {
            var report = SkipReport()
            let text = header + "\n\n" + line + "\n"
            do {
                _ = try GridTaskReader.parse(Data(text.utf8), file: "g.jsonl", skipInvalid: false, report: &report)
                Issue.record("accepted \(line)")
            } catch {
                #expect(error.description.contains("g.jsonl:3"), "\(error)")
                #expect(error.description.contains(reason), "\(error)")
            }
        }
    }

    @Test func badHeadersAreRefused() {
        for header in [#"{"alphabet": "aa", "rows": 1, "cols": 1}"#, #"{"alphabet": "", "rows": 1, "cols": 1}"#,
                       #"{"alphabet": "ab", "rows": 0, "cols": 1}"#, #"{"input": "ab", "target": "ab"}"#,
                       #"{"format": "other", "alphabet": "ab", "rows": 1, "cols": 1}"#] {
            var report = SkipReport()
            #expect(throws: DataError.self) {
                try GridTaskReader.parse(Data((header + "\n" + #"{"input": "a", "target": "b"}"#).utf8), file: "g", skipInvalid: false, report: &report)
            }
        }
        var report = SkipReport()
        #expect(throws: DataError.self) { try GridTaskReader.parse(Data(), file: "g", skipInvalid: false, report: &report) }
    }

    @Test func skipInvalidCountsBadLines() throws {
        let text = """
        {"format": "trm-grid", "alphabet": "ab", "rows": 1, "cols": 2}
        {"input": "ab", "target": "ba"}
        {"input": "zz", "target": "ba"}
        {"input": "ab", "target": "b"}
        {"input": "bb", "target": "aa"}
        """
        var report = SkipReport()
        let d = try GridTaskReader.parse(Data(text.utf8), file: "g", skipInvalid: true, report: &report)
        #expect(d.count == 2 && report.accepted == 2 && report.skipped == 2)
        #expect(report.messages.count == 2 && report.messages[0].contains("g:3"))
    }

    @Test func importsTheCSVSchema() throws {
        let csv = "source,question,answer,rating\r\nx,a.,ab,0\r\ny,.b,ab,1\r\n"
        let rows = try PuzzleRowReader.parse(Data(csv.utf8), file: "t.csv")
        var report = SkipReport()
        let d = try GridTaskReader.importCSV(rows, spec: GridTaskSpec(alphabet: ".ab", rows: 1, cols: 2), file: "t.csv",
                                             idFromSource: true, report: &report)
        #expect(d.count == 2 && d.vocabSize == 4)
        #expect(Array(d.input(0)) == [2, 1] && Array(d.label(1)) == [2, 3])
        #expect(d.puzzleIdentifiers == [1, 2] && d.numPuzzleIdentifiers == 3)
        var bad = SkipReport()
        let badRows = try PuzzleRowReader.parse(Data("source,question,answer,rating\nx,a?,ab,0\n".utf8), file: "t.csv")
        #expect(throws: DataError.self) {
            try GridTaskReader.importCSV(badRows, spec: GridTaskSpec(alphabet: ".ab", rows: 1, cols: 2), file: "t.csv", report: &bad)
        }
    }
}
