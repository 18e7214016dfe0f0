// A small, fast, seedable random generator (xoshiro256**) whose whole state is Codable, so a
// training run can save and resume it bit for bit; plus normal and truncated-normal sampling.
import Foundation

public struct SeededRandom: RandomNumberGenerator, Codable, Sendable, Equatable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        func splitmix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitmix(), splitmix(), splitmix(), splitmix()]
    }

    public mutating func next() -> UInt64 {
        let result = ((state[1] &* 5) << 7 | (state[1] &* 5) >> 57) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = (state[3] << 45) | (state[3] >> 19)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// `count` draws from N(0, 1) restricted to [-bound, bound], rescaled so that their
    /// distribution has standard deviation `std` exactly (the JAX-style truncated normal).
    public mutating func truncatedNormal(count: Int, std: Double, bound: Double = 2) -> [Float] {
        // Standard deviation of a unit normal truncated to [-bound, bound].
        let phi = Foundation.exp(-bound * bound / 2) / (2 * Double.pi).squareRoot()
        let z = Foundation.erf(bound / 2.0.squareRoot())
        let truncStd = (1 - 2 * bound * phi / z).squareRoot()
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var v = normal()
            while abs(v) > bound { v = normal() }
            out[i] = Float(v / truncStd * std)
        }
        return out
    }
}
