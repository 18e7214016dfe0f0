// The binary dataset file: round trip, checksum, truncation, atomic replacement.
import Foundation
import Testing
import TRMTestSupport
@testable import TRMPuzzles

@Suite struct DatasetFileTests {
    /// This test's own folder, removed when the test ends.
    let dir = TestDirectory()

    static func sample() -> PuzzleDataset {
        var d = StreamBenchmark.syntheticSudoku(count: 50)
        d.labels[3] = PuzzleDataset.ignoreLabel
        d.metadata["note"] = "hello"
        return d
    }

    @Test func roundTripsCompactTokens() throws {
        let d = Self.sample()
        let path = dir.file("a.trmd").path
        try DatasetFile.write(d, to: path, sources: ["x.csv"], skippedRows: 2)
        let (back, manifest) = try DatasetFile.read(path: path)
        #expect(back == d)
        #expect(manifest.tokenBytes == 1)
        #expect(manifest.count == 50 && manifest.skippedRows == 2 && manifest.sources == ["x.csv"])
        #expect(try DatasetFile.readManifest(path: path) == manifest)
        // No temporary file of this write is left behind. (Only this file's: the folder is shared
        // with tests running in parallel, whose writes may be in flight right now; checking every
        // ".tmp-" name there failed once in CI for that reason.)
        let folder = (path as NSString).deletingLastPathComponent
        let ownTemporary = (path as NSString).lastPathComponent + ".tmp-"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasPrefix(ownTemporary) })
    }

    @Test func keepsRatings() throws {
        var d = Self.sample()
        d.ratings = (0..<Int32(d.count)).map { $0 % 7 == 0 ? -1 : $0 % 5 }
        let path = dir.file("r.trmd").path
        try DatasetFile.write(d, to: path)
        let (back, manifest) = try DatasetFile.read(path: path)
        #expect(back.ratings == d.ratings && back == d)
        #expect(manifest.ratings == true)
        // A file without ratings stays as before: no flag, no extra bytes.
        let plain = dir.file("p.trmd").path
        try DatasetFile.write(Self.sample(), to: plain)
        let (noRatings, plainManifest) = try DatasetFile.read(path: plain)
        #expect(noRatings.ratings == nil && plainManifest.ratings == nil)
        #expect(manifest.payloadBytes == plainManifest.payloadBytes + 4 * d.count)
    }

    @Test func roundTripsWideTokens() throws {
        var d = PuzzleDataset(kind: .grid, seqLen: 4, vocabSize: 300, numPuzzleIdentifiers: 3, gridRows: 2, gridCols: 2)
        d.append(input: [1, 299, 0, 7], label: [PuzzleDataset.ignoreLabel, 298, 3, 4], puzzleIdentifier: 2)
        let path = dir.file("w.trmd").path
        try DatasetFile.write(d, to: path)
        let (back, manifest) = try DatasetFile.read(path: path)
        #expect(back == d && manifest.tokenBytes == 4)
    }

    @Test func detectsDamage() throws {
        let path = dir.file("b.trmd").path
        try DatasetFile.write(Self.sample(), to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 100] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect { try DatasetFile.read(path: path) } throws: { ($0 as? DataError)?.description.contains("checksum") == true }
        // Truncated.
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        #expect { try DatasetFile.read(path: path) } throws: { ($0 as? DataError)?.description.contains("truncated") == true }
        // Not a dataset at all.
        try Data("source,question\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try DatasetFile.read(path: path) } throws: { ($0 as? DataError)?.description.contains("TRMDSET1") == true }
        #expect(throws: DataError.self) { try DatasetFile.read(path: "/nonexistent/x.trmd") }
    }

    @Test(arguments: [
        ("count", "9223372036854775807"),  // size overflow
        ("count", "-1"),
        ("seqLen", "0"),
        ("seqLen", "80"),                  // the 9x9 grid does not cover it
        ("gridRows", "4611686018427387904"),
        ("tokenBytes", "2"),
    ])
    func hostileManifestsAreRefusedNotCrashed(_ key: String, _ value: String) throws {
        let path = dir.file("h.trmd").path
        try DatasetFile.write(Self.sample(), to: path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        var json = String(decoding: bytes[16..<(16 + length)], as: UTF8.self)
        let pattern = "\"\(key)\":[0-9]+"
        let range = try #require(json.range(of: pattern, options: .regularExpression))
        json.replaceSubrange(range, with: "\"\(key)\":\(value)")
        var newJSON = Array(json.trimmingCharacters(in: .whitespaces).utf8)
        while newJSON.count % 8 != 0 { newJSON.append(0x20) }
        bytes = Array(bytes[0..<8]) + [UInt8(newJSON.count & 0xFF), UInt8(newJSON.count >> 8), 0, 0, 0, 0, 0, 0]
            + newJSON + Array(bytes[(16 + length)...])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.self) { _ = try DatasetFile.read(path: path).manifest }
    }

    @Test func refusesInconsistentDatasets() {
        var d = Self.sample()
        d.inputs[0] = 99
        #expect(throws: DataError.self) { try DatasetFile.encode(d) }
    }

    @Test func atomicWriteReplacesAnExistingFile() throws {
        let path = dir.file("c.trmd").path
        try DatasetFile.write(Self.sample(), to: path)
        let small = Self.sample().prefix(5)
        try DatasetFile.write(small, to: path)
        #expect(try DatasetFile.read(path: path).dataset == small)
        #expect(throws: DataError.self) { try DatasetFile.write(small, to: "/nonexistent-folder/x.trmd") }
    }
}

@Suite struct DisplayAndStatisticsTests {
    @Test func rendersEveryKind() throws {
        let sudoku = StreamBenchmark.syntheticSudoku(count: 2)
        #expect(PuzzleDisplay.render(sudoku, index: 1).contains("+-------+-------+-------+"))
        var rng = DeterministicRandom(seed: 1)
        let maze = PuzzleDataset.maze([try MazeGenerator.generate(MazeGeneratorOptions(side: 8, wallDensity: 0.2, minPathCells: 8), using: &rng)])
        let text = PuzzleDisplay.render(maze, index: 0)
        #expect(text.contains("S") && text.contains("G") && text.contains("o"))
        let task = ARCTask(id: "t", train: [ARCPair(input: try ARCGrid.make([[1, 2]]).get(), output: try ARCGrid.make([[3], [4]]).get())], test: [])
        let arc = try ARCDatasetBuilder.build(training: [task], evaluation: [], options: ARCBuildOptions(versionsPerTask: 1)).train
        #expect(PuzzleDisplay.render(arc, index: 0).contains("1x2"))
        // Garbage tokens fall back to numbers rather than crashing.
        var broken = sudoku
        broken.inputs[0] = 0
        #expect(PuzzleDisplay.render(broken, index: 0).contains("0 "))
    }

    @Test func statisticsCountTokensAndIgnoredLabels() {
        var d = PuzzleDataset(kind: .grid, seqLen: 4, vocabSize: 3, numPuzzleIdentifiers: 1, gridRows: 2, gridCols: 2)
        d.append(input: [1, 1, 2, 0], label: [1, 2, PuzzleDataset.ignoreLabel, PuzzleDataset.ignoreLabel])
        let s = DatasetStatistics(d)
        #expect(s.inputTokenCounts == [1, 2, 1])
        #expect(s.ignoredLabelFraction == 0.5)
        #expect(s.changedCellFraction == 0.5)
        #expect(s.puzzlesWithSeveralRightAnswers == nil, "only mazes have several right answers")
    }

    @Test func statisticsCountMazesWithSeveralShortestPaths() throws {
        let room = try MazeGrid.parse("S       G", allowPath: false).get()
        let corridor = try MazeGrid.parse("S#  #   G", allowPath: false).get()
        let records = try [room, corridor, room].map { q in MazeRecord(question: q, answer: try #require(MazeSolver.solve(q))) }
        #expect(DatasetStatistics(PuzzleDataset.maze(records)).puzzlesWithSeveralRightAnswers == 2)
    }
}
