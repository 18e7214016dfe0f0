// Parameter trees: every layer lists its tensors under dotted paths ("layers.0.mlp.down_proj.weight").
// These paths are the names in our safetensors files; they follow the reference implementation's
// module tree so its checkpoints load directly.
import TRMTensor

/// Something that owns named tensors, possibly through child modules.
public protocol Module: AnyObject {
    /// Trainable tensors with their paths relative to this module.
    var parameters: [(String, Tensor)] { get }
    /// Non-trained state saved with the weights (e.g. fixed initial states, RoPE tables).
    var buffers: [(String, Tensor)] { get }
}

extension Module {
    public var buffers: [(String, Tensor)] { [] }

    /// Every trainable tensor keyed by path.
    public var parameterDictionary: [String: Tensor] { Dictionary(uniqueKeysWithValues: parameters) }

    /// Parameters and buffers together (what a checkpoint stores).
    public var state: [(String, Tensor)] { parameters + buffers }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.1.count } }

    /// Clears the gradient of every parameter.
    public func zeroGradients() {
        for (_, p) in parameters { p.grad = nil }
    }
}

/// Prefixes child paths: `scoped("mlp", child.parameters)`.
public func scoped(_ prefix: String, _ items: [(String, Tensor)]) -> [(String, Tensor)] {
    items.map { ("\(prefix).\($0.0)", $0.1) }
}

/// A trainable tensor (leaf with requiresGrad).
public func parameter(_ shape: [Int], values: [Float]) -> Tensor {
    let t = try! Tensor(shape: shape, values: values)  // values are generated for exactly this shape
    t.requiresGrad = true
    return t
}

/// Weight initialisers.
public enum Initializer {
    /// Truncated LeCun normal: std 1/sqrt(fanIn), cut at +-2 std (JAX-style, exact std).
    public static func lecunNormal(_ shape: [Int], fanIn: Int, rng: inout SeededRandom) -> Tensor {
        parameter(shape, values: rng.truncatedNormal(count: shape.reduce(1, *), std: 1 / Double(fanIn).squareRoot()))
    }

    public static func zeros(_ shape: [Int]) -> Tensor {
        parameter(shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public static func constant(_ shape: [Int], _ value: Float) -> Tensor {
        parameter(shape, values: [Float](repeating: value, count: shape.reduce(1, *)))
    }
}
