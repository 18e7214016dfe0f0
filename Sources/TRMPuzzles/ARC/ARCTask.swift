// ARC tasks: grids of colours 0...9 (at most 30x30), demonstration pairs and test pairs, loaded from
// the public JSON files `{"train": [{"input": [[...]], "output": [[...]]}], "test": [...]}`.
import Foundation
import TRMFiles

/// A rectangular grid of colours 0...9. cells: [rows * cols] row-major.
public struct ARCGrid: Sendable, Hashable, Codable, CustomStringConvertible {
    public static let maxSide = 30
    public var rows: Int
    public var cols: Int
    public var cells: [UInt8]

    public init(rows: Int, cols: Int, cells: [UInt8]) {
        precondition(cells.count == rows * cols, "grid cells do not match \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.cells = cells
    }

    /// From nested arrays; the reason on failure (ragged rows, colours outside 0...9, too large).
    public static func make(_ nested: [[Int]]) -> Result<ARCGrid, ARCGridFailure> {
        guard let width = nested.first?.count, width > 0 else { return .failure(ARCGridFailure(reason: "empty grid")) }
        guard nested.count <= maxSide, width <= maxSide else {
            return .failure(ARCGridFailure(reason: "grid is \(nested.count)x\(width); ARC grids are at most 30x30"))
        }
        var cells: [UInt8] = []
        cells.reserveCapacity(nested.count * width)
        for (r, row) in nested.enumerated() {
            guard row.count == width else { return .failure(ARCGridFailure(reason: "row \(r) has \(row.count) cells, row 0 has \(width)")) }
            for v in row {
                guard (0...9).contains(v) else { return .failure(ARCGridFailure(reason: "colour \(v) in row \(r) is outside 0...9")) }
                cells.append(UInt8(v))
            }
        }
        return .success(ARCGrid(rows: nested.count, cols: width, cells: cells))
    }

    public subscript(row: Int, col: Int) -> UInt8 { cells[row * cols + col] }

    /// Nested arrays, the JSON form.
    public var nested: [[Int]] { (0..<rows).map { r in (0..<cols).map { Int(cells[r * cols + $0]) } } }

    /// One line of digits per row.
    public var pretty: String {
        (0..<rows).map { r in String(cells[(r * cols)..<((r + 1) * cols)].map { Character(String($0)) }) }.joined(separator: "\n")
    }

    public var description: String { "\(rows)x\(cols)" }

    /// Hash of shape and cells (FNV-1a 64), stable across runs.
    public func hash(into h: inout UInt64) {
        for v in [UInt8(rows), UInt8(cols)] + cells { h = (h ^ UInt64(v)) &* 0x0000_0100_0000_01B3 }
    }
}

public struct ARCGridFailure: Error, Sendable, Equatable {
    public var reason: String
}

/// An input grid and its output (absent for hidden test answers).
public struct ARCPair: Sendable, Hashable {
    public var input: ARCGrid
    public var output: ARCGrid?

    public init(input: ARCGrid, output: ARCGrid?) {
        self.input = input
        self.output = output
    }
}

public struct ARCTask: Sendable, Hashable {
    /// The file name without `.json`.
    public var id: String
    public var train: [ARCPair]
    public var test: [ARCPair]

    public init(id: String, train: [ARCPair], test: [ARCPair]) {
        self.id = id
        self.train = train
        self.test = test
    }

    /// Hash of the test inputs: equal for the same task copied between collections under another name.
    public var contentHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for pair in test { pair.input.hash(into: &h) }
        return h
    }
}

public enum ARCTaskLoader {
    private struct RawPair: Decodable {
        var input: [[Int]]
        var output: [[Int]]?
    }

    private struct RawTask: Decodable {
        var train: [RawPair]
        var test: [RawPair]
    }

    /// Loads one task file. Demonstration pairs need outputs; test outputs are optional.
    public static func load(file path: String) throws(DataError) -> ARCTask {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        let id = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(data, id: id, file: path)
    }

    /// Parses task JSON. `file` is used in error messages.
    public static func parse(_ data: Data, id: String, file: String) throws(DataError) -> ARCTask {
        let raw: RawTask
        do { raw = try JSONDecoder().decode(RawTask.self, from: data) } catch {
            throw .malformedRow(DataLocation(file: file, line: 0), reason: "not an ARC task (expected {\"train\": [{\"input\", \"output\"}], \"test\": [...]}): \(shortReason(error))")
        }
        func grid(_ nested: [[Int]], _ what: String) throws(DataError) -> ARCGrid {
            switch ARCGrid.make(nested) {
            case .success(let g): return g
            case .failure(let f): throw .malformedRow(DataLocation(file: file, line: 0), reason: "\(what): \(f.reason)")
            }
        }
        var train: [ARCPair] = [], test: [ARCPair] = []
        for (i, p) in raw.train.enumerated() {
            guard let out = p.output else {
                throw .malformedRow(DataLocation(file: file, line: 0), reason: "train[\(i)] has no output")
            }
            train.append(ARCPair(input: try grid(p.input, "train[\(i)].input"), output: try grid(out, "train[\(i)].output")))
        }
        for (i, p) in raw.test.enumerated() {
            let out: ARCGrid? = try p.output.map { (o: [[Int]]) throws(DataError) in try grid(o, "test[\(i)].output") }
            test.append(ARCPair(input: try grid(p.input, "test[\(i)].input"), output: out))
        }
        guard !train.isEmpty || !test.isEmpty else { throw .empty(file: file) }
        return ARCTask(id: id, train: train, test: test)
    }

    /// Every `*.json` under `folder` (recursively), sorted by path. A single file path also works.
    public static func loadFolder(_ folder: String) throws(DataError) -> [ARCTask] {
        var report = SkipReport()
        return try loadFolder(folder, skipInvalid: false, report: &report)
    }

    /// Same, but with `skipInvalid` a bad task file is counted in `report` instead of stopping.
    public static func loadFolder(_ folder: String, skipInvalid: Bool, report: inout SkipReport) throws(DataError) -> [ARCTask] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw .unreadable(file: folder, reason: "no such file or folder")
        }
        if !isDirectory.boolValue { return [try load(file: folder)] }
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw .unreadable(file: folder, reason: "cannot list folder")
        }
        var files: [String] = []
        while let name = walker.nextObject() as? String {
            if name.hasSuffix(".json") { files.append((folder as NSString).appendingPathComponent(name)) }
        }
        files.sort()
        guard !files.isEmpty else { throw .empty(file: folder) }
        var tasks: [ARCTask] = []
        for f in files {
            do throws(DataError) {
                tasks.append(try load(file: f))
                report.accepted += 1
            } catch {
                if skipInvalid { report.record(error) } else { throw error }
            }
        }
        return tasks
    }

    static func shortReason(_ error: Error) -> String {
        error is DecodingError ? JSONText.decodingReason(error) : "\(error)"
    }
}
