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

    @Test("a missing or extra tensor, shapes that disagree with all_config.yaml, an unknown architecture")
    func tensorsAgainstConfig() throws {
        guard haveCheckpoint else { return }
        let yaml = try ReferenceRunConfig.load(attCase.appendingPathComponent("all_config.yaml"))
        let raw = try TorchStateDict.read(contentsOf: attCase.appendingPathComponent("step_1000"))
        expectError(file: "ck", "'_orig_mod.model.inner.q_head.bias' is missing") {
            _ = try ReferenceCheckpoint.build(raw.filter { !$0.0.hasSuffix("q_head.bias") }, yaml: yaml, checkpoint: "ck", config: "cf")
        }
        expectError(file: "ck", "unexpected tensor 'inner.extra.weight'") {
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
}
