// The autodiff tape: what it records, what no-grad keeps, accumulation, errors, memory reuse.
import Testing
import Foundation
@testable import TRMTensor

func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }

@Suite("Tape, no-grad scope and memory")
struct TapeTests {
    @Test func noGradRecordsNothingAndKeepsNoActivations() throws {
        var r = TestRandom(1)
        let w = r.tensor([8, 8], requiresGrad: true)
        let x = r.tensor([4, 8])
        let tape = Tape()
        weak var weakActivation: Tensor?
        try tape.record {
            try Tape.noGrad {
                let h = try linear(x, weight: w)
                weakActivation = h
                let out = try rmsNorm(silu(h))
                #expect(!out.isRecorded)
            }
        }
        #expect(tape.count == 0)
        #expect(weakActivation == nil, "no-grad scope must not retain activations")
        // The same ops on the tape are recorded.
        let y = try tape.record { try rmsNorm(silu(linear(x, weight: w))) }
        #expect(tape.count == 3)
        #expect(y.isRecorded)
    }

    @Test func nothingIsRecordedWithoutATapeOrWithoutParameters() throws {
        var r = TestRandom(2)
        let a = r.tensor([3, 3]), b = r.tensor([3, 3])
        let tape = Tape()
        let c = try tape.record { try a * b }
        #expect(tape.count == 0 && !c.isRecorded)
        #expect(throws: TensorError.self) { try tape.backward(c) }
    }

    @Test func gradientsAccumulateAcrossBackwardsAndZero() throws {
        let w = try Tensor(shape: [2], values: [1, 2])
        w.requiresGrad = true
        let x = try Tensor(shape: [2], values: [3, 4])
        for _ in 0..<2 {
            let tape = Tape()
            let l = try tape.record { try sum(w * x) }
            try tape.backward(l)
        }
        #expect(w.grad!.scalars == [6, 8])
        w.grad!.zero()
        #expect(w.grad!.scalars == [0, 0])
    }

    @Test func reusedInputsSumTheirGradients() throws {
        let w = try Tensor(shape: [3], values: [1, -2, 3])
        w.requiresGrad = true
        let tape = Tape()
        let l = try tape.record { try sum((w * w) + w) }  // d/dw = 2w + 1
        try tape.backward(l)
        #expect(w.grad!.scalars == [3, -3, 7])
    }

    @Test func detachedStopsGradients() throws {
        let w = try Tensor(shape: [2], values: [1, 2])
        w.requiresGrad = true
        let tape = Tape()
        let l = try tape.record { () -> Tensor in
            let h = try w * w
            return try sum(h.detached() * w)  // d/dw = w^2 only
        }
        try tape.backward(l)
        #expect(w.grad!.scalars == [1, 4])
    }

    @Test func shapeErrorsAreThrownNotCrashes() throws {
        let a = Tensor(zeros: [2, 3]), b = Tensor(zeros: [4, 5])
        #expect(throws: TensorError.notBroadcastable(op: "add", lhs: [2, 3], rhs: [4, 5])) { try a + b }
        #expect(throws: TensorError.self) { try matmul(a, b) }
        #expect(throws: TensorError.self) { try a.reshaped([7]) }
        #expect(throws: TensorError.self) { try rmsNorm(a, axis: 2) }
        #expect(throws: TensorError.self) { try swiglu(Tensor(zeros: [3])) }
        #expect(throws: TensorError.self) { try embedding(IntTensor(shape: [1], values: [9]), table: a) }
        #expect(throws: TensorError.self) { try crossEntropy(logits: a, labels: IntTensor(shape: [2], values: [0, 3])) }
        #expect(throws: TensorError.self) { try attention(qkv: Tensor(zeros: [1, 2, 5]), heads: 2, rotary: nil) }
        #expect(throws: TensorError.self) { try concat([a, b], axis: 0) }
        #expect(throws: TensorError.self) { try slice(a, axis: 1, range: 2..<5) }
        #expect(throws: TensorError.self) { try Tensor(shape: [2, 2], values: [1, 2, 3]) }
        let message = TensorError.notBroadcastable(op: "add", lhs: [2, 3], rhs: [4, 5]).description
        #expect(message.contains("[2, 3]") && message.contains("[4, 5]"))
    }

    @Test("repeated training steps allocate no new memory")
    func poolReuse() throws {
        var r = TestRandom(5)
        let w1 = r.tensor([32, 16], requiresGrad: true), w2 = r.tensor([16, 16], requiresGrad: true)
        let x = r.tensor([4, 10, 16])
        func step() throws {
            let tape = Tape()
            let l = try tape.record { () -> Tensor in
                let h = try swiglu(linear(x, weight: w1))
                let y = try addRMSNorm(x, linear(h, weight: w2))
                return try mean(y * y)
            }
            try tape.backward(l)
            w1.grad!.zero(); w2.grad!.zero()
        }
        let pool = BufferPool()
        try BufferPool.$current.withValue(pool) {
            try step(); try step()
        }
        let before = pool.statistics
        try BufferPool.$current.withValue(pool) {
            for _ in 0..<5 { try step() }
        }
        let after = pool.statistics
        #expect(before.systemAllocations > 0)
        #expect(after.systemAllocations == before.systemAllocations)
        #expect(after.allocatedBytes == before.allocatedBytes)
    }
}
