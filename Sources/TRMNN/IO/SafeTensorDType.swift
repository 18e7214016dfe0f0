// SafeTensorDType: the element types a safetensors file can name, with their byte sizes.
// Only whole-byte types are listed; sub-byte types (F4, F6) are rejected as unknown.

/// An element type as spelled in a safetensors header (`"F32"`, `"BF16"`, ...).
public enum SafeTensorDType: String, CaseIterable, Sendable, Codable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }
}
