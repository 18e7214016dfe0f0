// SafeTensorsError: everything that can be wrong with a safetensors file or a request for one of
// its tensors. Every error names the file (or "<memory>") so a user knows which one to replace.

/// A problem reading, validating or converting a safetensors file.
public struct SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the problem is in: a path, or `"<memory>"` for bytes parsed with `init(data:)`.
    public var file: String
    /// What is wrong.
    public var problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    /// The specific defect.
    public enum Problem: Equatable, Sendable {
        /// The file could not be read at all.
        case unreadable(reason: String)
        /// Fewer than the 8 bytes that hold the header length.
        case truncated(byteCount: Int)
        /// The header length field points past the end of the file.
        case headerLengthBeyondFile(headerLength: UInt64, fileLength: Int)
        /// The header is not a JSON object of the expected shape.
        case badHeader(reason: String)
        /// A tensor names a dtype this reader does not know.
        case unknownDType(tensor: String, dtype: String)
        /// A tensor's shape has a negative dimension or its element count overflows.
        case badShape(tensor: String, shape: [Int])
        /// `data_offsets` is not `[begin, end]` with begin <= end inside the data buffer.
        case offsetsOutOfRange(tensor: String, begin: Int, end: Int, bufferLength: Int)
        /// Two tensors claim the same bytes.
        case overlappingOffsets(tensor: String, otherTensor: String)
        /// Tensors leave bytes of the data buffer unaccounted for (a gap, or trailing bytes).
        case offsetsDoNotCoverBuffer(expectedOffset: Int, foundOffset: Int)
        /// The byte range does not match product(shape) x dtype size.
        case byteCountMismatch(tensor: String, expected: Int, actual: Int)
        /// A requested tensor is not in the file.
        case missingTensor(name: String, available: [String])
        /// A requested conversion is not possible from this dtype.
        case unsupportedConversion(tensor: String, from: SafeTensorDType, to: String)
        /// An integer does not fit the requested type (e.g. an I64 value beyond Int32).
        case valueOutOfRange(tensor: String, index: Int)
    }

    public var description: String {
        let advice = "The file is damaged or not a safetensors file; re-export or re-download it."
        switch problem {
        case .unreadable(let reason):
            return "\(file): cannot read safetensors file (\(reason)). Check the path and permissions."
        case .truncated(let count):
            return "\(file): truncated safetensors file: \(count) bytes, fewer than the 8-byte header length. \(advice)"
        case .headerLengthBeyondFile(let length, let fileLength):
            return "\(file): header length \(length) runs past the end of the \(fileLength)-byte file "
                + "(truncated download?). \(advice)"
        case .badHeader(let reason):
            return "\(file): malformed safetensors header: \(reason). \(advice)"
        case .unknownDType(let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'; supported: "
                + SafeTensorDType.allCases.map(\.rawValue).joined(separator: ", ") + "."
        case .badShape(let tensor, let shape):
            return "\(file): tensor '\(tensor)' has invalid shape \(shape). \(advice)"
        case .offsetsOutOfRange(let tensor, let begin, let end, let length):
            return "\(file): tensor '\(tensor)' has data_offsets [\(begin), \(end)] outside the "
                + "\(length)-byte data buffer. \(advice)"
        case .overlappingOffsets(let tensor, let other):
            return "\(file): tensors '\(tensor)' and '\(other)' overlap in the data buffer. \(advice)"
        case .offsetsDoNotCoverBuffer(let expected, let found):
            return "\(file): data buffer has unaccounted bytes: expected the next tensor (or the end) at "
                + "byte \(expected), found \(found). \(advice)"
        case .byteCountMismatch(let tensor, let expected, let actual):
            return "\(file): tensor '\(tensor)' holds \(actual) bytes but its shape and dtype need \(expected). \(advice)"
        case .missingTensor(let name, let available):
            let shown = available.prefix(8).joined(separator: ", ") + (available.count > 8 ? ", ..." : "")
            return "\(file): no tensor named '\(name)'. Available: \(shown.isEmpty ? "(none)" : shown). "
                + "Check the name or the file's producer."
        case .unsupportedConversion(let tensor, let from, let to):
            return "\(file): tensor '\(tensor)' is \(from.rawValue) and cannot be read as \(to). "
                + "Use the reader that matches its dtype."
        case .valueOutOfRange(let tensor, let index):
            return "\(file): tensor '\(tensor)' element \(index) does not fit the requested type."
        }
    }
}
