// `trm bench train` lines join the PyTorch baseline's on (model, task, batch, threads): same field
// names, valid JSON, plus which matmul library and dtype ran.
import Foundation
import Testing
import TRMNN
import TRMTensor
@testable import TRMTraining

@Suite("trm bench train JSON lines")
struct BenchmarkLineTests {
    @Test("baseline field names, valid JSON, the matmul library and the context's dtype")
    func lineSchema() throws {
        for dtype in ComputeDType.allCases {
            let line = ComputeContext.withDType(dtype) {
                TrainBenchmarkLine(threads: 2, model: "trm-mlp-sudoku", parameters: 5_028_866, task: "train", batch: 8,
                                   secondsMedian: 2.5, secondsMin: 2.4)
            }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.json.utf8)) as? [String: Any])
            for key in ["impl", "threads", "model", "params", "task", "batch", "seconds_median", "seconds_min", "sample_steps_per_s"] {
                #expect(object[key] != nil, "missing \(key) in \(line.json)")
            }
            #expect(object["sample_steps_per_s"] as? Double == 3.2)
            #expect(object["gemm"] as? String == BLAS.name)
            #expect(object["dtype"] as? String == dtype.rawValue, "the dtype is a join key with torch_trm_bench.py --dtype")
        }
        let infer = TrainBenchmarkLine(threads: 1, model: "trm-att-sudoku", parameters: 1, task: "infer16", batch: 16,
                                       secondsMedian: 8, secondsMin: 7)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(infer.json.utf8)) as? [String: Any])
        #expect(object["puzzles_per_s"] as? Double == 2)
    }

    @Test("--shapes lines: a real step's products by shape, shares adding to one, rates, the line's join keys")
    func shapeLines() throws {
        var options = TrainBenchmarkOptions.quick
        options.models = ["trm-tiny-sudoku4"]; options.repeats = 1
        var lines: [TrainBenchmarkLine] = []
        try TrainBenchmark.run(threads: [1], options: options) { lines.append($0) }
        #expect(lines.map(\.task) == ["train", "infer4"], "the preset's rollout is its 4 halting steps")
        for line in lines {
            let objects = try line.shapeJSON.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            #expect(!objects.isEmpty, "a step of a TRM runs products")
            #expect(objects.allSatisfy { $0["task"] as? String == "gemm_shape" && $0["of"] as? String == line.task
                && $0["model"] as? String == line.model && $0["batch"] as? Int == line.batch && $0["threads"] as? Int == 1 })
            #expect(objects.allSatisfy { ["NN", "NT", "TN", "TT"].contains($0["op"] as? String ?? "") && ($0["calls"] as? Int ?? 0) > 0 })
            let shares = objects.compactMap { $0["share"] as? Double }
            #expect(abs(shares.reduce(0, +) - 1) < 0.01, "\(shares)")
            #expect(shares == shares.sorted(by: >), "most time first")
            // The shapes' operations are the line's.
            let flops = line.gemmShapes.reduce(0) { $0 + $1.totals.flops }
            #expect(abs(flops / 1e9 - (line.gemmGFLOP ?? 0)) < 0.01)
        }
        // A training step runs backward products (NN, TN); a rollout only forward ones.
        let train = try #require(lines.first { $0.task == "train" })
        #expect(Set(train.gemmShapes.map(\.shape.op)).isSuperset(of: ["NT", "NN", "TN"]))
        let infer = try #require(lines.last)
        #expect(!infer.gemmShapes.contains { $0.shape.op == "TN" }, "no weight gradients in a rollout")
    }

    @Test("bench kernels block lines in both dtypes: each against the same GEMMs in its own dtype")
    func blockLines() throws {
        let fp32 = try #require(try KernelBenchmark.blockRecord(variant: "attention", batch: 1, length: 9, hidden: 32, heads: 2,
                                                                 inner: 64, dtype: .fp32, threads: 1, repeats: 1))
        #expect(fp32.dtype == "fp32" && fp32.task == "block_fwd_bwd")
        #expect((fp32.sgemm_gflops ?? 0) > 0 && (fp32.fraction_of_sgemm ?? 0) > 0)
        let bf16 = try KernelBenchmark.blockRecord(variant: "mlp", batch: 2, length: 9, hidden: 32, heads: 2,
                                                   inner: 64, dtype: .bf16, threads: 1, repeats: 1)
        if ComputeDType.bf16Supported {
            let r = try #require(bf16)
            #expect(r.dtype == "bf16" && r.variant == "mlp" && (r.fraction_of_sgemm ?? 0) > 0)
        } else {
            #expect(bf16 == nil, "no bf16 line where oneDNN has no bf16 matmul")
        }
    }

    @Test("bench kernels SwiGLU lines: one per kernel set this CPU runs, each against the Swift kernels")
    func swigluLines() throws {
        let lines = KernelBenchmark.swigluRecords(batches: [1], length: 5, inner: 24, threads: 1, repeats: 1)
        #expect(lines.map(\.kernel) == Kernels.runnableNative.map(\.rawValue))
        for r in lines {
            #expect(r.task == "swiglu" && r.m == 5 && r.n == 24 && r.gflops == 0)
            #expect((r.gbytes_per_s ?? 0) > 0 && (r.over_swift ?? 0) > 0)
        }
        #expect(lines.last?.over_swift == 1, "the Swift line is its own baseline")
    }

    @Test("bench kernels product lines: packed against plain per dtype, and the bare bf16 rate")
    func productLines() throws {
        let sizes = [(32, 48), (24, 40)]
        let packed = KernelBenchmark.packedRecords(batches: [1, 2], length: 5, sizes: sizes, threads: 1, repeats: 1)
        let dtypes: [ComputeDType] = ComputeDType.bf16Supported ? [.fp32, .bf16] : [.fp32]
        #if canImport(Accelerate)
        #expect(packed.isEmpty, "no packed layouts without oneDNN")
        #else
        #expect(packed.count == dtypes.count * 2 * sizes.count, "\(packed.map { ($0.dtype, $0.m, $0.n, $0.k) })")
        for r in packed {
            let (m, n, k) = (r.m ?? 0, r.n ?? 0, r.k ?? 0)
            #expect(r.task == "sgemm_packed" && m > 0 && m % 5 == 0 && sizes.contains { $0 == (k, n) })
            #expect(r.gflops > 0 && (r.plain_gflops ?? 0) > 0 && (r.packed_over_plain ?? 0) > 0)
            #expect((r.packed_bytes ?? 0) >= n * k * (r.dtype == "bf16" ? 2 : 4), "a packed copy holds every weight")
            #expect(r.weights_blocked != nil)
        }
        #endif
        let bare = KernelBenchmark.bf16Records(batches: [1], length: 5, sizes: sizes, threads: 1, repeats: 1)
        #expect(bare.count == (ComputeDType.bf16Supported ? sizes.count : 0))
        #expect(bare.allSatisfy { $0.dtype == "bf16" && $0.gflops > 0 && $0.thread_cpu_seconds_min != nil })
    }
}
