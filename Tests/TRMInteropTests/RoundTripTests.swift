// Round trips through the reference's formats: import -> export -> import gives identical tensors;
// our checkpoint -> `trm export --format torch` -> `trm import` gives the same predictions; the
// pickle writer's output reads back through our reader; all_config.yaml survives.
import Foundation
import TRMTestSupport
import Testing
@testable import TRMInterop
import TRMModels
import TRMNN
import TRMTensor
import TRMRuntime
import TRMTraining

@Suite("Round trips through the reference formats")
struct RoundTripTests {
    @Test("import -> export -> import: identical tensors and configuration", arguments: checkpointCases)
    func importExportImport(name: String) throws {
        let first = try ReferenceCheckpoint.load(checkpoint: torchCheckpoints.appendingPathComponent("\(name)/step_1000"))
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let out = scratch.path("torch")
        let written = try TorchExport.write(first.model, run: first.run, step: 1000, to: out)
        #expect(written.checkpoint.lastPathComponent == "step_1000")
        let raw = try TorchStateDict.read(contentsOf: written.checkpoint)
        #expect(raw.allSatisfy { $0.0.hasPrefix("_orig_mod.model.inner.") }, "the keys load_checkpoint expects")
        let second = try ReferenceCheckpoint.load(checkpoint: written.checkpoint)
        #expect(second.run.model == first.run.model)
        let a = Dictionary(uniqueKeysWithValues: first.model.state), b = Dictionary(uniqueKeysWithValues: second.model.state)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (k, t) in a { #expect(t.shape == b[k]?.shape && t.scalars == b[k]?.scalars, "\(k)") }
    }

    @Test("a model with 2-D RoPE (ours) is refused by --format torch, naming why, and nothing is written")
    func gridRoPEIsNotExportedToTheReference() throws {
        guard let name = checkpointCases.first(where: { $0.hasPrefix("trm-att") }) else { return }
        let first = try ReferenceCheckpoint.load(checkpoint: torchCheckpoints.appendingPathComponent("\(name)/step_1000"))
        var run = first.run
        run.model.positionEncoding = .rope2d
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let out = scratch.path("torch")
        #expect { try TorchExport.write(first.model, run: run, step: 1000, to: out) } throws: {
            "\($0)".contains("positionEncoding rope2d") && "\($0)".contains("the reference has only rope and none")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a safetensors file with the reference's names imports like the torch checkpoint")
    func safetensorsWithReferenceNames() throws {
        guard let name = checkpointCases.first(where: { $0.hasPrefix("hrm") }) else { return }
        let dir = torchCheckpoints.appendingPathComponent(name)
        let raw = try TorchStateDict.read(contentsOf: dir.appendingPathComponent("step_1000"))
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = scratch.path("model.safetensors")
        try SafeTensorsFile(tensors: Dictionary(uniqueKeysWithValues: raw)).write(to: file)
        let fromTorch = try ReferenceCheckpoint.load(checkpoint: dir.appendingPathComponent("step_1000"))
        let fromSafetensors = try ReferenceCheckpoint.load(checkpoint: file, config: dir.appendingPathComponent("all_config.yaml"))
        for ((n1, t1), (n2, t2)) in zip(fromTorch.model.state, fromSafetensors.model.state) {
            #expect(n1 == n2 && t1.scalars == t2.scalars, "\(n1)")
        }
    }

    @Test("pickle writer -> reader is the identity on a state-dict-like tree")
    func pickleRoundTrip() throws {
        let tree = PickleValue.dict([
            (.string("a"), .tuple([.int(0), .int(255), .int(256), .int(70000), .int(-5), .int(1 << 40)])),
            (.string("b"), .list([.float(0.5), .bool(true), .none, .string("é ü")])),
            (.string("c"), .call(callable: .global(module: "collections", name: "OrderedDict"), args: [], state: nil)),
        ])
        var reader = PickleReader(bytes: PickleWriter.serialize(tree), file: "<memory>")
        let back = try reader.read()
        // An empty OrderedDict() call reads back as the call (only SETITEMS turns it into a dict).
        #expect(back == tree)
    }

    @Test("strided and offset storages are copied out in row-major order")
    func stridedViews() throws {
        // A [2,3] float view at offset 1 with strides (1, 2) over a storage of 8 floats: element
        // (i, j) is storage[1 + i + 2j].
        let storage = (0..<8).map { Float($0) }
        var bytes = Data()
        for v in storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        let pid = PickleValue.persistent(.tuple([.string("storage"), .global(module: "torch", name: "FloatStorage"),
                                                 .string("0"), .string("cpu"), .int(8)]))
        let tensor = PickleValue.call(callable: .global(module: "torch._utils", name: "_rebuild_tensor_v2"), args: [
            pid, .int(1), .tuple([.int(2), .int(3)]), .tuple([.int(1), .int(2)]), .bool(false),
            .call(callable: .global(module: "collections", name: "OrderedDict"), args: [], state: nil),
        ], state: nil)
        let archive = try TorchArchive(prefix: "x/", records: [
            "data.pkl": Data(PickleWriter.serialize(.dict([(.string("w"), tensor)]))), "data/0": bytes, "byteorder": Data("little".utf8),
        ]).serialized()
        let t = try TorchStateDict.read(data: archive, file: "strided")
        #expect(t.count == 1 && t[0].1.shape == [2, 3])
        #expect(try t[0].1.floats() == [1, 3, 5, 2, 4, 6])
    }

    @Test("every storage dtype reads back: float32, bfloat16, float16, float64, int32, int64")
    func dtypes() throws {
        let values: [Float] = [1.5, -2.25, 0, 3]
        var tensors: [(String, SafeTensorEntry)] = []
        for dtype in [SafeTensorDType.f32, .bf16, .f16, .f64] { tensors.append((dtype.rawValue, SafeTensorEntry(floats: values, shape: [2, 2], dtype: dtype))) }
        tensors.append(("I32", SafeTensorEntry(int32s: [1, -2, 3, 4], shape: [4])))
        var i64 = Data()
        for v: Int64 in [7, -8] { withUnsafeBytes(of: v.littleEndian) { i64.append(contentsOf: $0) } }
        tensors.append(("I64", SafeTensorEntry(dtype: .i64, shape: [2], data: i64)))
        let back = try TorchStateDict.read(data: TorchStateDict.serialize(tensors, archiveName: "d"), file: "dtypes")
        #expect(back.map(\.0) == tensors.map(\.0))
        for ((_, a), (_, b)) in zip(tensors, back) { #expect(a == b) }
    }

    @Test("our checkpoint -> trm export --format torch -> trm import: the same predictions",
          .enabled(if: TRMExecutable.url != nil, "no built trm executable found (run `swift build` first)"))
    func ourCheckpointThroughTorch() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let run = scratch.path("run").path, torch = scratch.path("torch").path, imported = scratch.path("imported").path
        for args in [
            ["train", "--preset", "trm-tiny-sudoku4", "--steps", "3", "--batch-size", "8", "--eval-interval", "0", "--threads", "1", "--quiet", "--out", run],
            ["export", "--format", "torch", run, "-o", torch],
            ["import", torch + "/step_3", "--seq-len", "16", "-o", imported],
        ] {
            let (status, output) = try TRMExecutable.run(args)
            #expect(status == 0, "trm \(args.joined(separator: " ")): \(output)")
            if status != 0 { return }
        }
        let (ours, contents) = try Checkpoint.loadModel(URL(fileURLWithPath: run), weights: .evaluation)
        #expect(contents.manifest.emaWeights, "the export takes the EMA weights")
        let back = try ModelStore.load(directory: imported)
        #expect(back.run.model == ours.config)
        // Identical weights, so identical rollouts: predictions and q_halt at every step.
        var tokens = [Int32](repeating: 1, count: 4 * 16)
        for i in stride(from: 0, to: tokens.count, by: 5) { tokens[i] = Int32(2 + i % 4) }
        let batch = try PuzzleBatch(tokens: IntTensor(shape: [4, 16], values: tokens), labels: IntTensor(shape: [4, 16], values: tokens),
                                    puzzleIdentifiers: [0, 0, 0, 0])
        let a = try rollout(ours, batch: batch, steps: ours.config.haltMaxSteps)
        let b = try rollout(back.model, batch: batch, steps: ours.config.haltMaxSteps)
        #expect(a.preds == b.preds && a.qHalt == b.qHalt)

        // --raw: the trained weights instead of the EMA weights.
        let rawTorch = scratch.path("torch-raw").path, rawImported = scratch.path("imported-raw").path
        var (status, output) = try TRMExecutable.run(["export", "--format", "torch", "--raw", run, "-o", rawTorch])
        #expect(status == 0 && output.contains("trained weights"), "\(output)")
        (status, output) = try TRMExecutable.run(["import", rawTorch + "/step_3", "--seq-len", "16", "-o", rawImported])
        #expect(status == 0, "\(output)")
        let (trained, _) = try Checkpoint.loadModel(URL(fileURLWithPath: run), weights: .trained)
        let rawBack = Dictionary(uniqueKeysWithValues: try ModelStore.load(directory: rawImported).model.state)
        let emaBack = Dictionary(uniqueKeysWithValues: back.model.state)
        var differs = false
        for (name, t) in trained.state {
            #expect(rawBack[name]?.scalars == t.scalars, "\(name)")
            if emaBack[name]?.scalars != t.scalars { differs = true }
        }
        #expect(differs, "after 3 steps the EMA weights differ from the trained ones")
        // A model folder has one set of weights: --raw is refused, nothing written.
        (status, output) = try TRMExecutable.run(["export", "--format", "torch", "--raw", imported, "-o", scratch.path("none").path])
        #expect(status != 0 && output.contains("--raw needs a run"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("none").path))
    }
}
