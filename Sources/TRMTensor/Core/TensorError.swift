// Typed errors for shape and argument problems: reported to the caller, never a crash.

public enum TensorError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    case notBroadcastable(op: String, lhs: [Int], rhs: [Int])
    case invalidAxis(op: String, axis: Int, rank: Int)
    case invalidShape(op: String, shape: [Int], reason: String)
    case elementCountMismatch(op: String, expected: Int, got: Int)
    case indexOutOfRange(op: String, index: Int, bound: Int)
    case noGradient(reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, l, r):
            return "\(op): shapes \(l) and \(r) do not match"
        case let .notBroadcastable(op, l, r):
            return "\(op): shapes \(l) and \(r) cannot be broadcast together (trailing axes must be equal or 1)"
        case let .invalidAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .invalidShape(op, shape, reason):
            return "\(op): invalid shape \(shape): \(reason)"
        case let .elementCountMismatch(op, e, g):
            return "\(op): expected \(e) elements, got \(g)"
        case let .indexOutOfRange(op, i, b):
            return "\(op): index \(i) is outside 0..<\(b)"
        case let .noGradient(reason):
            return "backward: \(reason)"
        }
    }
}

/// Normalises a possibly negative axis; throws when it is out of range.
@inlinable
func normalizedAxis(_ axis: Int, rank: Int, op: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
    return a
}

@inlinable
func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }
