// positionEncoding rope2d (swift-trm's own): RoPE by grid row and column. The angle between two
// cells depends only on their row and column offsets, on any side, so what a model learns about
// "the cell above" on 8x8 mazes means the same on 10x10 ones.
import Foundation
import Testing
import TRMModels
import TRMTensor

@Suite("2-D RoPE by grid row and column")
struct GridRoPETests {
    /// q or k at position p, turned as the attention kernel turns it: pairs (j, j + half),
    /// x * cos + rotateHalf(x) * sin.
    static func turned(_ v: [Float], at p: Int, _ t: RotaryTables) -> [Float] {
        let d = t.headDim, half = d / 2, c = t.cos.scalars, s = t.sin.scalars
        var out = v
        for j in 0..<half {
            out[j] = v[j] * c[p * d + j] - v[j + half] * s[p * d + j]
            out[j + half] = v[j + half] * c[p * d + j + half] + v[j] * s[p * d + j + half]
        }
        return out
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    static func model(side: Int, encoding: PositionEncoding, prefix: Int = 1) throws -> ReasoningModel {
        var m = ModelConfig()
        m.hidden = 32; m.heads = 2; m.layers = 1; m.hCycles = 1; m.lCycles = 1
        m.seqLen = side * side; m.vocabSize = 6; m.puzzleIdentifiers = 1
        m.puzzleEmbeddingLength = prefix; m.puzzleEmbeddingWidth = 0
        m.positionEncoding = encoding
        return try ReasoningModel(config: m, seed: 3)
    }

    @Test("q.k after turning depends only on the row and column offsets, whatever the side")
    func relativeOffsetsOnly() throws {
        let t8 = try #require(try Self.model(side: 8, encoding: .rope2d).rotary)
        let t10 = try #require(try Self.model(side: 10, encoding: .rope2d).rotary)
        #expect(t8.length == 1 + 64 && t10.length == 1 + 100 && t8.headDim == 16)
        func score(_ t: RotaryTables, side: Int, _ q: [Float], _ k: [Float], _ a: (Int, Int), _ b: (Int, Int)) -> Double {
            Self.dot(Self.turned(q, at: 1 + a.0 * side + a.1, t), Self.turned(k, at: 1 + b.0 * side + b.1, t))
        }
        // The cell above, the cell to the left, a knight's move: the same score wherever the pair
        // sits on the grid and on either side. A property of every q and k: seeded draws, so a
        // failure reproduces.
        var rng = SeededRandom(seed: 12)
        for _ in 0..<8 {
            let q = (0..<16).map { _ in Float.random(in: -1...1, using: &rng) }
            let k = (0..<16).map { _ in Float.random(in: -1...1, using: &rng) }
            for (dr, dc) in [(1, 0), (0, 1), (2, -1), (0, 0)] {
                let reference = score(t8, side: 8, q, k, (3, 3), (3 + dr, 3 + dc))
                for (r, c) in [(0, 1), (5, 2), (2, 6)] {
                    #expect(abs(score(t8, side: 8, q, k, (r, c), (r + dr, c + dc)) - reference) < 1e-4)
                    #expect(abs(score(t10, side: 10, q, k, (r + 2, c + 2), (r + 2 + dr, c + 2 + dc)) - reference) < 1e-4)
                }
            }
        }
        // Not a table that ignores position: the cell above and the cell to the left differ. With
        // q = k = the first unit vector (a row pair, turned by the first frequency, 1 radian per
        // row) the score is cos(row offset): cos 1 for the cell above, 1 for the cell to the left.
        // (A random q and k can score the two nearly alike; the CI run of session 32 drew one
        // 0.0008 apart.)
        let e0 = (0..<16).map { $0 == 0 ? Float(1) : 0 }
        let above = score(t8, side: 8, e0, e0, (3, 3), (4, 3)), left = score(t8, side: 8, e0, e0, (3, 3), (3, 4))
        #expect(abs(above - cos(1.0)) < 1e-5 && abs(left - 1) < 1e-5)
        // 1-D RoPE lacks this: "the cell above" is 8 positions back on 8x8, 10 on 10x10, so the
        // same unit vector scores cos 8 against cos 10.
        let r8 = try #require(try Self.model(side: 8, encoding: .rope).rotary)
        let r10 = try #require(try Self.model(side: 10, encoding: .rope).rotary)
        let above8 = score(r8, side: 8, e0, e0, (3, 3), (4, 3)), above10 = score(r10, side: 10, e0, e0, (3, 3), (4, 3))
        #expect(abs(above8 - cos(8.0)) < 1e-4 && abs(above10 - cos(10.0)) < 1e-4)
    }

    @Test("the same cell gets the same angles on any side; the prefix is not turned")
    func tablesByCell() throws {
        let t8 = try #require(try Self.model(side: 8, encoding: .rope2d, prefix: 2).rotary)
        let t30 = try #require(try Self.model(side: 30, encoding: .rope2d, prefix: 2).rotary)
        let d = t8.headDim
        for (r, c) in [(0, 0), (1, 0), (0, 1), (7, 7), (4, 2)] {
            let p8 = 2 + r * 8 + c, p30 = 2 + r * 30 + c
            #expect(Array(t8.cos.scalars[(p8 * d)..<(p8 * d + d)]) == Array(t30.cos.scalars[(p30 * d)..<(p30 * d + d)]))
            #expect(Array(t8.sin.scalars[(p8 * d)..<(p8 * d + d)]) == Array(t30.sin.scalars[(p30 * d)..<(p30 * d + d)]))
        }
        for p in 0..<2 {
            #expect(t8.cos.scalars[(p * d)..<(p * d + d)].allSatisfy { $0 == 1 })
            #expect(t8.sin.scalars[(p * d)..<(p * d + d)].allSatisfy { $0 == 0 })
        }
        // Row pairs turn with the row only, column pairs with the column only.
        let quarter = d / 4
        let right = 2 + 0 * 8 + 1, down = 2 + 1 * 8 + 0, origin = 2
        for j in 0..<quarter {
            #expect(t8.sin.scalars[right * d + j] == t8.sin.scalars[origin * d + j])
            #expect(t8.sin.scalars[down * d + quarter + j] == t8.sin.scalars[origin * d + quarter + j])
        }
        #expect(t8.sin.scalars[down * d] != t8.sin.scalars[origin * d])
    }

    @Test("configurations: a JSON name, clear errors for a grid or head it cannot turn")
    func configuration() throws {
        var m = ModelConfig()
        m.positionEncoding = .rope2d
        let json = try JSONEncoder().encode(m)
        #expect(String(decoding: json, as: UTF8.self).contains("\"rope2d\""))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: json) == m)
        m.seqLen = 50
        #expect { try m.validate() } throws: { "\($0)".contains("seqLen 50 is not a square") }
        m.seqLen = 81; m.hidden = 20; m.heads = 2; m.puzzleEmbeddingWidth = 20  // heads of 10: even, not a multiple of 4
        #expect { try m.validate() } throws: { "\($0)".contains("must be a multiple of 4") }
        m.positionEncoding = .rope
        try m.validate()
    }

    @Test("a model with it runs and differs from the same weights with 1-D RoPE")
    func forward() throws {
        let grid = try Self.model(side: 4, encoding: .rope2d), flat = try Self.model(side: 4, encoding: .rope)
        let tokens = try IntTensor(shape: [2, 16], values: (0..<32).map { Int32(2 + $0 % 4) })
        func logits(_ model: ReasoningModel) throws -> Tensor {
            let x = try model.embed(tokens: tokens, puzzleRows: Tensor(zeros: [2, 1]))
            return try model.recurse(y: Tensor(zeros: x.shape), z: Tensor(zeros: x.shape), x: x).logits
        }
        let a = try logits(grid), b = try logits(flat)
        #expect(a.shape == [2, 16, 6] && a.shape == b.shape && a.scalars.allSatisfy { $0.isFinite })
        #expect(zip(a.scalars, b.scalars).contains { abs($0 - $1) > 1e-4 })
    }
}
