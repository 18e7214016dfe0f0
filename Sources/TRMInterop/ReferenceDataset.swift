// ReferenceDataset: a data set as the reference's builders write it (build_sudoku_dataset.py,
// build_maze_dataset.py, build_arc_dataset.py): `<split>/dataset.json` (PuzzleDatasetMetadata),
// `<split>/all__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`, and
// `identifiers.json` / `test_puzzles.json` beside the splits. Read into our PuzzleDataset with
// every example's puzzle identifier preserved (so an imported checkpoint's puzzle-embedding rows
// meet the same puzzles) and the puzzle and group boundaries kept in the metadata.
import Foundation
import TRMPuzzles

public struct ReferenceDatasetMetadata: Codable, Sendable, Equatable {
    public var pad_id: Int
    public var ignore_label_id: Int?
    public var blank_identifier_id: Int
    public var vocab_size: Int
    public var seq_len: Int
    public var num_puzzle_identifiers: Int
    public var total_groups: Int
    public var mean_puzzle_examples: Double
    public var total_puzzles: Int?
    public var sets: [String]
}

/// One split of a reference data set, as stored.
public struct ReferenceSplit: Sendable {
    public var metadata: ReferenceDatasetMetadata
    /// [examples, seqLen] row-major.
    public var inputs: [Int32]
    public var labels: [Int32]
    /// [puzzles]
    public var puzzleIdentifiers: [Int32]
    /// [puzzles + 1]: examples of puzzle i are rows [p[i], p[i+1]).
    public var puzzleIndices: [Int]
    /// [groups + 1]: puzzles of group g are [g[i], g[i+1]).
    public var groupIndices: [Int]
    public var examples: Int { puzzleIndices.last ?? 0 }
}

public enum ReferenceDataset {
    /// Keys under which the boundaries travel in the .trmd metadata (comma-separated integers).
    public static let puzzleIndicesKey = "reference.puzzle_indices"
    public static let groupIndicesKey = "reference.group_indices"
    public static let identifiersKey = "reference.identifiers"

    /// Reads `<dir>/<split>/` (set `all`).
    public static func readSplit(_ dir: URL, set: String = "all") throws(InteropError) -> ReferenceSplit {
        let metaURL = dir.appendingPathComponent("dataset.json")
        let meta: ReferenceDatasetMetadata
        do { meta = try JSONDecoder().decode(ReferenceDatasetMetadata.self, from: Data(contentsOf: metaURL)) } catch {
            throw InteropError(file: metaURL.path, problem: FileManager.default.fileExists(atPath: metaURL.path)
                ? "not a reference PuzzleDatasetMetadata (\(error))" : "missing: not a reference data set split")
        }
        guard meta.sets.contains(set) else {
            throw InteropError(file: metaURL.path, problem: "has no set '\(set)' (sets: \(meta.sets.joined(separator: ", ")))")
        }
        guard meta.seq_len > 0, meta.vocab_size > 1, meta.vocab_size <= Int(Int32.max), meta.num_puzzle_identifiers >= 1 else {
            throw InteropError(file: metaURL.path, problem: "seq_len, vocab_size or num_puzzle_identifiers out of range")
        }
        func array(_ name: String) throws(InteropError) -> (NumPyArray, String) {
            let url = dir.appendingPathComponent("\(set)__\(name).npy")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw InteropError(file: url.path, problem: "missing (a reference split holds \(set)__{inputs,labels,"
                    + "puzzle_identifiers,puzzle_indices,group_indices}.npy)")
            }
            return (try NumPyArray(contentsOf: url), url.path)
        }
        let (inputs, inputsPath) = try array("inputs"), (labels, labelsPath) = try array("labels")
        let (ids, idsPath) = try array("puzzle_identifiers")
        let (puzzles, puzzlesPath) = try array("puzzle_indices"), (groups, groupsPath) = try array("group_indices")
        func fail(_ path: String, _ why: String) -> InteropError { InteropError(file: path, problem: why) }
        guard inputs.shape.count == 2, inputs.shape[1] == meta.seq_len else {
            throw fail(inputsPath, "shape \(inputs.shape), expected [examples, \(meta.seq_len)] (seq_len in dataset.json)")
        }
        guard labels.shape == inputs.shape else {
            throw fail(labelsPath, "shape \(labels.shape) disagrees with all__inputs.npy \(inputs.shape)")
        }
        guard ids.shape.count == 1 else { throw fail(idsPath, "shape \(ids.shape), expected [puzzles]") }
        guard puzzles.shape == [ids.shape[0] + 1] else {
            throw fail(puzzlesPath, "shape \(puzzles.shape) disagrees with \(ids.shape[0]) puzzle identifiers (expected [\(ids.shape[0] + 1)])")
        }
        guard groups.shape.count == 1, groups.shape[0] >= 1 else { throw fail(groupsPath, "shape \(groups.shape), expected [groups + 1]") }
        func monotone(_ a: NumPyArray, last: Int, _ path: String, _ what: String) throws(InteropError) {
            guard a.values.first == 0, a.values.last == Int64(last), zip(a.values, a.values.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw fail(path, "\(what) must rise from 0 to \(last)")
            }
        }
        try monotone(puzzles, last: inputs.shape[0], puzzlesPath, "puzzle indices")
        try monotone(groups, last: ids.shape[0], groupsPath, "group indices")
        guard groups.shape[0] - 1 == meta.total_groups else {
            throw fail(groupsPath, "holds \(groups.shape[0] - 1) groups; dataset.json says total_groups \(meta.total_groups)")
        }
        func tokens(_ a: NumPyArray, _ path: String, label: Bool) throws(InteropError) -> [Int32] {
            var out = [Int32](repeating: 0, count: a.values.count)
            for (i, v) in a.values.enumerated() {
                if label, let ignore = meta.ignore_label_id, v == Int64(ignore) { out[i] = PuzzleDataset.ignoreLabel; continue }
                guard v >= 0, v < Int64(meta.vocab_size) else {
                    throw fail(path, "value \(v) at row \(i / meta.seq_len), cell \(i % meta.seq_len) is outside the vocabulary 0..<\(meta.vocab_size)")
                }
                out[i] = Int32(v)
            }
            return out
        }
        var idValues: [Int32] = []
        for (i, v) in ids.values.enumerated() {
            guard v >= 0, v < Int64(meta.num_puzzle_identifiers) else {
                throw fail(idsPath, "puzzle \(i) has identifier \(v), outside 0..<\(meta.num_puzzle_identifiers)")
            }
            idValues.append(Int32(v))
        }
        return ReferenceSplit(metadata: meta, inputs: try tokens(inputs, inputsPath, label: false),
                              labels: try tokens(labels, labelsPath, label: true), puzzleIdentifiers: idValues,
                              puzzleIndices: puzzles.values.map { Int($0) }, groupIndices: groups.values.map { Int($0) })
    }

    /// The puzzle family a token layout fits (the reference builders' layouts).
    static func kind(seqLen: Int, vocab: Int) -> (PuzzleKind, rows: Int, cols: Int) {
        let side = Int(Double(seqLen).squareRoot())
        let square = side * side == seqLen
        switch (seqLen, vocab) {
        case (81, 11): return (.sudoku, 9, 9)
        case (900, 12): return (.arc, 30, 30)
        case (_, 6) where square: return (.maze, side, side)
        default: return square ? (.grid, side, side) : (.grid, seqLen, 1)
        }
    }

    /// Our dataset for `split` of the reference data set in `dir` (`dir/<split>/`), with
    /// `identifiers.json` from `dir` when present.
    public static func load(_ dir: URL, split: String) throws(InteropError) -> PuzzleDataset {
        let splitDir = dir.appendingPathComponent(split)
        guard FileManager.default.fileExists(atPath: splitDir.appendingPathComponent("dataset.json").path) else {
            throw InteropError(file: splitDir.appendingPathComponent("dataset.json").path,
                               problem: "missing: \(dir.path) is not a reference data set with a '\(split)' split")
        }
        let s = try readSplit(splitDir)
        let (kind, rows, cols) = kind(seqLen: s.metadata.seq_len, vocab: s.metadata.vocab_size)
        var d = PuzzleDataset(kind: kind, seqLen: s.metadata.seq_len, vocabSize: s.metadata.vocab_size,
                              numPuzzleIdentifiers: s.metadata.num_puzzle_identifiers, gridRows: rows, gridCols: cols)
        d.inputs = s.inputs
        d.labels = s.labels
        d.puzzleIdentifiers.reserveCapacity(s.examples)
        for p in 0..<s.puzzleIdentifiers.count {
            for _ in s.puzzleIndices[p]..<s.puzzleIndices[p + 1] { d.puzzleIdentifiers.append(s.puzzleIdentifiers[p]) }
        }
        d.metadata[puzzleIndicesKey] = s.puzzleIndices.map(String.init).joined(separator: ",")
        d.metadata[groupIndicesKey] = s.groupIndices.map(String.init).joined(separator: ",")
        d.metadata["reference.split"] = split
        // The builders wrote every augmented version as rows: training shuffles them, adds none.
        d.metadata[AugmentationOptions.offlineKey] = AugmentationOptions.offlineValue
        let idsURL = dir.appendingPathComponent("identifiers.json")
        if let data = try? Data(contentsOf: idsURL) {
            guard let names = try? JSONDecoder().decode([String].self, from: data) else {
                throw InteropError(file: idsURL.path, problem: "not a JSON list of identifier names")
            }
            guard names.count >= s.metadata.num_puzzle_identifiers || names.count <= 1 else {
                throw InteropError(file: idsURL.path, problem: "names \(names.count) identifiers; dataset.json says "
                    + "num_puzzle_identifiers \(s.metadata.num_puzzle_identifiers)")
            }
            d.metadata[identifiersKey] = String(decoding: data, as: UTF8.self)
        }
        if let problem = d.consistencyProblem {
            throw InteropError(file: splitDir.path, problem: "inconsistent data set: \(problem)")
        }
        // ARC: the test tasks as given, which the reference's evaluator scores against. Every test
        // row's label, its version undone, must be its test input's output there.
        let testPuzzles = dir.appendingPathComponent("test_puzzles.json")
        if kind == .arc, split == "test", FileManager.default.fileExists(atPath: testPuzzles.path) {
            let checked = try checkAgainstTestPuzzles(d, file: testPuzzles)
            d.metadata["reference.test_puzzles_checked"] = String(checked)
        }
        return d
    }

    /// Checks an imported ARC test split against `test_puzzles.json` (task id -> {"train", "test":
    /// [{"input", "output"}]}): every row whose identifier names a task version must, undone, give
    /// the output of that task's test input. Returns how many test inputs were checked; an error
    /// names the file, the task and the test input that disagree.
    public static func checkAgainstTestPuzzles(_ dataset: PuzzleDataset, file: URL) throws(InteropError) -> Int {
        struct Pair: Decodable { var input: [[Int]]; var output: [[Int]]? }
        struct Task: Decodable { var test: [Pair] }
        let tasks: [String: Task]
        do { tasks = try JSONDecoder().decode([String: Task].self, from: Data(contentsOf: file)) } catch {
            throw InteropError(file: file.path, problem: "not the reference's test tasks (task id -> {\"test\": [{\"input\", \"output\"}]}): \(error)")
        }
        guard let rows = arcRowVersions(dataset) else {
            throw InteropError(file: file.path, problem: "the test split's rows name no task versions (identifiers.json missing?), so they cannot be checked against it")
        }
        var checked = Set<String>()
        for (i, row) in rows.enumerated() {
            guard let row else { continue }
            let name = "task \(row.task) test input \(row.testIndex)"
            guard let pair = tasks[row.task]?.test, row.testIndex < pair.count else {
                throw InteropError(file: file.path, problem: "has no \(name), which test row \(i) is a version of")
            }
            guard let nested = pair[row.testIndex].output, case .success(let expected) = ARCGrid.make(nested) else {
                throw InteropError(file: file.path, problem: "\(name) has no valid output grid")
            }
            let label = dataset.label(i).map { $0 == PuzzleDataset.ignoreLabel ? ARCCanvas.padToken : $0 }
            guard let grid = ARCCanvas.crop(label), row.version.undo(grid) == expected else {
                throw InteropError(file: file.path, problem: "\(name): test row \(i)'s answer, its version undone, is not the output given here (identifiers.json, the splits and this file disagree)")
            }
            checked.insert("\(row.task)#\(row.testIndex)")
        }
        return checked.count
    }

    /// The task and augmented version an ARC identifier name stands for: `task` (the original) or
    /// `task|||tK|||d0d1...d9` (the reference's dihedral K, then colours c -> d_c). The reference
    /// numbers its transforms with np.rot90 (counter-clockwise), so its t1 is our rotate270 and its
    /// t3 our rotate90; the others agree. Nil for a name of another form.
    public static func arcVersion(fromIdentifier name: String) -> (task: String, version: ARCVersion)? {
        let parts = name.components(separatedBy: "|||")
        if parts.count == 1 { return parts[0].isEmpty || parts[0] == "<blank>" ? nil : (parts[0], .identity) }
        guard parts.count == 3, parts[1].hasPrefix("t"), let t = Int(parts[1].dropFirst()), (0..<8).contains(t) else { return nil }
        let digits = parts[2].compactMap { $0.wholeNumberValue }.map(UInt8.init)
        guard digits.count == 10, digits[0] == 0, Set(digits).count == 10, parts[2].count == 10 else { return nil }
        return (parts[0], ARCVersion(dihedral: dihedral(referenceTransform: t), colours: digits))
    }

    /// For an imported ARC set: which task, test input (its index within its puzzle) and version
    /// each row is, from the identifier names (`identifiers.json`) and the puzzle boundaries kept
    /// in the metadata; nil for a set without them. A row whose identifier names no version is nil.
    /// A set cut short (`trm eval --limit`) keeps the boundaries of the full set: they are clipped
    /// to its rows, so a puzzle cut in the middle votes over the versions left.
    public static func arcRowVersions(_ dataset: PuzzleDataset) -> [(task: String, testIndex: Int, version: ARCVersion)?]? {
        guard dataset.kind == .arc, let json = dataset.metadata[identifiersKey],
              let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8)),
              let full = indices(dataset.metadata[puzzleIndicesKey]), full.first == 0, let end = full.last, end >= dataset.count,
              zip(full, full.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        let bounds = full.map { min($0, dataset.count) }
        var rows = [(task: String, testIndex: Int, version: ARCVersion)?](repeating: nil, count: dataset.count)
        for p in 0..<(bounds.count - 1) {
            for row in bounds[p]..<bounds[p + 1] {
                let id = Int(dataset.puzzleIdentifiers[row])
                guard id >= 0, id < names.count, let v = arcVersion(fromIdentifier: names[id]) else { continue }
                rows[row] = (v.task, row - bounds[p], v.version)
            }
        }
        return rows
    }

    /// Our transform for the reference's `dihedral_transform(arr, tid)` (tid 0...7; its 1 and 3 are
    /// np.rot90 by +90 and +270 degrees counter-clockwise, our rotate270 and rotate90).
    public static func dihedral(referenceTransform t: Int) -> Dihedral {
        t == 1 ? .rotate270 : t == 3 ? .rotate90 : Dihedral(rawValue: t)!
    }

    /// Integers from a comma-separated metadata value.
    public static func indices(_ text: String?) -> [Int]? {
        guard let text else { return nil }
        let parts = text.split(separator: ",").compactMap { Int($0) }
        return parts.isEmpty ? nil : parts
    }
}
