// SafeTensorEntry: one tensor in a safetensors file (dtype, shape, raw little-endian bytes), and
// the conversions between those bytes and Swift arrays, including half precision (F16, BF16),
// written with bit operations so they behave the same on every platform.

import Foundation

/// One named tensor's dtype, shape and raw bytes (little-endian, row-major).
public struct SafeTensorEntry: Equatable, Sendable {
    public var dtype: SafeTensorDType
    public var shape: [Int]
    public var data: Data

    /// Wraps raw bytes. No checks here: ``SafeTensorsFile/serialized()`` rejects entries whose
    /// byte count does not match `shape` and `dtype`.
    public init(dtype: SafeTensorDType, shape: [Int], data: Data) {
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Encodes `values` (row-major, count == product(shape)) as F32, F64, F16 or BF16.
    /// Half-precision encodings round to nearest, ties to even.
    public init(floats values: [Float], shape: [Int], dtype: SafeTensorDType = .f32) {
        precondition(values.count == shape.reduce(1, *), "values.count must equal product(shape)")
        precondition([.f32, .f64, .f16, .bf16].contains(dtype), "float entries must be F32, F64, F16 or BF16")
        var bytes = Data(capacity: values.count * dtype.byteSize)
        switch dtype {
        case .f64: for v in values { Self.append(Double(v).bitPattern, to: &bytes) }
        case .f16: for v in values { Self.append(HalfFloat.f16Bits(from: v), to: &bytes) }
        case .bf16: for v in values { Self.append(HalfFloat.bf16Bits(from: v), to: &bytes) }
        default: for v in values { Self.append(v.bitPattern, to: &bytes) }
        }
        self.init(dtype: dtype, shape: shape, data: bytes)
    }

    /// Encodes `values` (row-major, count == product(shape)) as I32.
    public init(int32s values: [Int32], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "values.count must equal product(shape)")
        var bytes = Data(capacity: values.count * 4)
        for v in values { Self.append(UInt32(bitPattern: v), to: &bytes) }
        self.init(dtype: .i32, shape: shape, data: bytes)
    }

    /// product(shape); 1 for a scalar (empty shape).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as `Float`, converting from F32, F64, F16 or BF16. `tensor` names it in errors.
    public func floats(tensor: String = "?", file: String = "<memory>") throws(SafeTensorsError) -> [Float] {
        let n = try checkedCount(tensor: tensor, file: file)
        switch dtype {
        case .f32: return load(n, UInt32.self).map { Float(bitPattern: $0) }
        case .f64: return load(n, UInt64.self).map { Float(Double(bitPattern: $0)) }
        case .f16: return load(n, UInt16.self).map(HalfFloat.float(fromF16:))
        case .bf16: return load(n, UInt16.self).map(HalfFloat.float(fromBF16:))
        default:
            throw SafeTensorsError(file: file, problem: .unsupportedConversion(tensor: tensor, from: dtype, to: "[Float]"))
        }
    }

    /// The values as `Int32`, converting from any integer dtype or BOOL; values that do not fit
    /// (from I64, U32, U64) are an error, never a silent wrap.
    public func int32s(tensor: String = "?", file: String = "<memory>") throws(SafeTensorsError) -> [Int32] {
        let n = try checkedCount(tensor: tensor, file: file)
        func narrow<T: BinaryInteger>(_ values: [T]) throws(SafeTensorsError) -> [Int32] {
            var out = [Int32](); out.reserveCapacity(values.count)
            for (i, v) in values.enumerated() {
                guard let x = Int32(exactly: v) else {
                    throw SafeTensorsError(file: file, problem: .valueOutOfRange(tensor: tensor, index: i))
                }
                out.append(x)
            }
            return out
        }
        switch dtype {
        case .i32: return load(n, UInt32.self).map { Int32(bitPattern: $0) }
        case .i64: return try narrow(load(n, UInt64.self).map { Int64(bitPattern: $0) })
        case .u64: return try narrow(load(n, UInt64.self))
        case .u32: return try narrow(load(n, UInt32.self))
        case .i16: return load(n, UInt16.self).map { Int32(Int16(bitPattern: $0)) }
        case .u16: return load(n, UInt16.self).map { Int32($0) }
        case .i8: return load(n, UInt8.self).map { Int32(Int8(bitPattern: $0)) }
        case .u8, .bool: return load(n, UInt8.self).map { Int32($0) }
        default:
            throw SafeTensorsError(file: file, problem: .unsupportedConversion(tensor: tensor, from: dtype, to: "[Int32]"))
        }
    }

    /// The element count, after checking the bytes really hold that many elements.
    private func checkedCount(tensor: String, file: String) throws(SafeTensorsError) -> Int {
        guard let expected = Self.byteCount(shape: shape, dtype: dtype) else {
            throw SafeTensorsError(file: file, problem: .badShape(tensor: tensor, shape: shape))
        }
        guard expected == data.count else {
            throw SafeTensorsError(file: file, problem: .byteCountMismatch(tensor: tensor, expected: expected, actual: data.count))
        }
        return elementCount
    }

    /// product(shape) x dtype size, or nil if a dimension is negative or the product overflows.
    static func byteCount(shape: [Int], dtype: SafeTensorDType) -> Int? {
        var total = dtype.byteSize
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// Reads `count` little-endian unsigned integers of type `T` from `data`.
    private func load<T: FixedWidthInteger & UnsignedInteger>(_ count: Int, _: T.Type) -> [T] {
        data.withUnsafeBytes { raw in
            (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}

/// Bit-level IEEE half (F16) and bfloat16 (BF16) conversions.
enum HalfFloat {
    /// F16 bits -> Float (exact: every half value is a float value).
    static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa x 2^-24.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))  // inf or NaN
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// Float -> F16 bits, rounding to nearest, ties to even; overflow gives infinity.
    static func f16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = abs(value)
        if magnitude >= 65520 { return sign | 0x7C00 }  // rounds past the largest half (65504)
        if magnitude < 0x1p-14 {
            // Subnormal half: count units of 2^-24 (exact scaling by a power of two), then round.
            return sign | UInt16((magnitude * 0x1p24).rounded(.toNearestOrEven))
        }
        let exponent = UInt32((bits >> 23) & 0xFF) + 15 - 127  // >= 1 here, since magnitude >= 2^-14
        let mantissa = bits & 0x7F_FFFF
        var half = (exponent << 10) | (mantissa >> 13)
        let rest = mantissa & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1) { half += 1 }  // carries into exponent
        return sign | UInt16(half)
    }

    /// BF16 bits -> Float (BF16 is the top half of a float).
    static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Float -> BF16 bits, rounding to nearest, ties to even.
    static func bf16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}
