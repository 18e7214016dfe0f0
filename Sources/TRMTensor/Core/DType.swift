// The compute precision of matrix products and carried activations: fp32 everywhere, or the
// reference's `forward_dtype: bfloat16` (matmul inputs rounded to bf16 with fp32 accumulation,
// carried states and embeddings rounded to bf16; norms, softmax and the loss in fp32).
// Parameters, gradients, optimizer states and checkpoints are fp32 in both.
import Foundation

/// The compute dtype a `ComputeContext` runs with.
public enum ComputeDType: String, Sendable, CaseIterable, CustomStringConvertible {
    case fp32
    case bf16

    public var description: String { rawValue }

    /// Parses a --dtype value; the error names the accepted values.
    public init(parsing text: String) throws {
        guard let d = ComputeDType(rawValue: text.lowercased()) else {
            throw DTypeError.unknown(text)
        }
        self = d
    }

    /// The default for this CPU: bf16 where oneDNN's bf16 matmul is measured faster than fp32
    /// (`OneDNN.bf16IsFaster`: AMX, or AVX512-BF16 on AMD), fp32 elsewhere (on AVX512-BF16 without
    /// AMX on Intel oneDNN 2.6's bf16 matmul runs at about half the fp32 rate; on AVX2 it has no
    /// bf16 matmul). `TRM_DTYPE` overrides.
    public static var platformDefault: ComputeDType {
        if let s = ProcessInfo.processInfo.environment["TRM_DTYPE"], let d = ComputeDType(rawValue: s.lowercased()) {
            return d
        }
        #if canImport(CDNNL)
        return OneDNN.bf16IsFaster ? .bf16 : .fp32
        #else
        return .fp32
        #endif
    }

    /// True where matrix products can run in bf16 here (oneDNN creates a bf16 matmul primitive).
    public static var bf16Supported: Bool {
        #if canImport(CDNNL)
        return OneDNN.implementation(m: 16, n: 16, k: 16, bf16: true) != nil
        #else
        return false
        #endif
    }

    /// `requested` if this machine can run it, else fp32 with a one-line reason (print it once).
    /// With `emulate` (a fixture check, where the numbers matter and speed does not) bf16 runs
    /// anyway where oneDNN has no bf16 matmul: each product rounds its inputs to bf16 and runs on the
    /// fp32 kernel, which gives the same numbers (a product of two bf16 values is exact in fp32), and
    /// the note says so.
    public static func resolve(_ requested: ComputeDType, emulate: Bool = false) -> (dtype: ComputeDType, note: String?) {
        if requested == .bf16 && !bf16Supported {
            #if canImport(CDNNL)
            let isa = OneDNN.isa
            #else
            let isa = "no oneDNN on this platform"
            #endif
            if emulate {
                return (.bf16, "oneDNN has no bf16 matmul here (ISA \(isa)); bf16 emulated: inputs rounded to bf16 on the fp32 kernel (the same numbers, slower)")
            }
            return (.fp32, "bf16 requested but oneDNN cannot create a bf16 matmul here (ISA \(isa)); running fp32")
        }
        return (requested, nil)
    }
}

/// A dtype name that is neither bf16 nor fp32.
public enum DTypeError: Error, CustomStringConvertible, Equatable {
    case unknown(String)

    public var description: String {
        switch self {
        case let .unknown(s): return "unknown dtype '\(s)'; use bf16 or fp32"
        }
    }
}
