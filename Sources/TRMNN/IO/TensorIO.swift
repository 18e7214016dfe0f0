// Bridges safetensors entries and engine tensors: load a file as named Tensors / IntTensors,
// save named tensors atomically.
import Foundation
import TRMTensor

extension SafeTensorsFile {
    /// Every float tensor (F32, F64, F16, BF16) as a Tensor; integer tensors are skipped.
    public func floatTensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, e) in tensors where [.f32, .f64, .f16, .bf16].contains(e.dtype) {
            out[name] = try tensor(name)
        }
        return out
    }

    /// The named float tensor.
    public func tensor(_ name: String) throws -> Tensor {
        let (values, shape) = try floats(name)
        return try Tensor(shape: shape, values: values)
    }

    /// The named integer tensor.
    public func intTensor(_ name: String) throws -> IntTensor {
        let (values, shape) = try int32s(name)
        return try IntTensor(shape: shape, values: values)
    }

    /// Named float32 tensors in a new file value.
    public init(tensors named: [(String, Tensor)], metadata: [String: String] = [:]) {
        var entries: [String: SafeTensorEntry] = [:]
        for (name, t) in named { entries[name] = SafeTensorEntry(floats: t.scalars, shape: t.shape) }
        self.init(tensors: entries, metadata: metadata)
    }
}
