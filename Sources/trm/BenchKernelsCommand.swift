// `trm bench kernels`: sgemm at TRM shapes and one TRM block forward+backward, as JSON lines.
import ArgumentParser
import Foundation
import TRMNN
import TRMTensor

struct BenchKernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "oneDNN fp32 and bf16 matmul GFLOP/s at TRM shapes, and a TRM block's forward+backward against fp32.",
        discussion: """
        Examples:
          trm bench kernels --json
          trm bench kernels --threads 1 --batches 8 --json
          trm bench kernels --threads 1 --batches 1,8 --variants mlp --no-packed
        """
    )

    @OptionGroup var threads: ThreadListOptions
    @Option(help: "Batch sizes (rows = batch x 97 positions).") var batches: String = "8,64"
    @Option(help: "Timed repeats per measurement (after one warm-up).") var repeats: Int = 5
    @Option(help: "Block variants: attention, mlp.") var variants: String = "attention,mlp"
    @Flag(inversion: .prefixedNo,
          help: "Also time each shape with its weight packed once into oneDNN's preferred layout, against the plain layout (task sgemm_packed).")
    var packed = true
    @OptionGroup var output: JSONOutputOptions
    var json: Bool { output.json }

    func validate() throws {
        guard parseList(batches) != nil else {
            throw ValidationError("--batches takes comma-separated positive integers, e.g. 8,64")
        }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        output.printMachine()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func emit(_ r: KernelBenchmarkRecord) {
            if json {
                print(String(decoding: try! encoder.encode(r), as: UTF8.self))
            } else {
                if r.task == "swiglu" {
                    print(String(format: "threads %d  SwiGLU forward+backward %@ kernels, %d x %d: %.2f GB/s (%.4f s), %.2fx the Swift kernels",
                                 r.threads, r.kernel ?? "?", r.m ?? 0, r.n ?? 0, r.gbytes_per_s ?? 0, r.seconds_median, r.over_swift ?? 1))
                    fflush(nil)
                    return
                }
                let what = r.task.hasPrefix("sgemm")
                    ? "\(r.gemm) \(r.dtype) matmul (\(r.kernel ?? "?")) M=\(r.m!) K=\(r.k!) N=\(r.n!)" + (r.task == "sgemm_packed" ? ", weights packed" : "")
                    : "block \(r.variant!) \(r.dtype) batch \(r.batch!)"
                var line = "threads \(r.threads)  \(what): \(String(format: "%.1f", r.gflops)) GFLOP/s (\(String(format: "%.4f", r.seconds_median)) s)"
                if let plain = r.plain_gflops, let ratio = r.packed_over_plain {
                    line += String(format: "  plain layout %.1f GFLOP/s -> packed %.2fx", plain, ratio)
                        + (r.weights_blocked == false ? " (oneDNN kept the plain layout)" : "")
                }
                if let f = r.fraction_of_sgemm, let s = r.sgemm_gflops {
                    line += String(format: "  sgemm of its GEMMs %.1f GFLOP/s -> %.0f%%", s, f * 100)
                }
                print(line)
            }
            fflush(nil)  // all streams: keeps JSON lines timely when piped
        }
        for t in try threads.counts() {
            try ComputeContext.withThreads(t) {
                let shapes = [(512, 1536), (512, 512), (512, 3072), (1536, 512)]
                for r in KernelBenchmark.sgemmRecords(batches: parseList(batches)!, length: 97, sizes: shapes,
                                                      threads: t, repeats: repeats) { emit(r) }
                for r in KernelBenchmark.bf16Records(batches: parseList(batches)!, length: 97, sizes: shapes,
                                                     threads: t, repeats: repeats) { emit(r) }
                for r in KernelBenchmark.swigluRecords(batches: parseList(batches)!, length: 97, inner: 1536,
                                                       threads: t, repeats: repeats) { emit(r) }
                if packed {
                    for r in KernelBenchmark.packedRecords(batches: parseList(batches)!, length: 97, sizes: shapes,
                                                           threads: t, repeats: repeats) { emit(r) }
                }
                for v in variants.split(separator: ",").map(String.init) {
                    for b in parseList(batches)! {
                        // fp32, then bf16 where this CPU has a bf16 matmul: each against oneDNN's own rate in that dtype.
                        for dtype in ComputeDType.allCases {
                            if let r = try KernelBenchmark.blockRecord(variant: v, batch: b, dtype: dtype, threads: t,
                                                                       repeats: repeats) { emit(r) }
                        }
                    }
                }
            }
        }
    }
}

func parseList(_ s: String) -> [Int]? {
    let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !v.isEmpty, v.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
    return v.map { $0! }
}
