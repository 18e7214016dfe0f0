// Tensor: a row-major, contiguous float32 array with a shape, optional gradient and a place in
// the autodiff tape. IntTensor holds int32 token ids and labels.

/// A float32 tensor. Row-major and contiguous; `reshaped` shares storage, everything else that
/// changes layout (transpose, slice, concat) is an explicit copy.
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    public let shape: [Int]
    public let storage: Storage
    /// Leaf tensors (parameters) with `requiresGrad` accumulate into `grad` during backward.
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf tensor, same shape.
    public var grad: Tensor?
    /// True when this tensor was produced by an operation recorded on a tape.
    public internal(set) var isRecorded: Bool = false

    /// Uninitialised tensor (contents undefined): for kernels that overwrite every element.
    public init(uninitialized shape: [Int], device: Device = .cpu) {
        self.shape = shape
        self.storage = Storage(count: elementCount(shape), device: device)
        self.requiresGrad = false
    }

    init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = false
    }

    public convenience init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(uninitialized: shape)
        data.update(repeating: value, count: count)
    }

    /// Tensor from values in row-major order; throws when the count does not fit the shape.
    public convenience init(shape: [Int], values: [Float]) throws {
        guard values.count == elementCount(shape) else {
            throw TensorError.elementCountMismatch(op: "Tensor(shape:values:)", expected: elementCount(shape), got: values.count)
        }
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    public convenience init(scalar: Float) {
        self.init(repeating: scalar, shape: [])
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var device: Device { storage.device }
    /// Raw element pointer (row-major).
    public var data: UnsafeMutablePointer<Float> { storage.pointer }

    /// All elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float { data[0] }

    /// A view with another shape over the same storage (no copy).
    /// Recorded on the active tape so gradients flow through it.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.invalidShape(op: "reshape", shape: newShape, reason: "cannot infer -1 for \(count) elements")
            }
            s[i] = count / known
        }
        guard elementCount(s) == count else {
            throw TensorError.elementCountMismatch(op: "reshape \(shape) -> \(newShape)", expected: count, got: elementCount(s))
        }
        let out = Tensor(shape: s, storage: storage)
        let oldShape = shape
        Tape.record(out, inputs: [self]) { g in [Tensor(shape: oldShape, storage: g.storage)] }
        return out
    }

    /// A copy that shares nothing and records nothing (the value, without history).
    public func detached() -> Tensor {
        let out = Tensor(uninitialized: shape)
        out.data.update(from: data, count: count)
        return out
    }

    /// Copies `other`'s values into this tensor in place (same element count). Not recorded.
    public func assign(_ other: Tensor) throws {
        guard other.count == count else {
            throw TensorError.elementCountMismatch(op: "assign", expected: count, got: other.count)
        }
        data.update(from: other.data, count: count)
    }

    /// Sets every element to zero (e.g. a gradient). Not recorded.
    public func zero() { data.update(repeating: 0, count: count) }

    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}

/// An int32 tensor for token ids, labels and predictions. Never differentiated.
public struct IntTensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Int32]

    public init(shape: [Int], values: [Int32]) throws {
        guard values.count == elementCount(shape) else {
            throw TensorError.elementCountMismatch(op: "IntTensor", expected: elementCount(shape), got: values.count)
        }
        self.shape = shape
        self.values = values
    }

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.values = [Int32](repeating: 0, count: elementCount(shape))
    }

    public var count: Int { values.count }
}
