// `trm data split` and `trm data overlap` end to end: held-out versions and repeats dropped and
// listed, rows kept as they were, files checked afterwards, and bad input refused with a reason.
import Foundation
import TRMPuzzles
import TRMTestSupport
import Testing

@Suite("trm data split and overlap", .enabled(if: TRMExecutable.url != nil, TRMExecutable.missing))
struct DataSplitCommandTests {
    static func rows(_ count: Int, seed: UInt64) throws -> [(question: SudokuGrid, answer: SudokuGrid)] {
        var rng = DeterministicRandom(seed: seed)
        return try (0..<count).map { _ in
            let g = try SudokuGenerator.generate(SudokuGeneratorOptions(clues: 30), using: &rng)
            return (g.puzzle, g.solution)
        }
    }

    static func write(_ rows: [(question: SudokuGrid, answer: SudokuGrid)], source: String, to url: URL) throws {
        let lines = rows.enumerated().map { "\(source)\($0.offset),\($0.element.question.line),\($0.element.answer.line),\($0.offset % 7)" }
        try (["source,question,answer,rating"] + lines).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
    }

    static func csvRows(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func splitDropsHeldOutVersionsAndRepeatsThenOverlapAgrees() throws {
        let dir = TestDirectory()
        let train = try Self.rows(30, seed: 1), test = try Self.rows(5, seed: 2)
        var rng = DeterministicRandom(seed: 3)
        let t = SudokuTransform.random(using: &rng)
        var all = train
        all.append((t.apply(test[2].question), t.apply(test[2].answer)))      // line 32: a test puzzle, turned
        let u = SudokuTransform.random(using: &rng)
        all.append((u.apply(train[4].question), u.apply(train[4].answer)))    // line 33: a repeat of line 6
        let (allURL, testURL) = (dir.file("all.csv"), dir.file("test.csv"))
        try Self.write(all, source: "g", to: allURL)
        try Self.write(test, source: "t", to: testURL)
        let (trainURL, valURL, droppedURL) = (dir.file("train.csv"), dir.file("val.csv"), dir.file("dropped.csv"))
        let (status, text) = try TRMExecutable.run(["data", "split", allURL.path, "--exclude", testURL.path, "--val", "5",
                                                    "-o", trainURL.path, "--val-output", valURL.path, "--dropped-output", droppedURL.path])
        #expect(status == 0, "\(text)")
        #expect(text.contains("test.csv: 5 held-out puzzles; 1 row(s) are versions of one"), "\(text)")
        #expect(text.contains("repeats (versions of an earlier row): 1"), "\(text)")
        let (kept, val) = (try Self.csvRows(trainURL), try Self.csvRows(valURL))
        #expect(kept.count == 25 && val.count == 5)
        #expect(Set((kept + val).map { $0[0] }) == Set((0..<30).map { "g\($0)" }), "every original row once, source kept")
        let original = Dictionary(uniqueKeysWithValues: try Self.csvRows(allURL).map { ($0[0], $0) })
        #expect((kept + val).allSatisfy { original[$0[0]] == $0 }, "rows are copied as they were")
        let dropped = try String(contentsOf: droppedURL, encoding: .utf8)
        #expect(dropped.contains("all.csv,32,held-out version,\(testURL.path),4"), "\(dropped)")
        #expect(dropped.contains("all.csv,33,repeat,\(allURL.path),6"), "\(dropped)")
        // The same seed gives the same files; overlap finds nothing in them and the turned test
        // puzzle in the input.
        let again = dir.file("train2.csv")
        _ = try TRMExecutable.run(["data", "split", allURL.path, "--exclude", testURL.path, "--val", "5",
                                   "-o", again.path, "--val-output", dir.file("val2.csv").path])
        #expect(try Data(contentsOf: again) == Data(contentsOf: trainURL))
        let (okStatus, okText) = try TRMExecutable.run(["data", "overlap", trainURL.path, valURL.path, "--heldout", testURL.path])
        #expect(okStatus == 0 && okText.contains("ok: none of the 30 sudoku rows"), "\(okText)")
        let (badStatus, badText) = try TRMExecutable.run(["data", "overlap", allURL.path, "--heldout", testURL.path])
        #expect(badStatus == 1, "\(badText)")
        #expect(badText.contains("all.csv:32 = \(testURL.path):4") && badText.contains("1 of 32 rows"), "\(badText)")
        // Mixing two files without a validation split (the training mix of the model recipes).
        let mix = dir.file("mix.csv")
        let (mixStatus, mixText) = try TRMExecutable.run(["data", "split", trainURL.path, valURL.path, "--keep-order", "-o", mix.path])
        #expect(mixStatus == 0, "\(mixText)")
        #expect(try Self.csvRows(mix) == kept + val)
    }

    @Test func badInputIsRefusedWithAReason() throws {
        let dir = TestDirectory()
        let input = dir.file("all.csv")
        try Self.write(try Self.rows(4, seed: 5), source: "g", to: input)
        let out = dir.file("train.csv").path
        func refuses(_ args: [String], _ expected: String) throws {
            let (status, text) = try TRMExecutable.run(["data"] + args)
            #expect(status != 0 && status < 128, "\(args): \(text)")
            #expect(text.contains(expected), "\(args): \(text)")
        }
        try refuses(["split", input.path, "--val", "2", "-o", out], "--val 2 needs --val-output")
        try refuses(["split", input.path, "--val", "4", "-o", out, "--val-output", dir.file("v.csv").path], "4 puzzle(s) left")
        try refuses(["split", input.path, "-o", input.path], "both an input and an output")
        try refuses(["overlap", input.path], "--heldout")
        let maze = dir.file("maze.csv")
        try "source,question,answer,rating\ng,S  #   G,Soo#  ooG,3\n".write(to: maze, atomically: true, encoding: .utf8)
        try refuses(["split", input.path, "--exclude", maze.path, "-o", out], "maze.csv holds maze puzzles, the training rows are sudoku")
        let broken = dir.file("broken.csv")
        var text = try String(contentsOf: input, encoding: .utf8)
        text += "g9,123,456,0\n"
        try text.write(to: broken, atomically: true, encoding: .utf8)
        try refuses(["split", broken.path, "-o", out], "broken.csv:6")
        try refuses(["split", dir.file("missing.csv").path, "-o", out], "missing.csv")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written after a refusal")
    }
}
