// User-defined grid tasks: a JSONL format so a user can train on their own structured problem.
//
// Line 1 declares the alphabet and grid shape; every other line is one example:
//
//   {"format": "trm-grid", "alphabet": ".123", "rows": 2, "cols": 3}
//   {"id": "a", "input": ["1.3", "..2"], "target": ["123", "312"], "mask": ["010", "110"]}
//   {"input": "1.3..2", "target": "123312"}
//
// - `alphabet`: the distinct characters a grid may hold; character k becomes token k + 1 (0 is pad),
//   so vocabSize = alphabet length + 1.
// - `input`, `target`: the grid as a list of `rows` strings of `cols` characters, or one string of
//   rows * cols characters (row-major).
// - `mask` (optional): same shape, `1` where the model must predict the target and `0` where the
//   label is ignored (-100). Without a mask every cell is predicted.
// - `id` (optional): a puzzle identifier; examples sharing an id share a learned puzzle embedding.
//   Examples without one get identifier 0.
// - `augment` (optional, in the header): the symmetries and symbol permutations that leave the
//   task's meaning unchanged (GridAugmentation); training augments and evaluation votes with them.
import Foundation

/// The header line of a grid JSONL file.
public struct GridTaskSpec: Sendable, Equatable, Codable {
    public var format: String = "trm-grid"
    public var alphabet: String
    public var rows: Int
    public var cols: Int
    /// Symmetries and symbol permutations training may apply (nil: none).
    public var augment: GridAugmentation?

    public init(alphabet: String, rows: Int, cols: Int, augment: GridAugmentation? = nil) {
        self.alphabet = alphabet
        self.rows = rows
        self.cols = cols
        self.augment = augment
    }

    /// The dataset metadata this header records (alphabet, declared augmentation).
    var metadata: [String: String] {
        var m = ["grid.alphabet": alphabet]
        if let augment, let json = try? JSONEncoder().encode(augment) { m[GridAugmentation.metadataKey] = String(decoding: json, as: UTF8.self) }
        return m
    }

    public var vocabSize: Int { alphabet.count + 1 }

    /// Character -> token (1-based position in the alphabet).
    func tokenTable() -> [Character: Int32] {
        var t: [Character: Int32] = [:]
        for (i, ch) in alphabet.enumerated() { t[ch] = Int32(i + 1) }
        return t
    }

    /// Why this header cannot be used, or nil.
    var problem: String? {
        if alphabet.isEmpty { return "alphabet is empty" }
        if Set(alphabet).count != alphabet.count { return "alphabet \"\(alphabet)\" repeats a character" }
        if alphabet.count > 250 { return "alphabet has \(alphabet.count) characters; at most 250" }
        if rows < 1 || cols < 1 || rows > 65_536 || cols > 65_536 || rows * cols > 65_536 { return "grid shape \(rows)x\(cols) is not usable (1...65536 cells)" }
        if let augment, let p = augment.problem(for: self) { return p }
        return nil
    }
}

/// One example of a grid task.
public struct GridExample: Sendable, Equatable {
    /// [rows * cols] tokens
    public var input: [Int32]
    /// [rows * cols] tokens, ignore label where masked out
    public var label: [Int32]
    public var id: String?
}

public enum GridTaskReader {
    /// Reads a grid JSONL file into a dataset. With `skipInvalid`, bad lines are counted in the
    /// report instead of stopping the read.
    public static func read(path: String, skipInvalid: Bool = false, report: inout SkipReport) throws(DataError) -> PuzzleDataset {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        return try parse(data, file: path, skipInvalid: skipInvalid, report: &report)
    }

    public static func parse(_ data: Data, file: String, skipInvalid: Bool, report: inout SkipReport) throws(DataError) -> PuzzleDataset {
        // Bad bytes (NUL, invalid UTF-8, an overlong line) are found before any JSON is decoded,
        // with the same messages as the CSV reader's.
        let byteProblems = PuzzleRowReader.byteProblems(data)
        let text = String(decoding: data, as: UTF8.self)
        var spec: GridTaskSpec?
        var table: [Character: Int32] = [:]
        var dataset: PuzzleDataset?
        var ids: [String: Int32] = [:]
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let at = DataLocation(file: file, line: index + 1)
            if let problem = byteProblems[index + 1] {
                // The header cannot be skipped: without it no row can be read.
                if spec == nil || !skipInvalid { throw .malformedRow(at, reason: problem) }
                report.record(.malformedRow(at, reason: problem))
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let currentSpec = spec else {
                spec = try header(trimmed, at: at)
                table = spec!.tokenTable()
                dataset = PuzzleDataset(kind: .grid, seqLen: spec!.rows * spec!.cols, vocabSize: spec!.vocabSize,
                                        numPuzzleIdentifiers: 1, gridRows: spec!.rows, gridCols: spec!.cols,
                                        metadata: spec!.metadata)
                continue
            }
            do {
                let example = try self.example(trimmed, spec: currentSpec, table: table, at: at)
                var pid: Int32 = 0
                if let id = example.id {
                    if let known = ids[id] { pid = known } else { pid = Int32(ids.count + 1); ids[id] = pid }
                }
                dataset!.append(input: example.input, label: example.label, puzzleIdentifier: pid)
                report.accepted += 1
            } catch {
                if skipInvalid { report.record(error) } else { throw error }
            }
        }
        guard var d = dataset else { throw .empty(file: file) }
        guard d.count > 0 else { throw .empty(file: file) }
        d.numPuzzleIdentifiers = ids.count + 1
        return d
    }

    static func header(_ line: String, at: DataLocation) throws(DataError) -> GridTaskSpec {
        let spec: GridTaskSpec
        do { spec = try JSONDecoder().decode(GridTaskSpec.self, from: Data(line.utf8)) } catch {
            throw .malformedRow(at, reason: "the first line must be the header {\"format\": \"trm-grid\", \"alphabet\": \"...\", \"rows\": R, \"cols\": C} (optional \"augment\": {\"symmetries\": [...], \"permute\": [...]}) (\(ARCTaskLoader.shortReason(error)))")
        }
        guard spec.format == "trm-grid" else { throw .malformedRow(at, reason: "format is \"\(spec.format)\", expected \"trm-grid\"") }
        if let problem = spec.problem { throw .malformedRow(at, reason: problem) }
        return spec
    }

    /// Parses one example line.
    public static func example(_ line: String, spec: GridTaskSpec, table: [Character: Int32], at: DataLocation) throws(DataError) -> GridExample {
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DataError.malformedRow(at, reason: "expected a JSON object {\"input\": ..., \"target\": ...}")
            }
            object = o
        } catch let e as DataError {
            throw e
        } catch {
            throw .malformedRow(at, reason: "not valid JSON")
        }
        let known: Set<String> = ["id", "input", "target", "mask"]
        if let extra = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .malformedRow(at, reason: "unknown key \"\(extra)\" (allowed: id, input, target, mask)")
        }
        guard let inputValue = object["input"] else { throw .malformedRow(at, reason: "missing \"input\"") }
        guard let targetValue = object["target"] else { throw .malformedRow(at, reason: "missing \"target\"") }
        let input = try cells(inputValue, "input", spec: spec, at: at)
        let target = try cells(targetValue, "target", spec: spec, at: at)
        var predict = [Bool](repeating: true, count: spec.rows * spec.cols)
        if let maskValue = object["mask"] {
            let mask = try cells(maskValue, "mask", spec: spec, at: at)
            for (i, ch) in mask.enumerated() {
                switch ch {
                case "1": predict[i] = true
                case "0": predict[i] = false
                default: throw .malformedRow(at, reason: "mask cell \(i) is '\(ch)'; use '1' (predict) or '0' (ignore)")
                }
            }
        }
        func tokens(_ chars: [Character], _ what: String) throws(DataError) -> [Int32] {
            var out: [Int32] = []
            out.reserveCapacity(chars.count)
            for (i, ch) in chars.enumerated() {
                guard let t = table[ch] else {
                    throw .malformedRow(at, reason: "\(what) cell \(i) (row \(i / spec.cols + 1), column \(i % spec.cols + 1)) is '\(ch)', not in the alphabet \"\(spec.alphabet)\"")
                }
                out.append(t)
            }
            return out
        }
        let inputTokens = try tokens(input, "input")
        var labels = try tokens(target, "target")
        for i in labels.indices where !predict[i] { labels[i] = PuzzleDataset.ignoreLabel }
        let id: String?
        switch object["id"] {
        case nil, is NSNull: id = nil
        case let s as String: id = s
        case let n as NSNumber: id = n.stringValue
        default: throw .malformedRow(at, reason: "\"id\" must be a string or number")
        }
        return GridExample(input: inputTokens, label: labels, id: id)
    }

    /// A grid value (list of row strings, or one string) -> rows*cols characters.
    static func cells(_ value: Any, _ what: String, spec: GridTaskSpec, at: DataLocation) throws(DataError) -> [Character] {
        let expected = spec.rows * spec.cols
        if let s = value as? String {
            let chars = Array(s)
            guard chars.count == expected else {
                throw .malformedRow(at, reason: "\(what) has \(chars.count) cells, expected \(spec.rows)x\(spec.cols) = \(expected)")
            }
            return chars
        }
        if let rows = value as? [Any] {
            guard rows.count == spec.rows else { throw .malformedRow(at, reason: "\(what) has \(rows.count) rows, expected \(spec.rows)") }
            var chars: [Character] = []
            for (r, row) in rows.enumerated() {
                guard let s = row as? String else { throw .malformedRow(at, reason: "\(what) row \(r + 1) is not a string") }
                let rc = Array(s)
                guard rc.count == spec.cols else {
                    throw .malformedRow(at, reason: "\(what) row \(r + 1) has \(rc.count) cells, expected \(spec.cols)")
                }
                chars += rc
            }
            return chars
        }
        throw .malformedRow(at, reason: "\(what) must be a string or a list of row strings")
    }

    /// Imports `source,question,answer,rating` CSV rows as grid examples under `spec` (question ->
    /// input, answer -> target; no mask; the `source` column becomes the puzzle id when `idFromSource`).
    public static func importCSV(_ rows: [PuzzleRow], spec: GridTaskSpec, file: String, idFromSource: Bool = false,
                                 skipInvalid: Bool = false, report: inout SkipReport) throws(DataError) -> PuzzleDataset {
        if let problem = spec.problem { throw .invalidArgument(problem) }
        let table = spec.tokenTable()
        var d = PuzzleDataset(kind: .grid, seqLen: spec.rows * spec.cols, vocabSize: spec.vocabSize,
                              numPuzzleIdentifiers: 1, gridRows: spec.rows, gridCols: spec.cols,
                              metadata: ["grid.alphabet": spec.alphabet])
        var ids: [String: Int32] = [:]
        for row in rows {
            let at = DataLocation(file: file, line: row.line)
            do {
                guard !row.answer.isEmpty else { throw DataError.malformedRow(at, reason: "no answer column") }
                var object: [String: Any] = ["input": row.question, "target": row.answer]
                if idFromSource { object["id"] = row.source }
                let e = try example(object: object, spec: spec, table: table, at: at)
                var pid: Int32 = 0
                if let id = e.id {
                    if let known = ids[id] { pid = known } else { pid = Int32(ids.count + 1); ids[id] = pid }
                }
                d.append(input: e.input, label: e.label, puzzleIdentifier: pid)
                report.accepted += 1
            } catch let error as DataError {
                if skipInvalid { report.record(error) } else { throw error }
            } catch {
                throw .malformedRow(at, reason: "\(error)")
            }
        }
        d.numPuzzleIdentifiers = ids.count + 1
        return d
    }

    private static func example(object: [String: Any], spec: GridTaskSpec, table: [Character: Int32], at: DataLocation) throws(DataError) -> GridExample {
        let json: Data
        do { json = try JSONSerialization.data(withJSONObject: object) } catch { throw .malformedRow(at, reason: "\(error)") }
        return try example(String(decoding: json, as: UTF8.self), spec: spec, table: table, at: at)
    }
}
