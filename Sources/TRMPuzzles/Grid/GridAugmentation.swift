import Foundation

// Augmentation a user grid task declares in its JSONL header: the symmetries of the grid and the
// symbol permutations that leave a task's meaning unchanged.
//
//   {"format": "trm-grid", "alphabet": ".123", "rows": 3, "cols": 3,
//    "augment": {"symmetries": ["identity", "rotate90", "rotate180", "rotate270"], "permute": ["123"]}}
//
// - `symmetries`: dihedral transforms by name (identity, rotate90, rotate180, rotate270,
//   flipHorizontal, flipVertical, transpose, antiTranspose), or ["all"]. Non-square grids allow
//   only those that keep the shape (identity, rotate180, flipHorizontal, flipVertical).
// - `permute`: groups of alphabet characters; the characters of a group may be relabelled among
//   themselves (the same relabelling for input and target). Characters in no group stay fixed.
// Training draws one symmetry and one permutation per group for every sample (from the stream's
// seed and position); evaluation predicts several such versions of each puzzle, undoes each
// version on its prediction and votes (GridVotingEvaluator).

public struct GridAugmentation: Sendable, Equatable, Codable {
    public var symmetries: [Dihedral]
    public var permute: [String]

    public static let metadataKey = "grid.augment"

    static let names: [String: Dihedral] = [
        "identity": .identity, "rotate90": .rotate90, "rotate180": .rotate180, "rotate270": .rotate270,
        "flipHorizontal": .flipHorizontal, "flipVertical": .flipVertical, "transpose": .transpose, "antiTranspose": .antiTranspose,
    ]

    public init(symmetries: [Dihedral], permute: [String]) {
        self.symmetries = symmetries
        self.permute = permute
    }

    enum Keys: String, CodingKey { case symmetries, permute }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let names = try c.decodeIfPresent([String].self, forKey: .symmetries) ?? ["identity"]
        var out: [Dihedral] = []
        for name in names {
            if name == "all" { out += Dihedral.allCases; continue }
            guard let d = Self.names[name] else {
                throw DecodingError.dataCorruptedError(forKey: .symmetries, in: c, debugDescription:
                    "unknown symmetry \"\(name)\"; use all, " + Self.names.keys.sorted().joined(separator: ", "))
            }
            out.append(d)
        }
        var unique: [Dihedral] = []
        for d in out where !unique.contains(d) { unique.append(d) }
        symmetries = unique
        permute = try c.decodeIfPresent([String].self, forKey: .permute) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let byValue = Dictionary(uniqueKeysWithValues: Self.names.map { ($1, $0) })
        try c.encode(symmetries.map { byValue[$0]! }, forKey: .symmetries)
        try c.encode(permute, forKey: .permute)
    }

    /// Why this augmentation does not fit `spec`, or nil.
    public func problem(for spec: GridTaskSpec) -> String? {
        if symmetries.isEmpty { return "augment.symmetries is empty (give at least \"identity\")" }
        if spec.rows != spec.cols, let d = symmetries.first(where: \.swapsAxes) {
            return "augment.symmetries: \(d) swaps rows and columns, but the grid is \(spec.rows)x\(spec.cols) (not square)"
        }
        var seen: Set<Character> = []
        let alphabet = Set(spec.alphabet)
        for group in permute {
            for ch in group {
                guard alphabet.contains(ch) else { return "augment.permute: '\(ch)' is not in the alphabet \"\(spec.alphabet)\"" }
                guard seen.insert(ch).inserted else { return "augment.permute: '\(ch)' is in more than one group (or twice)" }
            }
        }
        return nil
    }

    /// Token groups: alphabet character k is token k + 1.
    func tokenGroups(alphabet: String) -> [[Int32]] {
        let table = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, Int32($0 + 1)) })
        return permute.map { $0.compactMap { table[$0] } }.filter { $0.count > 1 }
    }

    /// The augmentation stored in a dataset's metadata (nil: none declared).
    public static func of(_ dataset: PuzzleDataset) -> GridAugmentation? {
        guard dataset.kind == .grid, let json = dataset.metadata[metadataKey] else { return nil }
        return try? JSONDecoder().decode(GridAugmentation.self, from: Data(json.utf8))
    }

    /// A random version for a dataset's vocabulary: one allowed symmetry and one permutation of each group.
    public func random(vocabSize: Int, alphabet: String, using rng: inout DeterministicRandom) -> GridTransform {
        var map = (0..<Int32(vocabSize)).map { $0 }
        for group in tokenGroups(alphabet: alphabet) {
            let p = rng.permutation(group.count)
            for (i, t) in group.enumerated() { map[Int(t)] = group[p[i]] }
        }
        return GridTransform(dihedral: symmetries[rng.below(symmetries.count)], tokens: map)
    }

    /// Version k of row `row` for voting: k = 0 is the identity; others are drawn from (seed, row, k).
    public func version(_ k: Int, row: Int, seed: UInt64, vocabSize: Int, alphabet: String) -> GridTransform {
        if k == 0 { return GridTransform(dihedral: .identity, tokens: (0..<Int32(vocabSize)).map { $0 }) }
        var rng = DeterministicRandom(seed: seed, 0x6A1D, UInt64(row), UInt64(k))
        return random(vocabSize: vocabSize, alphabet: alphabet, using: &rng)
    }
}

/// One version of a grid puzzle: a symmetry and a token relabelling (pad 0 and the ignore label fixed).
public struct GridTransform: Sendable, Equatable {
    public var dihedral: Dihedral
    /// tokens[t] = the token t becomes. [vocabSize]
    public var tokens: [Int32]

    public var inverse: GridTransform {
        var inv = tokens
        for (t, u) in tokens.enumerated() { inv[Int(u)] = Int32(t) }
        return GridTransform(dihedral: dihedral.inverse, tokens: inv)
    }

    /// Relabels then moves the cells of a [rows * cols] grid of tokens (ignore labels stay ignored).
    public func apply(_ grid: [Int32], rows: Int, cols: Int) -> [Int32] {
        let relabelled = grid.map { $0 >= 0 && Int($0) < tokens.count ? tokens[Int($0)] : $0 }
        return dihedral.apply(relabelled, rows: rows, cols: cols)
    }

    /// Maps a grid in this version's space back to the puzzle's own.
    public func undo(_ grid: [Int32], rows: Int, cols: Int) -> [Int32] {
        let shape = dihedral.shape(rows: rows, cols: cols)
        return inverse.apply(grid, rows: shape.rows, cols: shape.cols)
    }
}
