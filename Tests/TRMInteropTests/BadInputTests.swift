// Bad input: every reader names the file and the first problem, and nothing is written. Covers
// checkpoints (not a zip, truncated, unknown opcode, unknown storage dtype, missing or extra tensor,
// shapes that disagree with all_config.yaml, unknown architecture) and data sets (unsupported NumPy
// dtype, fortran order, arrays whose lengths disagree), through the library and the built `trm`.
import Foundation
import TRMTestSupport
import Testing
@testable import TRMInterop
import TRMNN

private let attCase = torchCheckpoints.appendingPathComponent("trm-att-sudoku")
private var haveCheckpoint: Bool { FileManager.default.fileExists(atPath: attCase.appendingPathComponent("step_1000").path) }
private var haveSudokuData: Bool {
    FileManager.default.fileExists(atPath: referenceDatasets.appendingPathComponent("sudoku/test/dataset.json").path)
}

/// A copy of the trm-att checkpoint folder in `scratch`/ckpt, with the YAML edited by `yaml`.
private func copyCheckpoint(_ scratch: Scratch, yaml: (String) -> String = { $0 }) throws -> URL {
    let dir = scratch.path("ckpt")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: attCase.appendingPathComponent("step_1000"), to: dir.appendingPathComponent("step_1000"))
    let text = try String(contentsOf: attCase.appendingPathComponent("all_config.yaml"), encoding: .utf8)
    try yaml(text).write(to: dir.appendingPathComponent("all_config.yaml"), atomically: true, encoding: .utf8)
    return dir
}

/// A copy of the Sudoku test split in `scratch`/data/test, with `edit` applied to its folder.
private func copySudoku(_ scratch: Scratch) throws -> URL {
    let dir = scratch.path("data")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: referenceDatasets.appendingPathComponent("sudoku/test"), to: dir.appendingPathComponent("test"))
    for f in try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("test").path) {
        let p = dir.appendingPathComponent("test/\(f)").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: p)
    }
    return dir
}

/// Expects `body` to throw an InteropError about `file` whose text contains `words`.
private func expectError(file: String, _ words: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("no error (expected one about \(file): \(words))", sourceLocation: sourceLocation)
    } catch let e as InteropError {
        #expect(e.file.hasSuffix(file) || e.description.contains(file), "\(e)", sourceLocation: sourceLocation)
        #expect(e.description.contains(words), "\(e)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Bad input to the reference readers")
struct BadInputTests {
    @Test("not a zip, and a truncated archive")
    func notAZipAndTruncated() throws {
        guard haveCheckpoint else { return }
        let data = try Data(contentsOf: attCase.appendingPathComponent("step_1000"))
        expectError(file: "text", "not a zip archive") { _ = try TorchStateDict.read(data: Data("hello".utf8), file: "text") }
        expectError(file: "half", "zip") { _ = try TorchStateDict.read(data: data.prefix(data.count / 2), file: "half") }
        expectError(file: "cut", "truncated") { _ = try TorchStateDict.read(data: data.prefix(data.count - 10), file: "cut") }
    }

    @Test("an unknown pickle opcode and an unknown storage dtype")
    func unknownOpcodeAndDtype() throws {
        let bad = try TorchArchive(prefix: "x/", records: ["data.pkl": Data([0x80, 0x02, 0x7D, 0x93, 0x2E])]).serialized()
        expectError(file: "opcode", "unsupported pickle opcode 0x93") { _ = try TorchStateDict.read(data: bad, file: "opcode") }
        let pid = PickleValue.persistent(.tuple([.string("storage"), .global(module: "torch", name: "ComplexFloatStorage"),
                                                 .string("0"), .string("cpu"), .int(1)]))
        let t = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"),
                                 args: [pid, .int(0), .tuple([.int(1)]), .tuple([.int(1)]), .bool(false), .none], state: nil)
        let archive = try TorchArchive(prefix: "x/", records: ["data.pkl": Data(PickleWriter.serialize(.dict([(.string("w"), t)]))),
                                                               "data/0": Data(count: 8)]).serialized()
        expectError(file: "dtype", "unsupported storage dtype ComplexFloatStorage") { _ = try TorchStateDict.read(data: archive, file: "dtype") }
        // A view that runs past its storage.
        let pid2 = PickleValue.persistent(.tuple([.string("storage"), .global(module: "torch", name: "FloatStorage"),
                                                  .string("0"), .string("cpu"), .int(2)]))
        let t2 = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"),
                                  args: [pid2, .int(1), .tuple([.int(2)]), .tuple([.int(1)]), .bool(false), .none], state: nil)
        let archive2 = try TorchArchive(prefix: "x/", records: ["data.pkl": Data(PickleWriter.serialize(.dict([(.string("w"), t2)]))),
                                                                "data/0": Data(count: 8)]).serialized()
        expectError(file: "view", "runs past its storage") { _ = try TorchStateDict.read(data: archive2, file: "view") }
    }

    @Test("a bit flip inside a stored tensor fails the zip entry's CRC-32")
    func damagedStorage() throws {
        guard haveCheckpoint else { return }
        var data = try Data(contentsOf: attCase.appendingPathComponent("step_1000"))
        let archive = try TorchArchive(data: data, file: "good")
        // torch.save stores entries uncompressed, so data/0's bytes appear verbatim in the zip.
        let storage = try #require(archive.records["data/0"])
        #expect(storage.count >= 64)
        let at = try #require(data.range(of: storage.prefix(64))).lowerBound + 17
        data[at] ^= 0x04
        expectError(file: "flipped", "zip entry '\(archive.prefix)data/0' fails its CRC-32 check") {
            _ = try TorchStateDict.read(data: data, file: "flipped")
        }
    }

    /// An archive holding one tensor 'w' whose record is `_rebuild_tensor_v2(storage, offset, size, stride)`.
    private func oneTensor(storage: String = "FloatStorage", numel: Int, offset: Int, size: [Int], stride: [Int],
                           bytes: Int) throws -> Data {
        let pid = PickleValue.persistent(.tuple([.string("storage"), .global(module: "torch", name: storage),
                                                 .string("0"), .string("cpu"), .int(numel)]))
        let t = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"),
                                 args: [pid, .int(offset), .tuple(size.map { .int($0) }), .tuple(stride.map { .int($0) }), .bool(false), .none],
                                 state: nil)
        return try TorchArchive(prefix: "x/", records: ["data.pkl": Data(PickleWriter.serialize(.dict([(.string("w"), t)]))),
                                                        "data/0": Data(count: bytes)]).serialized()
    }

    @Test("hostile tensor records whose sizes overflow are refused, not trapped on")
    func overflowingViews() throws {
        // numel * 4 bytes overflows Int.
        expectError(file: "numel", "fewer than its 4611686018427387904 FloatStorage elements") {
            _ = try TorchStateDict.read(data: oneTensor(numel: 1 << 62, offset: 0, size: [1], stride: [1], bytes: 8), file: "numel")
        }
        // (size - 1) * stride is 2^78: refused as a view larger than its storage.
        expectError(file: "huge", "more than its storage's 2") {
            _ = try TorchStateDict.read(data: oneTensor(numel: 2, offset: 0, size: [1 << 39], stride: [1 << 39], bytes: 8), file: "huge")
        }
        // offset + (size - 1) * stride overflows Int.
        expectError(file: "offset", "runs past its storage") {
            _ = try TorchStateDict.read(data: oneTensor(numel: 2, offset: Int(Int64.max), size: [2], stride: [1], bytes: 8), file: "offset")
        }
        // Stride 0 over 2^39 elements stays inside a 2-element storage but would need a 2 TiB copy.
        expectError(file: "broadcast", "more than its storage's 2") {
            _ = try TorchStateDict.read(data: oneTensor(numel: 2, offset: 0, size: [1 << 39], stride: [0], bytes: 8), file: "broadcast")
        }
        // A legal strided view still reads: the transpose of a 2x3 storage.
        let ok = try TorchStateDict.read(data: oneTensor(numel: 6, offset: 0, size: [3, 2], stride: [1, 3], bytes: 24), file: "ok")
        #expect(ok.first?.1.shape == [3, 2])
    }

    @Test("all_config.yaml fields outside sane ranges are refused before anything is allocated")
    func hostileArchFields() throws {
        guard haveCheckpoint else { return }
        let yaml = try ReferenceRunConfig.load(attCase.appendingPathComponent("all_config.yaml"))
        let raw = try TorchStateDict.read(contentsOf: attCase.appendingPathComponent("step_1000"))
        var wrong = yaml
        wrong.arch.puzzle_emb_len = 100_000_000_000
        expectError(file: "cf", "arch.puzzle_emb_len 100000000000 is outside 0...1024") {
            _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf")
        }
        wrong = yaml
        wrong.arch.L_cycles = 9_999_999_999_999
        expectError(file: "cf", "arch.L_cycles 9999999999999 is outside 1...256") {
            _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf")
        }
        wrong = yaml
        wrong.arch.hidden_size = Int.max
        expectError(file: "ck", "says hidden_size \(Int.max)") {
            _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf")
        }
        wrong = yaml
        wrong.arch.expansion = .infinity
        expectError(file: "cf", "arch.expansion inf is outside (0, 64]") {
            _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf")
        }
        // --seq-len is bounded the same way.
        expectError(file: "cf", "arch.seq_len 1000000000 is outside 1...16384") {
            _ = try ReferenceCheckpoint.build(raw, yaml: yaml, checkpoint: "ck", config: "cf", seqLen: 1_000_000_000)
        }
    }

    @Test("a missing or extra tensor, shapes that disagree with all_config.yaml, an unknown architecture")
    func tensorsAgainstConfig() throws {
        guard haveCheckpoint else { return }
        let yaml = try ReferenceRunConfig.load(attCase.appendingPathComponent("all_config.yaml"))
        let raw = try TorchStateDict.read(contentsOf: attCase.appendingPathComponent("step_1000"))
        expectError(file: "ck", "'_orig_mod.model.inner.q_head.bias' is missing") {
            _ = try ReferenceCheckpoint.build(raw.filter { !$0.0.hasSuffix("q_head.bias") }, yaml: yaml, checkpoint: "ck", config: "cf")
        }
        expectError(file: "ck", "unexpected tensor '_orig_mod.model.inner.extra.weight'") {
            _ = try ReferenceCheckpoint.build(raw + [("_orig_mod.model.inner.extra.weight", SafeTensorEntry(floats: [1], shape: [1]))],
                                              yaml: yaml, checkpoint: "ck", config: "cf")
        }
        var wrong = yaml
        wrong.arch.expansion = 8  // SwiGLU width 512 instead of 256 (expansion 2 would round to 256 too)
        expectError(file: "ck", "mlp.gate_up_proj.weight' has shape [512, 64]; cf implies [1024, 64]") {
            _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf")
        }
        wrong = yaml
        wrong.arch.hidden_size = 32
        expectError(file: "ck", "says hidden_size 32") { _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf") }
        wrong = yaml
        wrong.arch.name = "recursive_reasoning.transformers_baseline@Model_ACTV2"
        expectError(file: "cf", "unknown architecture") { _ = try ReferenceCheckpoint.build(raw, yaml: wrong, checkpoint: "ck", config: "cf") }
    }

    @Test("NumPy: unsupported dtype, fortran order, truncated data, not .npy")
    func numpy() throws {
        let good = NumPyArray.encode([1, 2, 3, 4], shape: [2, 2])
        #expect(try NumPyArray(data: good, file: "g").values == [1, 2, 3, 4])
        /// The same bytes with the header text `from` replaced by `to` (same length).
        func edited(_ from: String, _ to: String) -> Data {
            var b = [UInt8](good)
            let f = Array(from.utf8), t = Array(to.utf8)
            if let i = (0...(b.count - f.count)).first(where: { Array(b[$0..<($0 + f.count)]) == f }) { b.replaceSubrange(i..<(i + f.count), with: t) }
            return Data(b)
        }
        expectError(file: "f4", "unsupported dtype '<f8'") { _ = try NumPyArray(data: edited("'<i8'", "'<f8'"), file: "f4") }
        expectError(file: "be", "unsupported dtype '>i8'") { _ = try NumPyArray(data: edited("'<i8'", "'>i8'"), file: "be") }
        expectError(file: "fo", "fortran_order is True") { _ = try NumPyArray(data: edited("False", "True "), file: "fo") }
        expectError(file: "tr", "truncated") { _ = try NumPyArray(data: good.dropLast(3), file: "tr") }
        expectError(file: "no", "not a NumPy") { _ = try NumPyArray(data: Data("hello world".utf8), file: "no") }
    }

    @Test("data sets: arrays whose lengths disagree, identifiers out of range, missing files")
    func datasets() throws {
        guard haveSudokuData else { return }
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let dir = try copySudoku(scratch)
        let test = dir.appendingPathComponent("test")
        // labels with fewer rows than inputs
        try NumPyArray.encode([Int64](repeating: 2, count: 81), shape: [1, 81]).write(to: test.appendingPathComponent("all__labels.npy"))
        expectError(file: "all__labels.npy", "disagrees with all__inputs.npy") { _ = try ReferenceDataset.load(dir, split: "test") }
        try FileManager.default.removeItem(at: test.appendingPathComponent("all__labels.npy"))
        try FileManager.default.copyItem(at: referenceDatasets.appendingPathComponent("sudoku/test/all__labels.npy"),
                                         to: test.appendingPathComponent("all__labels.npy"))
        // puzzle indices that do not end at the example count
        try NumPyArray.encode(Array(0...50).map { Int64(min($0, 49)) }, shape: [51], descr: "<i4")
            .write(to: test.appendingPathComponent("all__puzzle_indices.npy"))
        expectError(file: "all__puzzle_indices.npy", "must rise from 0 to 50") { _ = try ReferenceDataset.load(dir, split: "test") }
        try NumPyArray.encode(Array(0...50).map(Int64.init), shape: [51], descr: "<i4").write(to: test.appendingPathComponent("all__puzzle_indices.npy"))
        try NumPyArray.encode([Int64](repeating: 7, count: 50), shape: [50], descr: "<i4")
            .write(to: test.appendingPathComponent("all__puzzle_identifiers.npy"))
        expectError(file: "all__puzzle_identifiers.npy", "outside 0..<1") { _ = try ReferenceDataset.load(dir, split: "test") }
        try FileManager.default.removeItem(at: test.appendingPathComponent("all__puzzle_identifiers.npy"))
        expectError(file: "all__puzzle_identifiers.npy", "missing") { _ = try ReferenceDataset.load(dir, split: "test") }
        expectError(file: "dataset.json", "missing") { _ = try ReferenceDataset.load(dir, split: "train") }
    }

    @Test("trm import and trm data import: clear error naming the file, exit status 1, nothing written",
          .enabled(if: TRMExecutable.url != nil && haveCheckpoint && haveSudokuData, "no built trm or no fixtures"))
    func throughTheExecutable() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        // Not a zip.
        let ckpt = try copyCheckpoint(scratch)
        try Data("not a checkpoint".utf8).write(to: ckpt.appendingPathComponent("step_5"))
        var (status, output) = try TRMExecutable.run(["import", ckpt.appendingPathComponent("step_5").path, "-o", scratch.path("m1").path])
        #expect(status != 0 && output.contains("step_5") && output.contains("not a zip archive"), "\(output)")
        // Unknown architecture in all_config.yaml.
        let other = scratch.path("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ckpt.appendingPathComponent("step_1000"), to: other.appendingPathComponent("step_1000"))
        let text = try String(contentsOf: ckpt.appendingPathComponent("all_config.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1", with: "recursive_reasoning.trm_singlez@TinyRecursiveReasoningModel_ACTV1Z")
            .write(to: other.appendingPathComponent("all_config.yaml"), atomically: true, encoding: .utf8)
        (status, output) = try TRMExecutable.run(["import", other.appendingPathComponent("step_1000").path, "-o", scratch.path("m2").path])
        #expect(status != 0 && output.contains("all_config.yaml") && output.contains("unknown architecture"), "\(output)")
        // Fortran-order inputs.
        let data = try copySudoku(scratch)
        let inputs = data.appendingPathComponent("test/all__inputs.npy")
        var bytes = try Data(contentsOf: inputs)
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        let range = try #require(header.range(of: "False"))
        let offset = header.utf8.distance(from: header.startIndex, to: range.lowerBound)
        bytes.replaceSubrange(offset..<(offset + 5), with: Data("True ".utf8))
        try bytes.write(to: inputs)
        (status, output) = try TRMExecutable.run(["data", "import", data.path, "-o", scratch.path("d.trmd").path])
        #expect(status != 0 && output.contains("all__inputs.npy") && output.contains("fortran_order"), "\(output)")
        // Nothing written: no model folders, no dataset, no partial files.
        let leftovers = scratch.contents.filter { $0.hasPrefix("m1") || $0.hasPrefix("m2") || $0.hasPrefix("d.trmd") || $0.contains(".partial") || $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("every other bad checkpoint, config and data set through trm: exit status 1, the file and the problem named, nothing written",
          .enabled(if: TRMExecutable.url != nil && haveCheckpoint && haveSudokuData, "no built trm or no fixtures"))
    func everyCaseThroughTheExecutable() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let good = try Data(contentsOf: attCase.appendingPathComponent("step_1000"))
        let yamlText = try String(contentsOf: attCase.appendingPathComponent("all_config.yaml"), encoding: .utf8)
        let raw = try TorchStateDict.read(data: good, file: "good")
        let storage = try #require(try TorchArchive(data: good, file: "good").records["data/0"])
        var flipped = good
        flipped[try #require(flipped.range(of: storage.prefix(64))).lowerBound + 17] ^= 0x04
        let opcode = try TorchArchive(prefix: "step_1000/", records: ["data.pkl": Data([0x80, 0x02, 0x7D, 0x93, 0x2E])]).serialized()
        let complexPid = PickleValue.persistent(.tuple([.string("storage"), .global(module: "torch", name: "ComplexFloatStorage"),
                                                        .string("0"), .string("cpu"), .int(1)]))
        let complex = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"),
                                       args: [complexPid, .int(0), .tuple([.int(1)]), .tuple([.int(1)]), .bool(false), .none], state: nil)
        let dtype = try TorchArchive(prefix: "step_1000/", records: [
            "data.pkl": Data(PickleWriter.serialize(.dict([(.string("w"), complex)]))), "data/0": Data(count: 8),
        ]).serialized()
        let missing = try TorchStateDict.serialize(raw.filter { !$0.0.hasSuffix("q_head.bias") }, archiveName: "step_1000")
        let extra = try TorchStateDict.serialize(raw + [("_orig_mod.model.inner.extra.weight", SafeTensorEntry(floats: [1], shape: [1]))],
                                                 archiveName: "step_1000")
        /// (what is wrong, the checkpoint's bytes, the YAML's text, the file named, words of the error)
        let checkpoints: [(String, Data, String, String, String)] = [
            ("truncated archive", good.prefix(good.count - 10), yamlText, "step_1000", "truncated"),
            ("bit flip in a storage", flipped, yamlText, "step_1000", "fails its CRC-32 check"),
            ("unknown pickle opcode", opcode, yamlText, "step_1000", "unsupported pickle opcode 0x93"),
            ("unknown storage dtype", dtype, yamlText, "step_1000", "unsupported storage dtype ComplexFloatStorage"),
            ("missing tensor", missing, yamlText, "step_1000", "'_orig_mod.model.inner.q_head.bias' is missing"),
            ("extra tensor", extra, yamlText, "step_1000", "unexpected tensor '_orig_mod.model.inner.extra.weight'"),
            ("shape against the YAML", good, yamlText.replacingOccurrences(of: "expansion: 4", with: "expansion: 8"),
             "step_1000", "all_config.yaml implies [1024, 64]"),
            ("L_cycles out of range", good, yamlText.replacingOccurrences(of: "L_cycles: 6", with: "L_cycles: 9999999999999"),
             "all_config.yaml", "arch.L_cycles 9999999999999 is outside 1...256"),
            ("puzzle_emb_len out of range", good, yamlText.replacingOccurrences(of: "puzzle_emb_len: 16", with: "puzzle_emb_len: 100000000000"),
             "all_config.yaml", "arch.puzzle_emb_len 100000000000 is outside 0...1024"),
        ]
        for (k, (what, bytes, yaml, file, words)) in checkpoints.enumerated() {
            let dir = scratch.path("case\(k)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try bytes.write(to: dir.appendingPathComponent("step_1000"))
            try yaml.write(to: dir.appendingPathComponent("all_config.yaml"), atomically: true, encoding: .utf8)
            let (status, output) = try TRMExecutable.run(["import", dir.appendingPathComponent("step_1000").path, "-o", scratch.path("out\(k)").path])
            #expect(status == 1, "\(what): \(output)")
            #expect(output.contains(dir.appendingPathComponent(file).path) && output.contains(words), "\(what): \(output)")
        }
        // Data sets: an unsupported NumPy dtype; labels whose length disagrees with the inputs.
        let data = try copySudoku(scratch)
        let inputs = data.appendingPathComponent("test/all__inputs.npy"), labels = data.appendingPathComponent("test/all__labels.npy")
        let original = try Data(contentsOf: inputs)
        var f8 = original
        f8.replaceSubrange(try #require(f8.range(of: Data("'|u1'".utf8))), with: Data("'<f8'".utf8))
        try f8.write(to: inputs)
        var (status, output) = try TRMExecutable.run(["data", "import", data.path, "-o", scratch.path("out-d1.trmd").path])
        #expect(status == 1 && output.contains(inputs.path) && output.contains("unsupported dtype '<f8'"), "\(output)")
        try original.write(to: inputs)
        try NumPyArray.encode([Int64](repeating: 2, count: 81), shape: [1, 81]).write(to: labels)
        (status, output) = try TRMExecutable.run(["data", "import", data.path, "-o", scratch.path("out-d2.trmd").path])
        #expect(status == 1 && output.contains(labels.path) && output.contains("disagrees with all__inputs.npy"), "\(output)")
        // Nothing written: no model folders, no data sets, no staging or temporary files.
        let leftovers = scratch.contents.filter { $0.hasPrefix("out") || $0.contains(".partial") || $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
