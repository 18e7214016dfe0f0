// A bounded fuzz test: truncated and bit-flipped copies of the fixtures (a reference checkpoint,
// its pickle, NumPy arrays, all_config.yaml, dataset.json) go to the readers. Each must return or
// throw; a crash or hang fails the suite. Deterministic: a fixed seed and a fixed number of cases.
import Foundation
import Testing
@testable import TRMInterop
import TRMModels

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

    @Test("truncated and bit-flipped checkpoints, pickles and configs: no crash, no hang")
    func checkpoints() throws {
        let dir = torchCheckpoints.appendingPathComponent("trm-att-sudoku")
        guard let zip = try? Data(contentsOf: dir.appendingPathComponent("step_1000")),
              let yamlText = try? Data(contentsOf: dir.appendingPathComponent("all_config.yaml")) else { return }
        let pickle = try TorchArchive(data: zip, file: "z").records["data.pkl"]!
        var m = Mutator(state: Self.seed)
        var rejected = 0
        for k in 0..<Self.cases {
            if (try? TorchStateDict.read(data: m.mutate(zip, case: k), file: "fuzz")) == nil { rejected += 1 }
            var reader = PickleReader(bytes: [UInt8](m.mutate(pickle, case: k)), file: "fuzz")
            _ = try? reader.read()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trm-fuzz-\(getpid()).yaml")
            try m.mutate(yamlText, case: k).write(to: scratch)
            _ = try? ReferenceRunConfig.load(scratch)
            try? FileManager.default.removeItem(at: scratch)
        }
        // Bit flips inside stored tensor bytes are caught by the zip CRC; most cases must be rejected.
        #expect(rejected > Self.cases / 3, "\(rejected) of \(Self.cases) damaged checkpoints rejected")
    }

    @Test("truncated and bit-flipped NumPy arrays and dataset.json: no crash, no hang")
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
        let copy = scratch.path("arc/test")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: split.path).sorted()
        for k in 0..<max(40, Self.cases / 3) {
            for n in names {
                var data = try Data(contentsOf: split.appendingPathComponent(n))
                if n == names[k % names.count] { data = m.mutate(data, case: k) }
                try data.write(to: copy.appendingPathComponent(n))
            }
            _ = try? ReferenceDataset.load(scratch.path("arc"), split: "test")
        }
    }
}
