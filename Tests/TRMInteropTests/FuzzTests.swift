// A bounded fuzz test: truncated and bit-flipped copies of the fixtures (a reference checkpoint,
// its pickle re-wrapped in a valid archive so that damage reaches the tensor records, the same
// tensors as a safetensors file, NumPy arrays, all_config.yaml, dataset.json, identifiers.json)
// go to the readers. Each must return or throw; a crash fails the suite and a
// hang fails the time limit. Deterministic: a fixed seed and a fixed number of cases.
import Foundation
import Testing
@testable import TRMInterop
import TRMModels
import TRMNN

/// SplitMix64: a tiny deterministic generator for the mutations.
private struct Mutator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// A truncated copy (even case) or a copy with 1-8 flipped bits (odd case).
    mutating func mutate(_ data: Data, case k: Int) -> Data {
        if k % 2 == 0 { return data.prefix(below(data.count)) }
        var b = [UInt8](data)
        for _ in 0..<(1 + below(8)) where !b.isEmpty {
            // Half the flips land in the first or last 4 KiB, where headers and the zip's central
            // directory live; the rest anywhere.
            let window = min(4096, b.count)
            let i = below(2) == 0 ? below(b.count) : (below(2) == 0 ? below(window) : b.count - 1 - below(window))
            b[i] ^= UInt8(1 << below(8))
        }
        return Data(b)
    }
}

@Suite("Fuzzing the reference readers")
struct FuzzTests {
    /// TRM_FUZZ_CASES and TRM_FUZZ_SEED make a longer opt-in run.
    static let cases = ProcessInfo.processInfo.environment["TRM_FUZZ_CASES"].flatMap(Int.init) ?? 120
    static let seed = ProcessInfo.processInfo.environment["TRM_FUZZ_SEED"].flatMap(UInt64.init) ?? 1

    // The time limits guard against a hang, not speed: each test takes about 5-10 s alone, but on a
    // 2-core CI machine running the whole suite in parallel a test can wait minutes for a core, so
    // the limit is generous (10 minutes) rather than tight.
    @Test("truncated and bit-flipped checkpoints, pickles and configs: no crash, no hang", .timeLimit(.minutes(10)))
    func checkpoints() throws {
        let dir = torchCheckpoints.appendingPathComponent("trm-att-sudoku")
        guard let zip = try? Data(contentsOf: dir.appendingPathComponent("step_1000")),
              let yamlText = try? Data(contentsOf: dir.appendingPathComponent("all_config.yaml")) else { return }
        let archive = try TorchArchive(data: zip, file: "z")
        let pickle = archive.records["data.pkl"]!
        let yaml = try ReferenceRunConfig.load(dir.appendingPathComponent("all_config.yaml"))
        let raw = try TorchStateDict.read(data: zip, file: "z")
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        var m = Mutator(state: Self.seed)
        var rejected = 0
        for k in 0..<Self.cases {
            // Damaged zip bytes: the zip reader and its CRC-32 check.
            if (try? TorchStateDict.read(data: m.mutate(zip, case: k), file: "fuzz")) == nil { rejected += 1 }
            // A damaged pickle inside an intact archive: the pickle reader, the tensor records and
            // the mapping onto the model.
            var records = archive.records
            records["data.pkl"] = m.mutate(pickle, case: k)
            let rewrapped = try TorchArchive(prefix: archive.prefix, records: records).serialized()
            if let tensors = try? TorchStateDict.read(data: rewrapped, file: "fuzz") {
                _ = try? ReferenceCheckpoint.build(tensors, yaml: yaml, checkpoint: "fuzz", config: "fuzz")
            }
            // A damaged all_config.yaml with intact tensors: the YAML reader and the arch limits.
            let yamlURL = scratch.path("all_config.yaml")
            try m.mutate(yamlText, case: k).write(to: yamlURL)
            if let config = try? ReferenceRunConfig.load(yamlURL) {
                _ = try? ReferenceCheckpoint.build(raw, yaml: config, checkpoint: "fuzz", config: "fuzz")
            }
        }
        // Bit flips inside stored tensor bytes are caught by the zip CRC; most cases must be rejected.
        #expect(rejected > Self.cases / 3, "\(rejected) of \(Self.cases) damaged checkpoints rejected")
    }

    @Test("truncated and bit-flipped safetensors checkpoints with reference names: no crash, no hang", .timeLimit(.minutes(10)))
    func safetensorsCheckpoints() throws {
        let dir = torchCheckpoints.appendingPathComponent("trm-att-sudoku")
        guard let zip = try? Data(contentsOf: dir.appendingPathComponent("step_1000")) else { return }
        let raw = try TorchStateDict.read(data: zip, file: "z")
        let good = try SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: raw)).serialized()
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try FileManager.default.copyItem(at: dir.appendingPathComponent("all_config.yaml"), to: scratch.path("all_config.yaml"))
        let file = scratch.path("model.safetensors")
        var m = Mutator(state: Self.seed &+ 2)
        for k in 0..<max(20, Self.cases / 3) {
            try m.mutate(good, case: k).write(to: file)
            _ = try? ReferenceCheckpoint.load(checkpoint: file, seqLen: 81)
        }
    }

    @Test("truncated and bit-flipped NumPy arrays, dataset.json and identifiers.json: no crash, no hang",
          .timeLimit(.minutes(10)))
    func numpyAndMetadata() throws {
        let split = referenceDatasets.appendingPathComponent("arc/test")
        guard let ids = try? Data(contentsOf: split.appendingPathComponent("all__puzzle_indices.npy")),
              let inputs = try? Data(contentsOf: split.appendingPathComponent("all__inputs.npy")) else { return }
        var m = Mutator(state: Self.seed &+ 1)
        for k in 0..<Self.cases {
            _ = try? NumPyArray(data: m.mutate(ids, case: k), file: "fuzz")
            _ = try? NumPyArray(data: m.mutate(inputs.prefix(4096), case: k), file: "fuzz")
        }
        // Whole splits with one damaged array.
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.path("arc/test"), withIntermediateDirectories: true)
        // The split's files plus identifiers.json beside it (test_puzzles.json is not read).
        let root = split.deletingLastPathComponent()
        let names = try FileManager.default.contentsOfDirectory(atPath: split.path).sorted().map { "test/\($0)" }
            + ["identifiers.json"].filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        for k in 0..<max(40, Self.cases / 3) {
            for n in names {
                var data = try Data(contentsOf: root.appendingPathComponent(n))
                if n == names[k % names.count] { data = m.mutate(data, case: k) }
                try data.write(to: scratch.path("arc/\(n)"))
            }
            if let d = try? ReferenceDataset.load(scratch.path("arc"), split: "test") {
                _ = ReferenceDataset.arcRowVersions(d)
                _ = ReferenceDataset.arcRowVersions(d.prefix(1 + k % 7))  // what trm eval --limit gives it
            }
        }
    }
}
