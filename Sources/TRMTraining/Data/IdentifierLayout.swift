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
        var bytes: [UInt8] = []
        for task in tasks {
            bytes += Array(task.id.utf8)
            bytes.append(0)  // separator: "ab","c" and "a","bc" hash differently
            bytes += [UInt8(task.colours & 0xFF), UInt8(task.colours >> 8)]
        }
        let hash = bytes.withUnsafeBytes { DatasetFile.fnv1a64($0) }
        return PuzzleIdentifierLayout(versionsPerTask: versionsPerTask, seed: seed, tasks: tasks.count,
                                      tasksHash: DatasetFile.hex(hash))
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
