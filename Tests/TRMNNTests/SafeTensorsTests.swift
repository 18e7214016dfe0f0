// SafeTensorsTests: round trips, the golden fixtures, and corrupted files that must produce a
// SafeTensorsError (never a crash, never a silently wrong tensor).

import TRMTestSupport
import Foundation
import Testing
@testable import TRMNN

@Suite struct SafeTensorsTests {
    /// A small file with several dtypes, a scalar, an empty tensor and metadata.
    static func sample() -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n"])
        file.tensors["weight"] = SafeTensorEntry(floats: [1, -2, 3.5, 0.25, 1e-3, -7], shape: [2, 3])
        file.tensors["half"] = SafeTensorEntry(floats: [1, -0.5, 65504, 0], shape: [4], dtype: .f16)
        file.tensors["brain"] = SafeTensorEntry(floats: [1, 3, -256], shape: [3], dtype: .bf16)
        file.tensors["double"] = SafeTensorEntry(floats: [0.1, 2], shape: [2, 1], dtype: .f64)
        file.tensors["tokens"] = SafeTensorEntry(int32s: [0, 1, -5, Int32.max], shape: [2, 2])
        file.tensors["scalar"] = SafeTensorEntry(int32s: [42], shape: [])
        file.tensors["empty"] = SafeTensorEntry(floats: [], shape: [0, 3])
        file.tensors["ünïcode name"] = SafeTensorEntry(dtype: .u8, shape: [3], data: Data([1, 2, 255]))
        return file
    }

    @Test func roundTripsInMemory() throws {
        let original = Self.sample()
        let bytes = try original.serialized()
        let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        #expect((8 + Int(headerLength)) % 8 == 0, "data buffer starts 8-byte aligned")
        let parsed = try SafeTensorsFile(data: bytes)
        #expect(parsed.tensors == original.tensors)
        #expect(parsed.metadata == original.metadata)
        #expect(try parsed.floats("weight").values == [1, -2, 3.5, 0.25, 1e-3, -7])
        #expect(try parsed.floats("weight").shape == [2, 3])
        #expect(try parsed.floats("half").values == [1, -0.5, 65504, 0])
        #expect(try parsed.floats("brain").values == [1, 3, -256])
        #expect(try parsed.floats("double").values == [0.1, 2])
        #expect(try parsed.int32s("tokens").values == [0, 1, -5, Int32.max])
        #expect(try parsed.int32s("scalar").values == [42])
        #expect(try parsed.int32s("ünïcode name").values == [1, 2, 255])
        #expect(try parsed.floats("empty").values.isEmpty)
        #expect(try parsed.serialized() == bytes, "serialization is deterministic")
        let slice = (Data([9, 9, 9]) + bytes).dropFirst(3)  // a Data slice whose indices do not start at 0
        #expect(try SafeTensorsFile(data: slice).tensors == original.tensors)
    }

    @Test func roundTripsThroughAFile() throws {
        let dir = TestDirectory()
        let url = dir.file("model.safetensors")
        try Self.sample().write(to: url)
        let parsed = try SafeTensorsFile(contentsOf: url)
        #expect(parsed.tensors == Self.sample().tensors)
        #expect(parsed.source == url.path)
        #expect(dir.contents() == ["model.safetensors"])
    }

    @Test func emptyFileRoundTrips() throws {
        let bytes = try SafeTensorsFile().serialized()
        #expect(bytes.count == 16)
        let parsed = try SafeTensorsFile(data: bytes)
        #expect(parsed.tensors.isEmpty && parsed.metadata.isEmpty)
    }

    @Test func writingAnInconsistentEntryFails() {
        var file = SafeTensorsFile()
        file.tensors["bad"] = SafeTensorEntry(dtype: .f32, shape: [3], data: Data(count: 8))
        #expect(throws: SafeTensorsError.self) { try file.serialized() }
    }

    @Test func missingTensorAndWrongConversionAreErrors() throws {
        let file = try SafeTensorsFile(data: Self.sample().serialized(), source: "x.safetensors")
        do {
            _ = try file.floats("nope")
            Issue.record("expected missingTensor")
        } catch {
            #expect(error.file == "x.safetensors")
            guard case .missingTensor(let name, let available) = error.problem else { Issue.record("\(error)"); return }
            #expect(name == "nope" && available.contains("weight"))
            #expect(error.description.contains("nope"))
        }
        #expect(throws: SafeTensorsError.self) { try file.floats("tokens") }
        #expect(throws: SafeTensorsError.self) { try file.int32s("weight") }
    }

    @Test func int64OutOfRangeIsAnError() throws {
        var bytes = Data()
        for v: Int64 in [1, -2, Int64(Int32.max) + 1] { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        let entry = SafeTensorEntry(dtype: .i64, shape: [3], data: bytes)
        #expect(throws: SafeTensorsError.self) { try entry.int32s() }
        let fits = SafeTensorEntry(dtype: .i64, shape: [2], data: bytes.prefix(16))
        #expect(try fits.int32s() == [1, -2])
    }

    // MARK: Half precision

    @Test func f16KnownValues() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF), (0x1p-24, 0x0001), (0x1p-14, 0x0400),
            (0, 0x0000), (-0.0, 0x8000), (.infinity, 0x7C00), (70000, 0x7C00), (0.333251953125, 0x3555),
            (1 + 0x1p-11, 0x3C00), (1 + 3 * 0x1p-11, 0x3C02), (0x1p-25, 0x0000), (0x1p-25 * 3, 0x0002),
        ]
        for (value, bits) in cases {
            #expect(HalfFloat.f16Bits(from: value) == bits, "\(value)")
        }
        #expect(HalfFloat.float(fromF16: 0x7E00).isNaN)
        #expect(HalfFloat.f16Bits(from: .nan) & 0x7C00 == 0x7C00)
    }

    @Test func everyF16BitPatternRoundTrips() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfFloat.float(fromF16: bits)
            if value.isNaN { continue }
            #expect(HalfFloat.f16Bits(from: value) == bits)
        }
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(HalfFloat.bf16Bits(from: 1) == 0x3F80)
        #expect(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F80_8000)) == 0x3F80, "tie to even (down)")
        #expect(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F81_8000)) == 0x3F82, "tie to even (up)")
        #expect(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfFloat.float(fromBF16: HalfFloat.bf16Bits(from: .nan)).isNaN)
        for bits in stride(from: UInt16(0), to: 0x7F80, by: 7) {
            #expect(HalfFloat.bf16Bits(from: HalfFloat.float(fromBF16: bits)) == bits)
        }
    }

    // MARK: Corruption

    /// Builds a file from a literal header and buffer length, for hand-made corruptions.
    static func handMade(_ header: String, buffer: Int) -> Data {
        var out = Data()
        let json = Data(header.utf8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(Data(count: buffer))
        return out
    }

    static func problem(_ data: Data) -> SafeTensorsError.Problem? {
        do {
            _ = try SafeTensorsFile(data: data, source: "bad.safetensors")
            return nil
        } catch {
            #expect(error.file == "bad.safetensors")
            #expect(!error.description.isEmpty)
            return error.problem
        }
    }

    @Test func everyTruncationIsAnError() throws {
        let bytes = try Self.sample().serialized()
        for cut in 0..<bytes.count {
            #expect(Self.problem(bytes.prefix(cut)) != nil, "cut at \(cut) of \(bytes.count)")
        }
    }

    @Test func appendedBytesAreAnError() throws {
        let bytes = try Self.sample().serialized() + Data([0])
        guard case .offsetsDoNotCoverBuffer = Self.problem(bytes) else { Issue.record("trailing byte accepted"); return }
    }

    /// Flipping any header byte either still yields a self-consistent file or an error.
    @Test func headerByteFlipsNeverCrash() throws {
        let bytes = try Self.sample().serialized()
        let headerLength = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        for index in 0..<(8 + headerLength) {
            for mask: UInt8 in [0x01, 0x20, 0x80, 0xFF] {
                var corrupted = bytes
                corrupted[index] ^= mask
                if let parsed = try? SafeTensorsFile(data: corrupted) {
                    for (name, entry) in parsed.tensors {
                        #expect(SafeTensorEntry.byteCount(shape: entry.shape, dtype: entry.dtype) == entry.data.count, "\(name)")
                    }
                }
            }
        }
    }

    @Test func handMadeValidFileParses() throws {
        let data = Self.handMade(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, buffer: 8)
        #expect(try SafeTensorsFile(data: data).floats("a").values == [0, 0])
    }

    static let corruptions: [(header: String, buffer: Int, expected: String)] = [
        ("{}", 4, "cover"),                                                                         // trailing bytes
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, 8, "header"),                  // bad JSON
        (#"[1,2]"#, 0, "header"),                                                                   // not an object
        (#"{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, 8, "dtype"),
        (#"{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}"#, 1, "dtype"),
        (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, 8, "shape"),
        (#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, 8, "shape"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, 8, "range"),                 // past buffer
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, 8, "range"),                  // reversed
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#, 8, "range"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, 8, "header"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#, 12, "count"),                // 12 != 8
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, "cover"),                // gap at start
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, 12, "overlap"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, 16, "cover"),
        (#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, 8, "header"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":1}}"#, 8, "header"),
        (#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, 8, "header"),                               // no dtype
        (#"{"a":7}"#, 0, "header"),
    ]

    @Test(arguments: corruptions.indices)
    func specificCorruptionGivesSpecificError(index: Int) {
        let (header, buffer, expected) = Self.corruptions[index]
        let problem = Self.problem(Self.handMade(header, buffer: buffer))
        let kind: String
        switch problem {
        case nil: kind = "accepted"
        case .badHeader?: kind = "header"
        case .unknownDType?: kind = "dtype"
        case .badShape?: kind = "shape"
        case .offsetsOutOfRange?: kind = "range"
        case .byteCountMismatch?: kind = "count"
        case .overlappingOffsets?: kind = "overlap"
        case .offsetsDoNotCoverBuffer?: kind = "cover"
        default: kind = "other: \(String(describing: problem))"
        }
        #expect(kind == expected, "\(header)")
    }

    @Test func headerLengthBeyondFileAndTinyFiles() {
        var data = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { data.append(contentsOf: $0) }
        guard case .headerLengthBeyondFile? = Self.problem(data + Data("{}".utf8)) else { Issue.record("huge length"); return }
        guard case .truncated? = Self.problem(Data([1, 2, 3])) else { Issue.record("3 bytes"); return }
        guard case .badHeader? = Self.problem(Self.handMade("", buffer: 0)) else { Issue.record("empty header"); return }
        guard case .badHeader? = Self.problem(Self.handMade("{\u{FF}}", buffer: 0)) else { Issue.record("bad utf8"); return }
    }

    @Test func unreadablePathIsAnError() {
        do {
            _ = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "/no/such/file.safetensors"))
            Issue.record("expected an error")
        } catch {
            guard case .unreadable = error.problem else { Issue.record("\(error)"); return }
            #expect(error.description.contains("/no/such/file.safetensors"))
        }
    }

    // MARK: Golden fixtures (skipped when the shared fixtures are absent)

    static let goldenDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/golden")

    static var goldenFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path)) ?? []
        return names.sorted().map { goldenDirectory.appendingPathComponent($0).appendingPathComponent("tensors.safetensors") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    @Test(.enabled(if: !goldenFiles.isEmpty, "shared golden fixtures not present"))
    func readsGoldenFixtures() throws {
        for url in Self.goldenFiles {
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(!file.tensors.isEmpty)
            let tokens = try file.int32s("input.tokens")
            #expect(tokens.shape.count == 2 && tokens.values.count == tokens.shape.reduce(1, *))
            #expect(tokens.values.allSatisfy { $0 >= 0 && $0 < 64 }, "Sudoku tokens are small ids")
            for (name, entry) in file.tensors where entry.dtype == .f32 {
                let values = try file.floats(name).values
                #expect(values.count == entry.elementCount)
            }
            let again = try SafeTensorsFile(data: file.serialized())
            #expect(again.tensors == file.tensors, "\(url.lastPathComponent) survives a rewrite")
        }
    }

    @Test(.enabled(if: !goldenFiles.isEmpty, "shared golden fixtures not present"))
    func truncatedGoldenFixtureIsAnError() throws {
        guard let url = Self.goldenFiles.first else { return }
        let bytes = try Data(contentsOf: url)
        for cut in [0, 7, 8, 9, 100, bytes.count / 3, bytes.count / 2, bytes.count - 4, bytes.count - 1] {
            #expect(Self.problem(bytes.prefix(cut)) != nil, "cut at \(cut)")
        }
    }
}
