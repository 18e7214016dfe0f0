// InteropError: everything that can be wrong with a file written by the reference implementation
// (PyTorch checkpoint, all_config.yaml, NumPy array, dataset.json). Every error names the file and
// the first problem found, so a user knows which file to replace and why.

/// A problem reading or writing one of the reference's files.
public struct InteropError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in (a path, or a path plus the archive entry).
    public var file: String
    /// What is wrong, in words.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
