// NumPyArray: the `.npy` files the reference's dataset builders write (NumPy format 1.0, also 2.0):
// the magic "\x93NUMPY", a version, a header length, a Python-dict header with 'descr',
// 'fortran_order' and 'shape', then the raw array. Integer and boolean element types are read
// (the data sets hold token ids and indices); anything else is an error naming the file.
import Foundation

public struct NumPyArray: Sendable, Equatable {
    public var shape: [Int]
    /// The elements in C (row-major) order, widened to Int64.
    public var values: [Int64]
    /// The element type as written, e.g. "<i8", "|u1".
    public var descr: String

    public init(shape: [Int], values: [Int64], descr: String) {
        self.shape = shape; self.values = values; self.descr = descr
    }

    /// Reads the file at `url`.
    public init(contentsOf url: URL) throws(InteropError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InteropError(file: url.path, problem: "cannot read (\(error.localizedDescription))")
        }
        try self.init(data: data, file: url.path)
    }

    static let widths: [String: (bytes: Int, signed: Bool)] = [
        "u1": (1, false), "i1": (1, true), "b1": (1, false), "u2": (2, false), "i2": (2, true),
        "u4": (4, false), "i4": (4, true), "u8": (8, false), "i8": (8, true),
    ]

    public init(data: Data, file: String) throws(InteropError) {
        func fail(_ why: String) -> InteropError { InteropError(file: file, problem: why) }
        let b = [UInt8](data)
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = b[6]
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        default: throw fail("unsupported .npy format version \(major).\(b[7])")
        }
        guard headerLength <= b.count - start else { throw fail("truncated: the header runs past the end of the file") }
        let header = String(decoding: b[start..<(start + headerLength)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }),
              let fortran = Self.field("fortran_order", in: header), let shapeText = Self.field("shape", in: header) else {
            throw fail("malformed header \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard fortran == "False" else {
            throw fail("fortran_order is \(fortran); only C-order arrays are supported (save with np.ascontiguousarray)")
        }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { throw fail("bad shape \(shapeText)") }
            shape.append(d)
        }
        let order = descr.first
        let code = String(descr.dropFirst())
        guard let (width, signed) = Self.widths[code], order == "<" || order == "|" || (order == "=" && width == 1) || (width == 1 && order == ">") else {
            throw fail("unsupported dtype '\(descr)': expected little-endian integers (<i8, <i4, |u1, ...)")
        }
        var count = 1
        for d in shape {
            let (m, o) = count.multipliedReportingOverflow(by: d)
            guard !o, m < 1 << 40 else { throw fail("shape \(shape) is too large") }
            count = m
        }
        let body = start + headerLength
        guard b.count - body == count * width else {
            throw fail("holds \(b.count - body) data bytes; shape \(shape) of \(descr) needs \(count * width) (truncated?)")
        }
        var values = [Int64](repeating: 0, count: count)
        for i in 0..<count {
            var v: UInt64 = 0
            let o = body + i * width
            for k in 0..<width { v |= UInt64(b[o + k]) << (8 * UInt64(k)) }
            if signed && width < 8 && v & (1 << (UInt64(width) * 8 - 1)) != 0 { v |= ~0 << (UInt64(width) * 8) }
            values[i] = Int64(bitPattern: v)
        }
        self.init(shape: shape, values: values, descr: descr)
    }

    /// The text after `'key':` up to the next top-level comma (a shape tuple kept whole).
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var depth = 0
        var out = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if (ch == "," && depth == 0) || ch == "}" { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// A .npy file (format 1.0) holding `values` as `<i8` or `<i4` with `shape`.
    public static func encode(_ values: [Int64], shape: [Int], descr: String = "<i8") -> Data {
        let width = descr == "<i4" ? 4 : 8
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = header.utf8.count
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        out.append(contentsOf: Array(header.utf8))
        for v in values { for k in 0..<width { out.append(UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> (8 * UInt64(k)))) } }
        return out
    }
}
