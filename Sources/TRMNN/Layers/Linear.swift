// Linear: y = x W^T (+ b). Weight [out, in] as in PyTorch, so reference checkpoints load as they are.
import TRMTensor

public final class Linear: Module {
    public let weight: Tensor   // [out, in]
    public let bias: Tensor?    // [out]

    public init(weight: Tensor, bias: Tensor? = nil) {
        self.weight = weight
        self.bias = bias
    }

    /// LeCun-normal weight, zero bias when requested.
    public convenience init(inputs: Int, outputs: Int, bias: Bool = false, rng: inout SeededRandom) {
        self.init(weight: Initializer.lecunNormal([outputs, inputs], fanIn: inputs, rng: &rng),
                  bias: bias ? Initializer.zeros([outputs]) : nil)
    }

    public var parameters: [(String, Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x: [..., in] -> [..., out]
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try linear(x, weight: weight)
        guard let bias else { return y }
        return try y + bias
    }
}

/// Width of a SwiGLU hidden layer: round(expansion * width * 2 / 3) rounded up to a multiple of 256.
public func swigluInnerWidth(width: Int, expansion: Double) -> Int {
    let raw = Int((expansion * Double(width) * 2 / 3).rounded())
    return (raw + 255) / 256 * 256
}

/// SwiGLU feed-forward: fused gate/up projection D -> 2I, silu(gate) * up, down I -> D.
public final class SwiGLU: Module {
    public let gateUp: Linear   // [2I, D]: first I rows gate, next I up
    public let down: Linear     // [D, I]

    public init(gateUp: Linear, down: Linear) { self.gateUp = gateUp; self.down = down }

    public convenience init(width: Int, inner: Int, rng: inout SeededRandom) {
        self.init(gateUp: Linear(inputs: width, outputs: 2 * inner, rng: &rng),
                  down: Linear(inputs: inner, outputs: width, rng: &rng))
    }

    public var parameters: [(String, Tensor)] {
        scoped("gate_up_proj", gateUp.parameters) + scoped("down_proj", down.parameters)
    }

    /// x: [..., D] -> [..., D]
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard gateUp.bias == nil, down.bias == nil else { return try down(swiglu(gateUp(x))) }
        return try swigluFeedForward(x, gateUp: gateUp.weight, down: down.weight)
    }
}
