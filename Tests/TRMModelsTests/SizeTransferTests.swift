// Running a model on puzzles of another size (ModelConfig.sizeTransfer, ReasoningModel.resized):
// which models can, and that the resized model is the same weights with the new length's tables.
import Foundation
import Testing
import TRMModels
import TRMNN
import TRMTensor

@Suite("a model on puzzles of another size")
struct SizeTransferTests {
    static func config(side: Int, encoding: PositionEncoding, mixer: MixerKind = .attention) -> ModelConfig {
        var m = ModelConfig()
        m.hidden = 32; m.heads = 2; m.layers = 1; m.hCycles = 1; m.lCycles = 2
        m.seqLen = side * side; m.vocabSize = 6; m.puzzleIdentifiers = 1
        m.puzzleEmbeddingLength = 1; m.puzzleEmbeddingWidth = 0
        m.positionEncoding = encoding; m.mixer = mixer
        return m
    }

    static func logits(_ model: ReasoningModel, side: Int, seed: Int) throws -> [Float] {
        let n = side * side
        let tokens = try IntTensor(shape: [2, n], values: (0..<(2 * n)).map { Int32(1 + ($0 * 7 + seed) % 5) })
        let x = try model.embed(tokens: tokens, puzzleRows: Tensor(zeros: [2, 1]))
        let d = x.shape
        return try model.recurse(y: Tensor(zeros: d), z: Tensor(zeros: d), x: x).logits.scalars
    }

    @Test("which models fit another size, and why the others do not")
    func classification() {
        #expect(Self.config(side: 8, encoding: .rope2d).sizeTransfer(to: 64) == .same)
        #expect(Self.config(side: 8, encoding: .rope2d).sizeTransfer(to: 900) == .keepsGeometry)
        #expect(Self.config(side: 8, encoding: .none).sizeTransfer(to: 50) == .keepsGeometry)
        #expect(Self.config(side: 8, encoding: .rope).sizeTransfer(to: 100) == .changesPositions)
        guard case let .impossible(square) = Self.config(side: 8, encoding: .rope2d).sizeTransfer(to: 50) else {
            Issue.record("rope2d on 50 cells"); return
        }
        #expect(square.contains("50 cells are not a square"))
        guard case let .impossible(mixer) = Self.config(side: 8, encoding: .rope, mixer: .mlp).sizeTransfer(to: 100) else {
            Issue.record("MLP mixer on another length"); return
        }
        #expect(mixer.contains("MLP token mixer has weights for 65 positions"))
    }

    @Test("resized: the same weights with the new side's tables; back again it computes what it did")
    func resizedModel() throws {
        let small = try ReasoningModel(config: Self.config(side: 6, encoding: .rope2d), seed: 5)
        let large = try small.resized(seqLen: 100)
        #expect(large.config.seqLen == 100 && small.config.seqLen == 36)
        for ((n1, t1), (n2, t2)) in zip(small.state, large.state) {
            #expect(n1 == n2 && t1.shape == t2.shape && t1.scalars == t2.scalars, "\(n1)")
        }
        // Its tables are those of a model built for 10x10 (a different seed: the tables do not depend on it).
        let fresh = try ReasoningModel(config: Self.config(side: 10, encoding: .rope2d), seed: 9)
        #expect(large.rotary?.cos.scalars == fresh.rotary?.cos.scalars && large.rotary?.sin.scalars == fresh.rotary?.sin.scalars)
        let out = try Self.logits(large, side: 10, seed: 1)
        #expect(out.count == 2 * 100 * 6 && out.allSatisfy { $0.isFinite })
        // The weights are copies: the resized model does not change when the original is trained.
        try small.embedTokens.assign(Tensor(zeros: small.embedTokens.shape))
        #expect(try Self.logits(large, side: 10, seed: 1) == out)
        let back = try large.resized(seqLen: 36), again = try ReasoningModel(config: Self.config(side: 6, encoding: .rope2d), seed: 5)
        let restored = try back.resized(seqLen: 36)
        #expect(restored === back)
        #expect(try Self.logits(back, side: 6, seed: 2) == Self.logits(again, side: 6, seed: 2))
    }

    @Test("a model whose weights do not fit is refused with the reason")
    func refusals() throws {
        let mlp = try ReasoningModel(config: Self.config(side: 4, encoding: .none, mixer: .mlp), seed: 1)
        #expect { try mlp.resized(seqLen: 25) } throws: {
            "\($0)".contains("cannot run on puzzles of 25 cells") && "\($0)".contains("MLP token mixer")
        }
        let grid = try ReasoningModel(config: Self.config(side: 4, encoding: .rope2d), seed: 1)
        #expect { try grid.resized(seqLen: 20) } throws: { "\($0)".contains("20 cells are not a square") }
    }
}
