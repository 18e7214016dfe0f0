// The puzzle-identifier layout of a data set (ARC files in the tasks layout), as a model records
// it: a run sized from ARC data keeps the data's layout in its configuration
// (ModelConfig.puzzleIdentifierLayout), and evaluation refuses data whose identifiers follow
// another layout (PuzzleDataset.problem(for:)), naming both.
import TRMModels
import TRMPuzzles

extension ARCTaskLayout {
    /// Versions per task, seed, and the task list as a count and a hash (FNV-1a 64 over each
    /// task's id and colour mask, in identifier order).
    public var identifierLayout: PuzzleIdentifierLayout {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        for task in tasks {
            for b in task.id.utf8 { mix(b) }
            mix(0)  // separator: "ab","c" and "a","bc" hash differently
            mix(UInt8(task.colours & 0xFF)); mix(UInt8(task.colours >> 8))
        }
        let hex = String(h, radix: 16)
        return PuzzleIdentifierLayout(versionsPerTask: versionsPerTask, seed: seed, tasks: tasks.count,
                                      tasksHash: String(repeating: "0", count: 16 - hex.count) + hex)
    }
}

extension PuzzleDataset {
    /// The data's identifier layout: an ARC file's version table, nil for other data (and for a
    /// damaged table, which loading reports).
    public var identifierLayout: PuzzleIdentifierLayout? {
        ((try? ARCTaskLayout.of(self)) ?? nil)?.identifierLayout
    }

    /// Why this data's identifiers do not mean what a model trained with `layout` learned, or nil:
    /// the data follows another ARC layout, or it has none but uses identifiers other than 0.
    /// `this` names `layout` in the message.
    func identifierLayoutProblem(model layout: PuzzleIdentifierLayout?, this: String = "the one the model was trained on") -> String? {
        guard let layout else { return nil }
        let own = identifierLayout
        if own == nil && !puzzleIdentifiers.contains(where: { $0 != 0 }) { return nil }
        return layout.mismatch(with: own, this: this)
    }
}
