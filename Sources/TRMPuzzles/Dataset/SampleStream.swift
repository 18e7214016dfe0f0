// The deterministic training stream: shuffled epochs of augmented examples, resumable bit-identically.
//
// Sample number p (0, 1, 2, ... across epochs) is a pure function of (seed, p): its epoch is p / n,
// its example is the (p % n)-th entry of that epoch's permutation (drawn from seed and epoch), and
// its augmentation is drawn from a generator seeded by (seed, p). So a saved `position` resumes the
// stream exactly, whatever batch sizes were used before, and batches can be filled in parallel.
// It is for training; evaluate by reading the dataset in order (or pass `AugmentationOptions.none`).
import Foundation

/// The resumable part of a stream: save it with a checkpoint, pass it back to continue.
public struct SampleStreamState: Codable, Sendable, Equatable {
    public var seed: UInt64
    /// Samples yielded so far.
    public var position: UInt64

    public init(seed: UInt64, position: UInt64 = 0) {
        self.seed = seed
        self.position = position
    }
}

/// Which augmentations the stream applies.
public struct AugmentationOptions: Sendable, Equatable {
    /// Sudoku: digit relabelling, transpose, band/row and stack/column permutations.
    public var sudoku = true
    /// Maze: one of the 8 dihedral transforms.
    public var mazeDihedral = true
    /// ARC: random translation of the grids on the 30x30 canvas.
    public var arcTranslation = true
    /// ARC files in the "tasks" layout: each sample is one of its task's versions (ARCVersionTable),
    /// drawn from (seed, position), with that version's puzzle identifier.
    public var arcVersions = true
    /// Grid tasks whose header declares `augment`: one declared symmetry and symbol permutation per sample.
    public var gridAugment = true
    /// Shuffle the order of examples each epoch.
    public var shuffle = true

    public init() {}

    /// Metadata key and value of a data set whose augmented versions are already rows (as the
    /// reference's builders write them; `trm data import` sets it).
    public static let offlineKey = "augmentation", offlineValue = "offline"

    /// The training augmentation for `dataset`: the default, or shuffling only when its rows are
    /// already augmented (augmenting again would leave the reference's distribution, and move ARC
    /// grids away from what their puzzle identifiers describe) or when `augment` is false (the run
    /// asked for none: `TrainingConfig.augment`).
    public static func forDataset(_ dataset: PuzzleDataset, augment: Bool? = nil) -> AugmentationOptions {
        guard dataset.metadata[offlineKey] == offlineValue || augment == false else { return AugmentationOptions() }
        var o = AugmentationOptions.none
        o.shuffle = true
        return o
    }

    /// No augmentation and no shuffling: examples in file order.
    public static var none: AugmentationOptions {
        var o = AugmentationOptions()
        o.sudoku = false; o.mazeDihedral = false; o.arcTranslation = false; o.arcVersions = false; o.gridAugment = false; o.shuffle = false
        return o
    }
}

public struct SampleStream: Sendable {
    public let dataset: PuzzleDataset
    public let options: AugmentationOptions
    public private(set) var state: SampleStreamState
    /// Worker threads used to fill a batch (results do not depend on it).
    public var threads: Int

    private var epochPermutation: [Int32] = []
    private var permutationEpoch: UInt64 = .max
    /// For square grids: 8 gather tables, out[i] = in[table[d][i]].
    private let dihedralTables: [[Int32]]
    /// ARC "tasks" layout: the versions made on the fly (nil otherwise, or with arcVersions off).
    public let arcVersionTable: ARCVersionTable?
    /// Grid tasks: the augmentation their header declares (nil otherwise, or with gridAugment off).
    private let gridAugmentation: GridAugmentation?
    /// Mazes: the tie-break rule the labels follow (MazeTieBreak.detect), by which each rotated or
    /// mirrored copy is relabelled, so that a maze with several shortest paths has one label however
    /// it is turned. Nil when no maze has several paths, when the labels follow no such rule, or
    /// without the dihedral augmentation.
    public let mazeLabelRule: MazeTieBreak?

    public init(dataset: PuzzleDataset, seed: UInt64, position: UInt64 = 0,
                options: AugmentationOptions = AugmentationOptions(), threads: Int = 1) {
        self.init(dataset: dataset, state: SampleStreamState(seed: seed, position: position), options: options, threads: threads)
    }

    public init(dataset: PuzzleDataset, state: SampleStreamState,
                options: AugmentationOptions = AugmentationOptions(), threads: Int = 1) {
        precondition(dataset.count > 0, "a sample stream needs a non-empty dataset")
        self.dataset = dataset
        self.state = state
        self.options = options
        self.threads = max(1, threads)
        if dataset.gridRows == dataset.gridCols {
            dihedralTables = Dihedral.allCases.map { $0.gatherTable(side: dataset.gridRows).map { Int32($0) } }
        } else {
            dihedralTables = []
        }
        let layout: ARCTaskLayout? = dataset.kind == .arc && options.arcVersions ? (try? ARCTaskLayout.of(dataset)) ?? nil : nil
        arcVersionTable = layout.map { ARCVersionTable($0) }
        gridAugmentation = options.gridAugment ? GridAugmentation.of(dataset) : nil
        mazeLabelRule = dataset.kind == .maze && options.mazeDihedral && !dihedralTables.isEmpty
            ? MazeTieBreak.detect(dataset) : nil
    }

    /// Fills one batch and advances the position by `batchSize`.
    /// - inputs: [batchSize * seqLen], labels: [batchSize * seqLen], puzzleIdentifiers: [batchSize]
    public mutating func nextBatch(batchSize: Int, inputs: inout [Int32], labels: inout [Int32],
                                   puzzleIdentifiers: inout [Int32]) {
        let seqLen = dataset.seqLen
        if inputs.count != batchSize * seqLen { inputs = [Int32](repeating: 0, count: batchSize * seqLen) }
        if labels.count != batchSize * seqLen { labels = [Int32](repeating: 0, count: batchSize * seqLen) }
        if puzzleIdentifiers.count != batchSize { puzzleIdentifiers = [Int32](repeating: 0, count: batchSize) }
        inputs.withUnsafeMutableBufferPointer { i in
            labels.withUnsafeMutableBufferPointer { l in
                puzzleIdentifiers.withUnsafeMutableBufferPointer { p in
                    fill(batchSize: batchSize, inputs: i, labels: l, puzzleIdentifiers: p)
                }
            }
        }
    }

    /// Same as `nextBatch` into caller-owned memory (e.g. a tensor's storage).
    public mutating func fill(batchSize: Int, inputs: UnsafeMutableBufferPointer<Int32>,
                              labels: UnsafeMutableBufferPointer<Int32>,
                              puzzleIdentifiers: UnsafeMutableBufferPointer<Int32>) {
        let seqLen = dataset.seqLen
        precondition(batchSize >= 0, "negative batch size")
        if batchSize == 0 { return }
        precondition(inputs.count >= batchSize * seqLen && labels.count >= batchSize * seqLen
                     && puzzleIdentifiers.count >= batchSize, "batch buffers are too small")
        let n = UInt64(dataset.count)
        let start = state.position
        // Resolve example indices first (epoch permutations are cached, serially).
        var rows = [Int32](repeating: 0, count: batchSize)  // [batchSize] example indices
        for b in 0..<batchSize { rows[b] = exampleIndex(start + UInt64(b), n: n) }
        let chunks = min(threads, max(1, batchSize / 32))
        let this = self
        let resolved = rows
        nonisolated(unsafe) let inBase = inputs.baseAddress!, labBase = labels.baseAddress!, idBase = puzzleIdentifiers.baseAddress!
        let work: @Sendable (Int) -> Void = { chunk in
            let lo = batchSize * chunk / chunks, hi = batchSize * (chunk + 1) / chunks
            for b in lo..<hi {
                this.writeSample(position: start + UInt64(b), row: Int(resolved[b]),
                                 input: inBase + b * seqLen, label: labBase + b * seqLen, identifier: idBase + b)
            }
        }
        if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
        state.position += UInt64(batchSize)
    }

    /// The example that sample `position` draws.
    private mutating func exampleIndex(_ position: UInt64, n: UInt64) -> Int32 {
        let epoch = position / n, k = Int(position % n)
        guard options.shuffle else { return Int32(k) }
        if epoch != permutationEpoch {
            var rng = DeterministicRandom(seed: state.seed, 0xE90C, epoch)
            epochPermutation = rng.permutation(Int(n)).map { Int32($0) }
            permutationEpoch = epoch
        }
        return epochPermutation[k]
    }

    /// Writes sample `position` (example `row`, augmented) to the given [seqLen] slots.
    private func writeSample(position: UInt64, row: Int, input: UnsafeMutablePointer<Int32>,
                             label: UnsafeMutablePointer<Int32>, identifier: UnsafeMutablePointer<Int32>) {
        let seqLen = dataset.seqLen
        identifier.pointee = dataset.puzzleIdentifiers[row]
        var rng = DeterministicRandom(seed: state.seed, 0xA06, position)
        dataset.inputs.withUnsafeBufferPointer { allInputs in
            dataset.labels.withUnsafeBufferPointer { allLabels in
                let src = allInputs.baseAddress! + row * seqLen, lab = allLabels.baseAddress! + row * seqLen
                switch dataset.kind {
                case .sudoku where options.sudoku && seqLen == 81:
                    let t = SudokuTransform.random(using: &rng)
                    t.apply(tokens: src, into: input)
                    t.apply(tokens: lab, into: label)
                case .maze where options.mazeDihedral && !dihedralTables.isEmpty:
                    let d = rng.below(8)
                    let table = dihedralTables[d]
                    for i in 0..<seqLen { input[i] = src[Int(table[i])]; label[i] = lab[Int(table[i])] }
                    if let rule = mazeLabelRule, Dihedral.allCases[d] != .identity {
                        _ = rule.relabel(input: input, side: dataset.gridRows, into: label)
                    }
                case .arc where arcVersionTable != nil || options.arcTranslation:
                    var from = (src, lab)
                    var versioned: (input: [Int32], label: [Int32]) = ([], [])
                    if let table = arcVersionTable, let (t, _) = table.layout.split(dataset.puzzleIdentifiers[row]) {
                        // The version is drawn first, so the identifier does not depend on the translation.
                        let k = rng.below(Int(table.counts[t]))
                        identifier.pointee = table.layout.identifier(task: t, version: k)
                        versioned = ([Int32](repeating: 0, count: seqLen), [Int32](repeating: 0, count: seqLen))
                        versioned.input.withUnsafeMutableBufferPointer { i in
                            versioned.label.withUnsafeMutableBufferPointer { l in
                                ARCVersionTable.apply(table.version(task: t, k), input: src, label: lab, into: i.baseAddress!, label: l.baseAddress!)
                            }
                        }
                    }
                    versioned.input.withUnsafeBufferPointer { vi in
                        versioned.label.withUnsafeBufferPointer { vl in
                            if !vi.isEmpty { from = (vi.baseAddress!, vl.baseAddress!) }
                            if options.arcTranslation {
                                ARCCanvas.translate(input: from.0, label: from.1, rows: dataset.gridRows, cols: dataset.gridCols,
                                                    into: input, label: label, using: &rng)
                            } else {
                                input.update(from: from.0, count: seqLen)
                                label.update(from: from.1, count: seqLen)
                            }
                        }
                    }
                case .grid where gridAugmentation != nil:
                    let t = gridAugmentation!.random(vocabSize: dataset.vocabSize, alphabet: dataset.metadata["grid.alphabet"] ?? "", using: &rng)
                    let r = dataset.gridRows, c = dataset.gridCols
                    let i = t.apply(Array(UnsafeBufferPointer(start: src, count: seqLen)), rows: r, cols: c)
                    let l = t.apply(Array(UnsafeBufferPointer(start: lab, count: seqLen)), rows: r, cols: c)
                    i.withUnsafeBufferPointer { input.update(from: $0.baseAddress!, count: seqLen) }
                    l.withUnsafeBufferPointer { label.update(from: $0.baseAddress!, count: seqLen) }
                default:
                    input.update(from: src, count: seqLen)
                    label.update(from: lab, count: seqLen)
                }
            }
        }
    }
}
