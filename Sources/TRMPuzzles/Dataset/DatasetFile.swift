// The compact binary dataset file: a JSON manifest followed by the token arrays, checksummed,
// written atomically (temp file, fsync, rename) and read back memory-mapped.
//
// Layout (little-endian):
//   bytes 0..<8    magic "TRMDSET1"
//   bytes 8..<12   UInt32 manifest length m
//   bytes 12..<16  UInt32 zero
//   bytes 16..<16+m  manifest JSON (UTF-8), padded with spaces to a multiple of 8
//   payload        inputs  [n * seqLen] as UInt8 (tokenBytes 1) or Int32 (tokenBytes 4)
//                  labels  [n * seqLen] same width; the ignore label is stored as 255 in UInt8 files
//                  puzzleIdentifiers [n] as Int32
//                  ratings [n] as Int32, only when the manifest's `ratings` is true (-1 = unrated)
// The manifest's checksum is FNV-1a 64 over the payload bytes.
import Foundation
import TRMFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The JSON header of a dataset file. `trm data stats` prints it.
public struct DatasetManifest: Codable, Sendable, Equatable {
    public var format = "trm-dataset"
    public var version = 1
    public var kind: PuzzleKind
    public var count: Int
    public var seqLen: Int
    public var vocabSize: Int
    public var numPuzzleIdentifiers: Int
    public var gridRows: Int
    public var gridCols: Int
    /// 1 (UInt8 tokens) or 4 (Int32 tokens).
    public var tokenBytes: Int
    public var payloadBytes: Int
    /// "fnv1a64:<16 hex digits>" over the payload.
    public var checksum: String
    public var ignoreLabel: Int32 = PuzzleDataset.ignoreLabel
    public var sources: [String]
    public var skippedRows: Int
    public var metadata: [String: String]
    /// Whether the payload ends with one Int32 rating per example (the CSV's `rating` column, so
    /// that `trm eval` on a built file reports accuracy by difficulty). Absent in older files.
    public var ratings: Bool? = nil
}

public enum DatasetFile {
    static let magic: [UInt8] = Array("TRMDSET1".utf8)
    static let storedIgnore: UInt8 = 255

    /// FNV-1a 64-bit hash of bytes.
    public static func fnv1a64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Encodes the dataset (manifest + payload) into bytes.
    public static func encode(_ dataset: PuzzleDataset, sources: [String] = [], skippedRows: Int = 0) throws(DataError) -> [UInt8] {
        if let problem = dataset.consistencyProblem { throw .invalidArgument("dataset is inconsistent: \(problem)") }
        let compact = dataset.vocabSize <= 255
        var payload: [UInt8] = []
        let tokens = dataset.inputs.count
        payload.reserveCapacity(tokens * (compact ? 2 : 8) + dataset.count * 4)
        if compact {
            for t in dataset.inputs { payload.append(UInt8(truncatingIfNeeded: t)) }
            for t in dataset.labels { payload.append(t == PuzzleDataset.ignoreLabel ? storedIgnore : UInt8(truncatingIfNeeded: t)) }
        } else {
            appendInt32s(dataset.inputs, to: &payload)
            appendInt32s(dataset.labels, to: &payload)
        }
        appendInt32s(dataset.puzzleIdentifiers, to: &payload)
        if let ratings = dataset.ratings { appendInt32s(ratings, to: &payload) }
        let sum = payload.withUnsafeBytes { fnv1a64($0) }
        let manifest = DatasetManifest(kind: dataset.kind, count: dataset.count, seqLen: dataset.seqLen,
                                       vocabSize: dataset.vocabSize, numPuzzleIdentifiers: dataset.numPuzzleIdentifiers,
                                       gridRows: dataset.gridRows, gridCols: dataset.gridCols,
                                       tokenBytes: compact ? 1 : 4, payloadBytes: payload.count,
                                       checksum: "fnv1a64:" + hex(sum), sources: sources,
                                       skippedRows: skippedRows, metadata: dataset.metadata,
                                       ratings: dataset.ratings == nil ? nil : true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var json: [UInt8]
        do { json = Array(try encoder.encode(manifest)) } catch {
            throw .invalidArgument("cannot encode manifest: \(error)")
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var out = magic
        appendUInt32(UInt32(json.count), to: &out)
        appendUInt32(0, to: &out)
        out += json
        out += payload
        return out
    }

    /// Writes atomically: a temporary file in the same folder, fsync, rename over `path`, fsync folder.
    public static func write(_ dataset: PuzzleDataset, to path: String, sources: [String] = [], skippedRows: Int = 0) throws(DataError) {
        let bytes = try encode(dataset, sources: sources, skippedRows: skippedRows)
        try writeAtomically(bytes, to: path)
    }

    /// `bytes` written to `path` all at once (`AtomicFile`): an existing file stays as it was if
    /// anything fails.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
        do {
            try AtomicFile.write(Data(bytes), toPath: path)
        } catch {
            throw .unwritable(file: path, reason: error.cause)
        }
    }

    /// Reads only the manifest.
    public static func readManifest(path: String) throws(DataError) -> DatasetManifest {
        let data = try map(path)
        return try manifest(of: data, path: path).manifest
    }

    /// Reads a dataset file (memory-mapped), checks sizes and, with `verify`, the checksum.
    public static func read(path: String, verify: Bool = true) throws(DataError) -> (dataset: PuzzleDataset, manifest: DatasetManifest) {
        let data = try map(path)
        let (manifest, payloadStart) = try manifest(of: data, path: path)
        guard data.count - payloadStart == manifest.payloadBytes else {
            throw .corruptDataset(file: path, reason: "payload is \(data.count - payloadStart) bytes, manifest says \(manifest.payloadBytes) (truncated?)")
        }
        // Sizes come from the file: check them without overflowing.
        let (tokens, o1) = manifest.count.multipliedReportingOverflow(by: manifest.seqLen)
        let (cells, o2) = manifest.gridRows.multipliedReportingOverflow(by: manifest.gridCols)
        guard !o1, !o2, manifest.count >= 0, manifest.seqLen >= 1, manifest.gridRows >= 1, manifest.gridCols >= 1,
              manifest.vocabSize >= 1, manifest.numPuzzleIdentifiers >= 1, cells == manifest.seqLen,
              manifest.tokenBytes == 1 || manifest.tokenBytes == 4,
              tokens <= Int.max / 16,
              manifest.payloadBytes == tokens * 2 * manifest.tokenBytes + manifest.count * (manifest.ratings == true ? 8 : 4) else {
            throw .corruptDataset(file: path, reason: "manifest sizes do not agree")
        }
        var dataset = PuzzleDataset(kind: manifest.kind, seqLen: manifest.seqLen, vocabSize: manifest.vocabSize,
                                    numPuzzleIdentifiers: manifest.numPuzzleIdentifiers,
                                    gridRows: manifest.gridRows, gridCols: manifest.gridCols, metadata: manifest.metadata)
        let checksumOK: Bool = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let payload = UnsafeRawBufferPointer(rebasing: raw[payloadStart...])
            if verify && "fnv1a64:" + hex(fnv1a64(payload)) != manifest.checksum { return false }
            if manifest.tokenBytes == 1 {
                let b = payload.bindMemory(to: UInt8.self)
                dataset.inputs = [Int32](unsafeUninitializedCapacity: tokens) { buf, n in
                    for i in 0..<tokens { buf[i] = Int32(b[i]) }
                    n = tokens
                }
                dataset.labels = [Int32](unsafeUninitializedCapacity: tokens) { buf, n in
                    for i in 0..<tokens { let v = b[tokens + i]; buf[i] = v == storedIgnore ? PuzzleDataset.ignoreLabel : Int32(v) }
                    n = tokens
                }
            } else {
                dataset.inputs = readInt32s(payload, offset: 0, count: tokens)
                dataset.labels = readInt32s(payload, offset: tokens * 4, count: tokens)
            }
            dataset.puzzleIdentifiers = readInt32s(payload, offset: tokens * 2 * manifest.tokenBytes, count: manifest.count)
            if manifest.ratings == true {
                dataset.ratings = readInt32s(payload, offset: tokens * 2 * manifest.tokenBytes + manifest.count * 4, count: manifest.count)
            }
            return true
        }
        guard checksumOK else { throw .corruptDataset(file: path, reason: "checksum mismatch (file damaged)") }
        if let problem = dataset.consistencyProblem { throw .corruptDataset(file: path, reason: problem) }
        return (dataset, manifest)
    }

    /// Whether `path` is a regular file that starts like a dataset file (false for folders and
    /// unreadable paths).
    public static func isDatasetFile(path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8) else { return false }
        return looksLikeDatasetFile(head)
    }

    /// Whether the bytes start like a dataset file.
    public static func looksLikeDatasetFile(_ data: Data) -> Bool {
        data.count >= 8 && Array(data.prefix(8)) == magic
    }

    // MARK: helpers

    private static func map(_ path: String) throws(DataError) -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    private static func manifest(of data: Data, path: String) throws(DataError) -> (manifest: DatasetManifest, payloadStart: Int) {
        guard looksLikeDatasetFile(data), data.count >= 16 else {
            throw .corruptDataset(file: path, reason: "missing TRMDSET1 header")
        }
        let length = data.withUnsafeBytes { raw in Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) }
        guard 16 + length <= data.count else { throw .corruptDataset(file: path, reason: "manifest runs past the end of the file") }
        let json = data.subdata(in: (data.startIndex + 16)..<(data.startIndex + 16 + length))
        do {
            let manifest = try JSONDecoder().decode(DatasetManifest.self, from: json)
            guard manifest.format == "trm-dataset", manifest.version == 1 else {
                throw DataError.corruptDataset(file: path, reason: "format \(manifest.format) version \(manifest.version) is not supported")
            }
            return (manifest, 16 + length)
        } catch let e as DataError {
            throw e
        } catch {
            throw .corruptDataset(file: path, reason: "manifest is not valid JSON: \(error)")
        }
    }

    private static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    private static func appendInt32s(_ values: [Int32], to out: inout [UInt8]) {
        for v in values { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    }

    private static func readInt32s(_ raw: UnsafeRawBufferPointer, offset: Int, count: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { buf, n in
            for i in 0..<count { buf[i] = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 4, as: Int32.self)) }
            n = count
        }
    }

    /// `v` as 16 lowercase hex digits.
    public static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
