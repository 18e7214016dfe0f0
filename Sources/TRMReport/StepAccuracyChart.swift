// StepAccuracyChart: accuracy after each supervision step (x = 1...N, typically 16) as bars for
// exact (whole-puzzle) accuracy, with token accuracy as a line over them. Used by eval reports.

import Foundation

/// A bar chart of accuracy per supervision step, values in [0, 1], drawn as percentages.
public struct StepAccuracyChart: SVGChart {
    public var title: String
    /// Exact accuracy after step 1, 2, ... (one bar each).
    public var exactAccuracy: [Double]
    /// Token accuracy after each step, drawn as a line with dots; empty to omit.
    public var tokenAccuracy: [Double]
    public var width: Double
    public var height: Double

    public init(title: String = "Accuracy after each supervision step", exactAccuracy: [Double],
                tokenAccuracy: [Double] = [], width: Double = 720, height: Double = 380) {
        self.title = title
        self.exactAccuracy = exactAccuracy
        self.tokenAccuracy = tokenAccuracy
        self.width = width
        self.height = height
    }

    public func svgBody(idPrefix: String) -> String {
        var area = PlotArea.standard(width: width, height: height, hasTitle: !title.isEmpty)
        area.top += 22; area.height -= 22  // room for the legend row above the plot
        let steps = max(exactAccuracy.count, tokenAccuracy.count, 1)
        let slot = area.width / Double(steps)
        func toX(_ step: Int) -> Double { area.left + (Double(step) - 0.5) * slot }  // bar centre, step from 1
        func toY(_ value: Double) -> Double { area.bottom - min(max(value, 0), 1) * area.height }
        let yTicks = stride(from: 0.0, through: 1.0, by: 0.2).map { (toY($0), "\(Int(($0 * 100).rounded()))%") }
        let labelEvery = steps > 24 ? Int((Double(steps) / 16).rounded(.up)) : 1
        let xTicks = (1...steps).filter { ($0 - 1) % labelEvery == 0 || $0 == steps }.map { (toX($0), "\($0)") }

        var s = "<g class=\"step-accuracy-chart\">\n"
        s += area.frame(width: width, height: height, title: title, xLabel: "supervision step",
                        yLabel: "accuracy", xTicks: xTicks, yTicks: yTicks)
        let barWidth = slot * 0.7
        for (index, value) in exactAccuracy.enumerated() {
            let step = index + 1
            guard value.isFinite else { continue }
            let top = toY(value)
            s += "<rect class=\"bar\" data-step=\"\(step)\" x=\"\(SVGText.number(toX(step) - barWidth / 2))\" "
                + "y=\"\(SVGText.number(top))\" width=\"\(SVGText.number(barWidth))\" "
                + "height=\"\(SVGText.number(area.bottom - top))\" fill=\"\(SVGText.color(0))\" fill-opacity=\"0.8\"/>\n"
            if barWidth >= 18 {
                // Inside the bar's top when it is tall enough (clear of the token line), else above it.
                let inside = area.bottom - top >= 18
                s += "<text class=\"bar-label\" x=\"\(SVGText.number(toX(step)))\" "
                    + "y=\"\(SVGText.number(inside ? top + 12 : top - 4))\" text-anchor=\"middle\" font-size=\"10\" "
                    + "fill=\"\(inside ? "#ffffff" : "#333333")\">\(String(format: "%.1f", value * 100))</text>\n"
            }
        }
        let tokenPoints = tokenAccuracy.enumerated().filter { $0.element.isFinite }
        if !tokenPoints.isEmpty {
            var d = ""
            for (n, (index, value)) in tokenPoints.enumerated() {
                d += (n == 0 ? "M" : "L") + SVGText.number(toX(index + 1)) + " " + SVGText.number(toY(value))
            }
            s += "<path class=\"series\" data-series=\"token accuracy\" d=\"\(d)\" fill=\"none\" "
                + "stroke=\"\(SVGText.color(1))\" stroke-width=\"2\"/>\n"
            for (index, value) in tokenPoints {
                s += "<circle cx=\"\(SVGText.number(toX(index + 1)))\" cy=\"\(SVGText.number(toY(value)))\" r=\"3\" "
                    + "fill=\"\(SVGText.color(1))\"/>\n"
            }
        }
        var legend = [(name: "exact accuracy", color: SVGText.color(0))]
        if !tokenPoints.isEmpty { legend.append((name: "token accuracy", color: SVGText.color(1))) }
        s += Self.legendRow(legend, right: area.right, y: area.top - 12)
        return s + "</g>\n"
    }

    /// A one-row legend ending at `right`, centred on `y`, above the plot.
    static func legendRow(_ entries: [(name: String, color: String)], right: Double, y: Double) -> String {
        let widths = entries.map { 30 + Double($0.name.count) * 7 }
        var x = right - widths.reduce(0, +)
        var s = "<g class=\"legend\">\n"
        for (entry, entryWidth) in zip(entries, widths) {
            s += "<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y - 5))\" width=\"16\" height=\"10\" "
                + "fill=\"\(entry.color)\"/>\n"
            s += "<text x=\"\(SVGText.number(x + 21))\" y=\"\(SVGText.number(y + 4))\">\(SVGText.escape(entry.name))</text>\n"
            x += entryWidth
        }
        return s + "</g>\n"
    }
}
