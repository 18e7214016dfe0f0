// Augmented versions of an ARC task: one dihedral transform and one permutation of colours 1...9
// (0, the background, fixed), applied to every grid of the task; and the inverse, used to map
// predictions back before voting.

/// One augmented version of a task.
public struct ARCVersion: Sendable, Hashable, Codable {
    public var dihedral: Dihedral
    /// colours[c] = the colour c becomes; colours[0] == 0. [10]
    public var colours: [UInt8]

    public static let identity = ARCVersion(dihedral: .identity, colours: Array(0...9))

    public init(dihedral: Dihedral, colours: [UInt8]) {
        precondition(colours.count == 10 && colours[0] == 0 && Set(colours).count == 10, "colours must permute 1...9 and fix 0")
        self.dihedral = dihedral
        self.colours = colours
    }

    public init(from decoder: any Decoder) throws {
        enum Keys: String, CodingKey { case dihedral, colours }
        let c = try decoder.container(keyedBy: Keys.self)
        let dihedral = try c.decode(Dihedral.self, forKey: .dihedral)
        let colours = try c.decode([UInt8].self, forKey: .colours)
        guard colours.count == 10, colours[0] == 0, Set(colours) == Set(0...9) else {
            throw DecodingError.dataCorruptedError(forKey: .colours, in: c, debugDescription: "colours must permute 1...9 and fix 0")
        }
        self.init(dihedral: dihedral, colours: colours)
    }

    public static func random(using rng: inout DeterministicRandom) -> ARCVersion {
        ARCVersion(dihedral: Dihedral(rawValue: rng.below(8))!, colours: [0] + rng.permutation(9).map { UInt8($0 + 1) })
    }

    /// The version that undoes this one.
    public var inverse: ARCVersion {
        var inv = [UInt8](repeating: 0, count: 10)
        for c in 0..<10 { inv[Int(colours[c])] = UInt8(c) }
        return ARCVersion(dihedral: dihedral.inverse, colours: inv)
    }

    /// Recolour, then transform the geometry.
    public func apply(_ grid: ARCGrid) -> ARCGrid {
        let recoloured = grid.cells.map { colours[Int($0)] }
        let shape = dihedral.shape(rows: grid.rows, cols: grid.cols)
        return ARCGrid(rows: shape.rows, cols: shape.cols, cells: dihedral.apply(recoloured, rows: grid.rows, cols: grid.cols))
    }

    /// Maps an augmented-space grid back to the original task's space.
    public func undo(_ grid: ARCGrid) -> ARCGrid {
        let back = dihedral.inverse
        let shape = back.shape(rows: grid.rows, cols: grid.cols)
        let cells = back.apply(grid.cells, rows: grid.rows, cols: grid.cols)
        let inv = inverse.colours
        return ARCGrid(rows: shape.rows, cols: shape.cols, cells: cells.map { inv[Int($0)] })
    }

    public func apply(_ task: ARCTask) -> ARCTask {
        func pair(_ p: ARCPair) -> ARCPair { ARCPair(input: apply(p.input), output: p.output.map(apply)) }
        return ARCTask(id: task.id, train: task.train.map(pair), test: task.test.map(pair))
    }
}

public enum ARCAugmenter {
    /// Up to `count` versions of `task` whose augmented grids are pairwise distinct; the first is the
    /// identity. Tasks with few colours or symmetric grids may yield fewer.
    public static func versions(of task: ARCTask, count: Int, using rng: inout DeterministicRandom) -> [ARCVersion] {
        guard count > 0 else { return [] }
        let count = min(count, 1_000_000)
        var out: [ARCVersion] = [.identity]
        var seen: Set<UInt64> = [contentHash(task)]
        var attempts = 0
        while out.count < count && attempts < count * 20 + 100 {
            attempts += 1
            let v = ARCVersion.random(using: &rng)
            if seen.insert(contentHash(v.apply(task))).inserted { out.append(v) }
        }
        return out
    }

    /// Hash of every grid of the task (inputs and outputs, demonstrations and tests).
    static func contentHash(_ task: ARCTask) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in task.train + task.test {
            p.input.hash(into: &h)
            if let o = p.output { o.hash(into: &h) } else { h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3 }
        }
        return h
    }
}
