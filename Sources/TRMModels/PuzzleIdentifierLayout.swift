// PuzzleIdentifierLayout: what the rows of a model's puzzle-embedding table stand for, recorded
// from the training data. An ARC file made on the fly numbers task t's version k as
// t x versionsPerTask + k + 1, so the same identifier means another task (or another version) in a
// file built with a different number of versions, seed or task list. A model records its training
// data's layout in its configuration; evaluation refuses data whose layout differs.

/// The identifier layout of an ARC "tasks" data set: versions per task, the seed of the versions,
/// and the task list (how many, and a hash of their ids and colours).
public struct PuzzleIdentifierLayout: Codable, Sendable, Equatable, CustomStringConvertible {
    public var versionsPerTask: Int
    public var seed: UInt64
    public var tasks: Int
    /// FNV-1a 64 of the task list (ids and colour masks, in identifier order), 16 hex digits.
    public var tasksHash: String

    public init(versionsPerTask: Int, seed: UInt64, tasks: Int, tasksHash: String) {
        self.versionsPerTask = versionsPerTask; self.seed = seed; self.tasks = tasks; self.tasksHash = tasksHash
    }

    /// "8 versions per task, seed 0, 405 tasks (list a1b2c3d4e5f60718)".
    public var description: String {
        "\(versionsPerTask) version\(versionsPerTask == 1 ? "" : "s") per task, seed \(seed), \(tasks) task\(tasks == 1 ? "" : "s") (list \(tasksHash))"
    }

    /// Why data with layout `data` cannot be fed to a model trained with this layout, or nil.
    /// `this` names this layout in the message.
    public func mismatch(with data: PuzzleIdentifierLayout?, this: String = "the one the model was trained on") -> String? {
        guard let data else {
            return "the model's puzzle identifiers follow its training data's ARC layout (\(self)), but this data has no ARC layout, so its identifiers mean other rows; evaluate on data built with `trm data build` together with the training set"
        }
        guard data != self else { return nil }
        var differences: [String] = []
        if data.versionsPerTask != versionsPerTask { differences.append("versions per task \(data.versionsPerTask) instead of \(versionsPerTask) (--arc-versions)") }
        if data.seed != seed { differences.append("seed \(data.seed) instead of \(seed) (--seed)") }
        if data.tasks != tasks || data.tasksHash != tasksHash { differences.append("another task list (training and evaluation folders)") }
        return "the data's ARC identifier layout (\(data)) differs from \(this) (\(self)): "
            + differences.joined(separator: "; ")
            + "; its identifiers would point at other tasks' embedding rows. Evaluate on the --test-output file built together with the training file, or rebuild both with the same options"
    }
}
