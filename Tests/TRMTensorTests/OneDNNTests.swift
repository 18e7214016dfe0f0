// oneDNN's matmul primitives (Linux): created once per shape and reused, safe to run from
// several threads at once, and the kernel they pick at the model's shapes is not a reference loop.
#if canImport(CDNNL)
import Foundation
import Testing
@testable import TRMTensor

@Suite("oneDNN matmul primitives")
struct OneDNNTests {
    /// C = A B^T on one thread through BLAS.sgemm.
    static func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, threads: Int = 1) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                               b: pb.baseAddress!, ldb: k, beta: 0, c: pc.baseAddress!, ldc: n, threads: threads)
                }
            }
        }
        return c
    }

    @Test("a shape's primitive is created once and reused")
    func primitivesAreCached() {
        var r = TestRandom(3)
        let (m, n, k) = (37, 41, 43)  // a shape no other test uses
        let key = OneDNN.Key(m: m, n: n, k: k, transA: false, transB: true, lda: k, ldb: k, ldc: n,
                             alpha: 1, beta: 0, bf16: false)
        #expect(OneDNN.creations(key) == 0, "not created before first use")
        let a = r.values(m * k), b = r.values(n * k)
        let first = Self.product(a, b, m: m, n: n, k: k)
        #expect(OneDNN.creations(key) == 1)
        for _ in 0..<5 { #expect(Self.product(a, b, m: m, n: n, k: k) == first, "same primitive, same result") }
        // Counted per key: the process-wide count raced with other suites creating their own
        // primitives at the same time (CI saw 181 == 180).
        #expect(OneDNN.creations(key) == 1, "no new primitive for a shape already seen")
    }

    @Test("one primitive run from 8 threads at once gives every caller the right product")
    func concurrentExecution() {
        var r = TestRandom(4)
        let (m, n, k) = (97, 96, 64)
        let a = r.values(m * k), b = r.values(n * k)
        var expected = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                expected.withUnsafeMutableBufferPointer { pc in
                    BLAS.referenceSgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: k,
                                        b: pb.baseAddress!, ldb: k, beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        let errors = UnsafeMutableBufferPointer<Float>.allocate(capacity: 8)
        defer { errors.deallocate() }
        errors.initialize(repeating: .infinity)
        let box = UncheckedSendable((errors, a, b, expected))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let (errors, a, b, expected) = box.value
            var worst: Float = 0
            for _ in 0..<20 { worst = max(worst, relativeError(Self.product(a, b, m: m, n: n, k: k), expected)) }
            errors[i] = worst
        }
        #expect(errors.allSatisfy { $0 < 1e-5 }, "\(Array(errors))")
    }

    @Test("the model's fp32 shapes run on an optimised kernel, not oneDNN's reference loops")
    func optimisedKernel() throws {
        let name = try #require(BLAS.kernelName(m: 776, n: 1536, k: 512, dtype: .fp32))
        #expect(!name.hasPrefix("ref"), "\(name)")
        #expect(!OneDNN.isa.isEmpty)
    }
}
#endif
