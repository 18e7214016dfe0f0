// SafeTensorsFile: read, validate and write the safetensors format, independent of any tensor type.
//
// Layout: 8 bytes little-endian header length N, then N bytes of JSON
//   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
// then the data buffer; offsets are relative to the buffer's start. The reader accepts nothing it
// cannot fully account for: every byte of the buffer belongs to exactly one tensor.

import Foundation
import TRMFiles

/// A whole safetensors file in memory: named tensors plus string metadata.
public struct SafeTensorsFile: Sendable {
    /// Tensors by name.
    public var tensors: [String: SafeTensorEntry]
    /// The optional `__metadata__` string map.
    public var metadata: [String: String]
    /// Where the file came from (a path, or `"<memory>"`), used in error messages.
    public var source: String

    /// Headers larger than this are refused, as the reference implementation does.
    public static let maximumHeaderBytes = 100_000_000

    public init(tensors: [String: SafeTensorEntry] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.source = "<memory>"
    }

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws(SafeTensorsError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(file: url.path, problem: .unreadable(reason: Self.reason(error)))
        }
        try self.init(data: bytes, source: url.path)
    }

    /// Parses and validates a file's bytes; `source` names it in errors.
    public init(data: Data, source: String = "<memory>") throws(SafeTensorsError) {
        func fail(_ problem: SafeTensorsError.Problem) -> SafeTensorsError {
            SafeTensorsError(file: source, problem: problem)
        }
        let bytes = data.count
        guard bytes >= 8 else { throw fail(.truncated(byteCount: bytes)) }
        let start = data.startIndex
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(bytes - 8) else {
            throw fail(.headerLengthBeyondFile(headerLength: headerLength, fileLength: bytes))
        }
        let headerCount = Int(headerLength)
        guard headerCount <= Self.maximumHeaderBytes else {
            throw fail(.badHeader(reason: "header is \(headerCount) bytes, more than the \(Self.maximumHeaderBytes) allowed"))
        }
        let headerBytes = data[(start + 8)..<(start + 8 + headerCount)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(.badHeader(reason: "header does not start with '{'"))
        }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch {
            throw fail(.badHeader(reason: Self.reason(error)))
        }

        let bufferStart = start + 8 + headerCount
        let bufferLength = bytes - 8 - headerCount
        var ranges: [(name: String, begin: Int, end: Int)] = []
        var tensors: [String: SafeTensorEntry] = [:]
        for (name, raw) in header.entries {
            guard let dtype = SafeTensorDType(rawValue: raw.dtype) else {
                throw fail(.unknownDType(tensor: name, dtype: raw.dtype))
            }
            guard let expected = SafeTensorEntry.byteCount(shape: raw.shape, dtype: dtype) else {
                throw fail(.badShape(tensor: name, shape: raw.shape))
            }
            guard raw.dataOffsets.count == 2 else {
                throw fail(.badHeader(reason: "tensor '\(name)': data_offsets must be [begin, end], got \(raw.dataOffsets)"))
            }
            let (begin, end) = (raw.dataOffsets[0], raw.dataOffsets[1])
            guard begin >= 0, begin <= end, end <= bufferLength else {
                throw fail(.offsetsOutOfRange(tensor: name, begin: begin, end: end, bufferLength: bufferLength))
            }
            guard end - begin == expected else {
                throw fail(.byteCountMismatch(tensor: name, expected: expected, actual: end - begin))
            }
            ranges.append((name, begin, end))
            tensors[name] = SafeTensorEntry(dtype: dtype, shape: raw.shape,
                                            data: Data(data[(bufferStart + begin)..<(bufferStart + end)]))
        }

        // Every byte of the buffer must belong to exactly one tensor.
        ranges.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expectedOffset = 0
        var previous: String? = nil
        for range in ranges {
            if range.begin < expectedOffset, let previous {
                throw fail(.overlappingOffsets(tensor: range.name, otherTensor: previous))
            }
            if range.begin > expectedOffset {
                throw fail(.offsetsDoNotCoverBuffer(expectedOffset: expectedOffset, foundOffset: range.begin))
            }
            expectedOffset = range.end
            previous = range.name
        }
        if expectedOffset != bufferLength {
            throw fail(.offsetsDoNotCoverBuffer(expectedOffset: expectedOffset, foundOffset: bufferLength))
        }

        self.tensors = tensors
        self.metadata = header.metadata
        self.source = source
    }

    // MARK: Access

    /// The entry named `name`, or a `missingTensor` error listing what is there.
    public func entry(_ name: String) throws(SafeTensorsError) -> SafeTensorEntry {
        guard let entry = tensors[name] else {
            throw SafeTensorsError(file: source, problem: .missingTensor(name: name, available: tensors.keys.sorted()))
        }
        return entry
    }

    /// Tensor `name` as `Float`s (from F32, F64, F16 or BF16), with its shape.
    public func floats(_ name: String) throws(SafeTensorsError) -> (values: [Float], shape: [Int]) {
        let entry = try entry(name)
        return (try entry.floats(tensor: name, file: source), entry.shape)
    }

    /// Tensor `name` as `Int32`s (from I32, I64 or any smaller integer type), with its shape.
    public func int32s(_ name: String) throws(SafeTensorsError) -> (values: [Int32], shape: [Int]) {
        let entry = try entry(name)
        return (try entry.int32s(tensor: name, file: source), entry.shape)
    }

    // MARK: Writing

    /// The file's bytes: keys sorted, tensors laid out in key order, header padded with spaces so
    /// the data buffer starts on an 8-byte boundary. Fails if an entry's byte count does not
    /// match its shape and dtype.
    public func serialized() throws(SafeTensorsError) -> Data {
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let entry = tensors[name]!
            guard let expected = SafeTensorEntry.byteCount(shape: entry.shape, dtype: entry.dtype) else {
                throw SafeTensorsError(file: source, problem: .badShape(tensor: name, shape: entry.shape))
            }
            guard expected == entry.data.count else {
                throw SafeTensorsError(file: source, problem: .byteCountMismatch(tensor: name, expected: expected,
                                                                                 actual: entry.data.count))
            }
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONText.quoted(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + expected)]}")
            offset += expected
        }
        json += fields.joined(separator: ",") + "}"
        var header = Data(json.utf8)
        let padding = (8 - (8 + header.count) % 8) % 8
        header.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: padding))

        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        for name in names { out.append(tensors[name]!.data) }
        return out
    }

    /// Writes the file atomically (see ``AtomicFile``). Throws ``SafeTensorsError`` for an
    /// inconsistent entry, ``FileWriteError`` if the write fails; an existing file is then untouched.
    public func write(to url: URL) throws {
        var named = self
        named.source = url.path
        let bytes = try named.serialized()
        try AtomicFile.write(bytes, to: url)
    }

    // MARK: Helpers


    private static func reason(_ error: any Error) -> String {
        error is DecodingError ? JSONText.decodingReason(error) : error.localizedDescription
    }
}

/// The header as decoded from JSON, before validation.
private struct RawHeader: Decodable {
    var entries: [(name: String, entry: RawEntry)] = []
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct RawEntry: Decodable {
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]
        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}
