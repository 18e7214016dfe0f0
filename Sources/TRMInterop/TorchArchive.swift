// TorchArchive: the zip container `torch.save` writes (since PyTorch 1.6): `NAME/data.pkl` (the
// pickled object), `NAME/data/K` (raw little-endian storage K), `NAME/byteorder`, `NAME/version`.
// Reads the entries into memory with ZIPFoundation, checking each entry's CRC-32 against the one the
// archive records (ZIPFoundation computes it but leaves the comparison to the caller), and writes
// new archives.
import Foundation
import ZIPFoundation

public struct TorchArchive: Sendable {
    /// The folder every entry sits in (`step_1000/` for a file saved as `step_1000`).
    public var prefix: String
    /// Entry name (without `prefix`) -> bytes.
    public var records: [String: Data]

    public init(prefix: String, records: [String: Data]) {
        self.prefix = prefix
        self.records = records
    }

    static func hex(_ value: CRC32) -> String { "0x" + String(value, radix: 16) }

    /// Whether `data` starts like a zip archive ("PK\u{3}\u{4}").
    public static func looksLikeZip(_ data: Data) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04])
    }

    /// Reads every entry of the archive in `data`. `file` names it in errors.
    public init(data: Data, file: String) throws(InteropError) {
        guard Self.looksLikeZip(data) else {
            throw InteropError(file: file, problem: "not a PyTorch checkpoint: not a zip archive (torch.save has written zip "
                + "archives since PyTorch 1.6; re-save an older file with a current PyTorch)")
        }
        // Every zip ends with an end-of-central-directory record ("PK\u{5}\u{6}", at most a 64 KiB
        // comment after it). Without one the archive is cut short; saying so here is clearer than
        // ZIPFoundation's error and spares its byte-by-byte search of the whole file.
        let tail = data.index(data.endIndex, offsetBy: -min(data.count, 22 + 65_535))..<data.endIndex
        guard data.range(of: Data([0x50, 0x4B, 0x05, 0x06]), options: .backwards, in: tail) != nil else {
            throw InteropError(file: file, problem: "truncated zip archive: no end-of-central-directory record (copy the file again)")
        }
        // ZIPFoundation's in-memory reader traps when a damaged header points past the end of the
        // data; its file reader gets a short read and throws. So the bytes are read from a file.
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("trm-torch-\(getpid())-\(UUID().uuidString).zip")
        do { try data.write(to: temporary) } catch {
            throw InteropError(file: file, problem: "cannot stage the archive for reading (\(error.localizedDescription))")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        let archive: Archive
        do { archive = try Archive(url: temporary, accessMode: .read) } catch {
            throw InteropError(file: file, problem: "damaged or truncated zip archive (\(error))")
        }
        var records: [String: Data] = [:]
        var pickleEntry: String?
        for entry in archive where entry.type == .file {
            guard entry.uncompressedSize <= UInt64(max(data.count, 1)) * 1032 else {
                throw InteropError(file: file, problem: "zip entry '\(entry.path)' claims \(entry.uncompressedSize) bytes, "
                    + "more than the archive can hold")
            }
            var bytes = Data()
            let crc: CRC32
            do { crc = try archive.extract(entry) { bytes.append($0) } } catch {
                throw InteropError(file: file, problem: "zip entry '\(entry.path)' is damaged or truncated (\(error))")
            }
            guard crc == entry.checksum else {
                throw InteropError(file: file, problem: "zip entry '\(entry.path)' fails its CRC-32 check (damaged: "
                    + "the archive records \(Self.hex(entry.checksum)), the bytes give \(Self.hex(crc))); copy the file again")
            }
            records[entry.path] = bytes
            if entry.path == "data.pkl" || entry.path.hasSuffix("/data.pkl") {
                if pickleEntry != nil {
                    throw InteropError(file: file, problem: "more than one data.pkl in the archive")
                }
                pickleEntry = entry.path
            }
        }
        guard let pickleEntry else {
            throw InteropError(file: file, problem: "no data.pkl in the zip archive: not a torch.save checkpoint")
        }
        let prefix = String(pickleEntry.dropLast("data.pkl".count))
        var own: [String: Data] = [:]
        for (k, v) in records where k.hasPrefix(prefix) { own[String(k.dropFirst(prefix.count))] = v }
        self.init(prefix: prefix, records: own)
        if let order = own["byteorder"], String(decoding: order, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) != "little" {
            throw InteropError(file: file, problem: "byte order '\(String(decoding: order, as: UTF8.self))' is not supported "
                + "(only little-endian checkpoints)")
        }
    }

    /// The archive as zip bytes: entries stored uncompressed, like torch.save.
    public func serialized() throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        // torch.save's order: the pickle first, then metadata, then storages in key order.
        let fixed = ["data.pkl", "byteorder", ".format_version", ".storage_alignment", "version"]
        let storages = records.keys.filter { !fixed.contains($0) }.sorted { a, b in
            let ka = Int(a.split(separator: "/").last ?? ""), kb = Int(b.split(separator: "/").last ?? "")
            if let ka, let kb, ka != kb { return ka < kb }
            return a < b
        }
        let date = Date(timeIntervalSince1970: 315_532_800)  // 1980-01-01, the zip epoch (reproducible files)
        for name in fixed.filter({ records[$0] != nil }) + storages {
            let bytes = records[name]!
            try archive.addEntry(with: prefix + name, type: .file, uncompressedSize: Int64(bytes.count),
                                 modificationDate: date, compressionMethod: .none) { position, size in
                bytes.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        guard let data = archive.data else { throw InteropError(file: "<memory>", problem: "zip writer produced no data") }
        return data
    }
}
