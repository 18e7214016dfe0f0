// A small, fast, seedable random generator whose output never depends on the Swift version.
//
// The standard library's `shuffle(using:)` and `random(in:using:)` may change algorithm between
// releases; datasets, augmentations and the sample stream must be bit-identical forever, so they
// use the bounded integers and the Fisher-Yates shuffle written here.

/// SplitMix64 mixing function: a bijection on UInt64 with good avalanche. Used to derive seeds.
@inlinable
public func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** seeded through SplitMix64. Deterministic across platforms and Swift versions.
public struct DeterministicRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds from any number of 64-bit words (e.g. seed, epoch, sample index).
    public init(seed: UInt64, _ streams: UInt64...) {
        var h = splitMix64(seed)
        for word in streams { h = splitMix64(h ^ word) }
        s0 = splitMix64(h)
        s1 = splitMix64(s0)
        s2 = splitMix64(s1)
        s3 = splitMix64(s2)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift with rejection). bound must be > 0.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// True with probability 1/2.
    public mutating func coin() -> Bool { next() >> 63 == 1 }

    /// Uniform Double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Fisher-Yates shuffle, stable across Swift versions.
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count - 1
        while i > 0 {
            let j = below(i + 1)
            if i != j { array.swapAt(i, j) }
            i -= 1
        }
    }

    /// A uniformly random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }
}
