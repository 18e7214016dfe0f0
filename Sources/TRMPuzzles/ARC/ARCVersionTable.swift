// ARC versions on the fly. A dataset file in the "tasks" layout stores every pair once, as given
// (the identity version); the augmented versions are a pure function of (seed, task, version) and
// are made while training streams, so 1000 versions per task take no more memory than 8.
//
// Identifiers: with N versions per task, version k (0 = identity) of task t (its index in the
// layout's task list) has puzzle identifier t * N + k + 1 (0 stays "none"). The stored rows carry
// the identifier of their task's identity version, so reading a file in order gives version 0.
//
// Versions of a task: version 0 is the identity; version k > 0 comes from a generator seeded by
// (seed, t) drawing (dihedral, permutation of colours 1...9) candidates in order and keeping the
// first N that differ on the colours the task uses (two permutations that agree on those give the
// same grids). Tasks using few colours get fewer than N distinct versions (their unused
// identifiers never occur). Grids that are themselves symmetric can still make two versions equal.
import Foundation

/// One task of the layout: its id and the colours 1...9 any of its grids uses (bit c set for colour c).
public struct ARCTaskEntry: Sendable, Hashable, Codable {
    public var id: String
    public var colours: UInt16

    public init(id: String, colours: UInt16) {
        self.id = id
        self.colours = colours
    }

    /// The colour mask of every grid of `task` (inputs and known outputs).
    public init(_ task: ARCTask) {
        var mask: UInt16 = 0
        for p in task.train + task.test {
            for g in [p.input] + (p.output.map { [$0] } ?? []) { for c in g.cells where c != 0 { mask |= 1 << UInt16(c) } }
        }
        self.init(id: task.id, colours: mask)
    }
}

/// What a "tasks"-layout dataset file records about its versions (in its manifest's metadata).
public struct ARCTaskLayout: Sendable, Equatable, Codable {
    public var versionsPerTask: Int
    public var seed: UInt64
    /// Every task of the build (training and evaluation), in identifier order.
    public var tasks: [ARCTaskEntry]

    public static let metadataKey = "arc.layout"

    public init(versionsPerTask: Int, seed: UInt64, tasks: [ARCTaskEntry]) {
        self.versionsPerTask = versionsPerTask
        self.seed = seed
        self.tasks = tasks
    }

    /// Identifiers the layout can produce: tasks x versions + 1 ("none").
    public var identifierCount: Int { tasks.count * versionsPerTask + 1 }

    public func identifier(task: Int, version: Int) -> Int32 { Int32(task * versionsPerTask + version + 1) }

    /// (task index, version index) of an identifier, or nil outside the layout.
    public func split(_ identifier: Int32) -> (task: Int, version: Int)? {
        let i = Int(identifier) - 1
        guard i >= 0, i < tasks.count * versionsPerTask else { return nil }
        return (i / versionsPerTask, i % versionsPerTask)
    }

    /// The layout stored in a dataset's metadata; nil for datasets without one (Sudoku, mazes, and
    /// ARC files built before versions were made on the fly, which hold their versions as rows).
    /// - Throws: `DataError.invalidArgument` when the metadata is there but unreadable.
    public static func of(_ dataset: PuzzleDataset) throws(DataError) -> ARCTaskLayout? {
        guard let json = dataset.metadata[metadataKey] else { return nil }
        guard let layout = try? JSONDecoder().decode(ARCTaskLayout.self, from: Data(json.utf8)),
              (1...100_000).contains(layout.versionsPerTask), !layout.tasks.isEmpty,
              dataset.numPuzzleIdentifiers >= layout.identifierCount else {
            throw .invalidArgument("the dataset's \(metadataKey) metadata is damaged; rebuild the file with `trm data build`")
        }
        return layout
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Every version of every task of a layout, packed: 11 bytes a version.
public struct ARCVersionTable: Sendable {
    public let layout: ARCTaskLayout
    /// Distinct versions of task t (at most versionsPerTask). [tasks]
    public let counts: [Int32]
    /// [tasks * versionsPerTask]
    private let dihedrals: [UInt8]
    /// [tasks * versionsPerTask * 10]
    private let colourMaps: [UInt8]

    /// The versions of every task (or only those in `selected`; the others get none).
    public init(_ layout: ARCTaskLayout, tasks selected: Range<Int>? = nil) {
        self.layout = layout
        let n = layout.versionsPerTask
        var counts: [Int32] = [], dihedrals = [UInt8](repeating: 0, count: layout.tasks.count * n)
        var maps = [UInt8](repeating: 0, count: layout.tasks.count * n * 10)
        counts.reserveCapacity(layout.tasks.count)
        for (t, task) in layout.tasks.enumerated() {
            guard selected?.contains(t) ?? true else { counts.append(0); continue }
            var rng = DeterministicRandom(seed: layout.seed, 0xA2C, UInt64(t))
            let used = (1...9).filter { task.colours & (1 << UInt16($0)) != 0 }
            // A candidate's key: its dihedral and where it sends each colour the task uses.
            var seen: Set<UInt64> = [used.reduce(0) { $0 &* 10 &+ UInt64($1) }]  // the identity's
            seen.reserveCapacity(n)
            let base = t * n
            dihedrals[base] = 0
            for c in 0..<10 { maps[base * 10 + c] = UInt8(c) }  // version 0: the identity
            var found = 1
            var attempts = 0
            while found < n && attempts < n * 20 + 100 {
                attempts += 1
                // The draws of ARCVersion.random: a dihedral, then a permutation of colours 1...9.
                let d = rng.below(8)
                let p = rng.permutation(9)
                var k = UInt64(d)
                for c in used { k = k &* 10 &+ UInt64(p[c - 1] + 1) }
                guard seen.insert(k).inserted else { continue }
                let slot = base + found
                dihedrals[slot] = UInt8(d)
                maps[slot * 10] = 0
                for c in 1...9 { maps[slot * 10 + c] = UInt8(p[c - 1] + 1) }
                found += 1
            }
            counts.append(Int32(found))
        }
        self.counts = counts
        self.dihedrals = dihedrals
        self.colourMaps = maps
    }

    /// Version k of task t (k < counts[t]).
    public func version(task t: Int, _ k: Int) -> ARCVersion {
        let slot = t * layout.versionsPerTask + k
        return ARCVersion(dihedral: Dihedral(rawValue: Int(dihedrals[slot]))!, colours: Array(colourMaps[(slot * 10)..<(slot * 10 + 10)]))
    }

    /// The task and version an identifier stands for; nil for identifiers no version has.
    public func version(of identifier: Int32) -> (taskID: String, task: Int, index: Int, version: ARCVersion)? {
        guard let (t, k) = layout.split(identifier), k < Int(counts[t]) else { return nil }
        return (layout.tasks[t].id, t, k, version(task: t, k))
    }

    /// Bytes the packed table holds (the only memory that grows with the versions per task).
    public var byteCount: Int { counts.count * 4 + dihedrals.count + colourMaps.count }

    /// Writes version `version` of an identity-version canvas (grid at the top-left) into `input`
    /// and `label` ([900] each). Labels without a grid (hidden answers) stay ignored.
    public static func apply(_ version: ARCVersion, input src: UnsafePointer<Int32>, label lab: UnsafePointer<Int32>,
                             into input: UnsafeMutablePointer<Int32>, label: UnsafeMutablePointer<Int32>) {
        let n = ARCCanvas.cellCount
        if let grid = ARCCanvas.crop(UnsafeBufferPointer(start: src, count: n)) {
            let out = ARCCanvas.encode(version.apply(grid))
            out.withUnsafeBufferPointer { input.update(from: $0.baseAddress!, count: n) }
        } else {
            input.update(from: src, count: n)
        }
        let labelTokens = (0..<n).map { lab[$0] == PuzzleDataset.ignoreLabel ? ARCCanvas.padToken : lab[$0] }
        if let grid = ARCCanvas.crop(labelTokens) {
            let out = ARCCanvas.labels(version.apply(grid))
            out.withUnsafeBufferPointer { label.update(from: $0.baseAddress!, count: n) }
        } else {
            label.update(from: lab, count: n)
        }
    }

    /// The first `maxVersions` versions (all with nil) of each row of `rows`, as a dataset in the
    /// versions' own spaces with their own identifiers, plus the (row, version) of each example.
    /// For evaluation with voting.
    public func expand(_ dataset: PuzzleDataset, rows: Range<Int>, maxVersions: Int? = nil) -> (dataset: PuzzleDataset, sources: [(row: Int, task: Int, version: Int)]) {
        var out = PuzzleDataset(kind: dataset.kind, seqLen: dataset.seqLen, vocabSize: dataset.vocabSize,
                                numPuzzleIdentifiers: dataset.numPuzzleIdentifiers, gridRows: dataset.gridRows, gridCols: dataset.gridCols)
        var sources: [(row: Int, task: Int, version: Int)] = []
        let n = ARCCanvas.cellCount
        var input = [Int32](repeating: 0, count: n), label = input
        for row in rows {
            guard let (t, _) = layout.split(dataset.puzzleIdentifiers[row]) else { continue }
            let count = min(Int(counts[t]), maxVersions ?? Int.max)
            let src = Array(dataset.input(row)), lab = Array(dataset.label(row))
            for k in 0..<count {
                src.withUnsafeBufferPointer { s in
                    lab.withUnsafeBufferPointer { l in
                        input.withUnsafeMutableBufferPointer { i in
                            label.withUnsafeMutableBufferPointer { o in
                                Self.apply(version(task: t, k), input: s.baseAddress!, label: l.baseAddress!, into: i.baseAddress!, label: o.baseAddress!)
                            }
                        }
                    }
                }
                out.append(input: input, label: label, puzzleIdentifier: layout.identifier(task: t, version: k))
                sources.append((row, t, k))
            }
        }
        return (out, sources)
    }
}
