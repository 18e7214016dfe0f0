// AxisTicks: "nice" tick positions and labels for chart axes (1, 2, 5 x 10^k steps on linear
// axes; decades, with 2 and 5 in between when the range is short, on log axes).

import Foundation

/// A tick on an axis: its value in data units and the text drawn for it.
struct AxisTick: Equatable, Sendable {
    var value: Double
    var label: String
}

/// An axis domain widened to tick boundaries, with its ticks.
struct AxisTicks: Equatable, Sendable {
    var lower: Double
    var upper: Double
    var ticks: [AxisTick]

    /// A nice number near `x`: 1, 2, 5 or 10 times a power of ten (rounded, or the ceiling).
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// About `count` ticks covering [minimum, maximum]; the domain is widened to the outer ticks.
    /// `integerStep` keeps the step at 1 or more (for step counters).
    static func linear(minimum: Double, maximum: Double, count: Int = 5, integerStep: Bool = false) -> AxisTicks {
        var low = minimum, high = maximum
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if low > high { swap(&low, &high) }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad; high += pad
        }
        let range = niceNumber(high - low, round: false)
        var step = niceNumber(range / Double(max(1, count - 1)), round: true)
        if integerStep { step = max(1, step) }
        let first = floor(low / step + 1e-9)
        let last = ceil(high / step - 1e-9)
        let ticks = stride(from: first, through: last, by: 1).map { index -> AxisTick in
            var value = index * step
            if abs(value) < step * 1e-9 { value = 0 }  // no "-0" or 1e-17
            return AxisTick(value: value, label: formatLinear(value, step: step))
        }
        return AxisTicks(lower: first * step, upper: last * step, ticks: ticks)
    }

    /// Ticks for a log10 axis over positive [minimum, maximum]; values are data units.
    static func logarithmic(minimum: Double, maximum: Double) -> AxisTicks {
        var low = minimum, high = maximum
        if !(low > 0) || !low.isFinite { low = high > 0 && high.isFinite ? high / 10 : 1 }
        if !(high > 0) || !high.isFinite { high = low * 10 }
        if low > high { swap(&low, &high) }
        let lowDecade = floor(log10(low) + 1e-9)
        var highDecade = ceil(log10(high) - 1e-9)
        if highDecade <= lowDecade { highDecade = lowDecade + 1 }
        let decades = Int(highDecade - lowDecade)
        let every = max(1, Int((Double(decades) / 6).rounded(.up)))
        var ticks: [AxisTick] = []
        var exponent = lowDecade
        while exponent <= highDecade {
            ticks.append(AxisTick(value: pow(10, exponent), label: formatPower(exponent)))
            if decades <= 2 && exponent < highDecade {
                for multiple in [2.0, 5.0] {
                    let value = multiple * pow(10, exponent)
                    ticks.append(AxisTick(value: value, label: formatLinear(value, step: pow(10, exponent))))
                }
            }
            exponent += Double(every)
        }
        return AxisTicks(lower: pow(10, lowDecade), upper: pow(10, highDecade), ticks: ticks)
    }

    /// A label with as many decimals as the step needs; compact exponent form for extremes.
    static func formatLinear(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || (step < 1e-4 && magnitude < 1e-3) {
            return compactExponent(value)
        }
        if magnitude >= 1000 && step >= 1000 && value.truncatingRemainder(dividingBy: 1000) == 0 {
            return "\(Int(value / 1000))k"
        }
        let decimals = step >= 1 ? 0 : Int(ceil(-log10(step) - 1e-9))
        return String(format: "%.\(max(0, min(decimals, 10)))f", value)
    }

    /// 10^exponent as "0.01", "1", "1000" for modest exponents, else "1e-5".
    static func formatPower(_ exponent: Double) -> String {
        let e = Int(exponent)
        if e >= 0 && e <= 4 { return String(Int(pow(10, exponent))) }
        if e < 0 && e >= -3 { return String(format: "%.\(-e)f", pow(10, exponent)) }
        return "1e\(e)"
    }

    /// Two significant digits in exponent form: 2.5e-05 -> "2.5e-5", 1e+06 -> "1e6", 1e-4 -> "1e-4".
    static func compactExponent(_ value: Double) -> String {
        let text = String(format: "%.1e", value)  // "2.5e-05"
        guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return text }
        var mantissa = String(text[..<e])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        return "\(mantissa)e\(exponent)"
    }
}
