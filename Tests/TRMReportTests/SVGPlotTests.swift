// SVGPlotTests: tick choice, and charts that are well-formed XML with the right number of lines,
// bars and panels, whatever the data (gaps, one point, nothing, hostile names).

import Foundation
import Testing
@testable import TRMReport

@Suite struct AxisTicksTests {
    @Test func linearTicksAreNiceAndCoverTheData() {
        let ticks = AxisTicks.linear(minimum: 0.13, maximum: 0.87, count: 6)
        #expect(ticks.lower <= 0.13 && ticks.upper >= 0.87)
        #expect(ticks.ticks.map(\.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let steps = AxisTicks.linear(minimum: 1, maximum: 20_000, count: 6, integerStep: true)
        #expect(steps.ticks.map(\.label) == ["0", "5k", "10k", "15k", "20k"])
        let few = AxisTicks.linear(minimum: 1, maximum: 3, count: 6, integerStep: true)
        #expect(few.ticks.map(\.value) == [1, 2, 3])
        let negative = AxisTicks.linear(minimum: -0.3, maximum: 0.3)
        #expect(negative.ticks.contains { $0.label == "0" })
        #expect(!negative.ticks.contains { $0.label.hasPrefix("-0.0") })
    }

    @Test func degenerateRangesStillGiveTicks() {
        for (low, high) in [(5.0, 5.0), (0.0, 0.0), (Double.nan, 1), (3, -3), (-.infinity, .infinity)] {
            let ticks = AxisTicks.linear(minimum: low, maximum: high)
            #expect(ticks.ticks.count >= 2, "\(low)...\(high)")
            #expect(ticks.lower < ticks.upper)
            #expect(ticks.ticks.allSatisfy { $0.value.isFinite })
        }
    }

    @Test func logTicksAreDecades() {
        let wide = AxisTicks.logarithmic(minimum: 0.004, maximum: 7)
        #expect(wide.ticks.map(\.label) == ["0.001", "0.01", "0.1", "1", "10"])
        let narrow = AxisTicks.logarithmic(minimum: 0.3, maximum: 0.9)
        #expect(narrow.ticks.map(\.label) == ["0.1", "0.2", "0.5", "1"])
        let huge = AxisTicks.logarithmic(minimum: 1e-9, maximum: 1e9)
        #expect(huge.ticks.count <= 10)
        #expect(huge.ticks.first?.label == "1e-9")
        #expect(AxisTicks.compactExponent(2.5e-5) == "2.5e-5")
        #expect(AxisTicks.compactExponent(1e-4) == "1e-4")
        #expect(AxisTicks.compactExponent(-3e7) == "-3e7")
        let small = AxisTicks.linear(minimum: 0, maximum: 1e-4)
        #expect(small.ticks.map(\.label) == ["0", "2e-5", "4e-5", "6e-5", "8e-5", "1e-4"])
        let invalid = AxisTicks.logarithmic(minimum: -1, maximum: 0)
        #expect(invalid.lower > 0 && invalid.upper > invalid.lower)
    }
}

@Suite struct SVGPlotTests {
    static func ramp(_ name: String, count: Int = 50, scale: Double = 1) -> PlotSeries {
        PlotSeries(name: name, x: (1...count).map(Double.init), y: (1...count).map { scale / Double($0) })
    }

    @Test func lineChartIsWellFormedWithOnePathPerSeries() throws {
        let chart = LineChart(title: "Loss", yLabel: "loss", series: [Self.ramp("a"), Self.ramp("b", scale: 2), Self.ramp("c", scale: 3)])
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.rootName == "svg")
        #expect(summary.classes["series"] == 3)
        #expect(summary.classes["series-raw"] == nil)
        #expect(summary.classes["legend"] == 1)
        #expect(summary.text.contains("Loss"))
    }

    @Test func smoothingAddsFaintRawLinesAndLogYWorks() throws {
        let chart = LineChart(series: [Self.ramp("a"), Self.ramp("b")], logY: true, smoothing: 0.9)
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.classes["series"] == 2)
        #expect(summary.classes["series-raw"] == 2)
        var noRaw = chart
        noRaw.showRawWhenSmoothed = false
        #expect(SVGSummary.parse(noRaw.svg())?.classes["series-raw"] == nil)
    }

    @Test func emaIsBiasCorrectedAndSkipsGaps() {
        let smoothed = LineChart.exponentialMovingAverage([2, 2, .nan, 2], weight: 0.9)
        #expect(smoothed[0] == 2 && abs(smoothed[1] - 2) < 1e-12 && smoothed[2].isNaN && abs(smoothed[3] - 2) < 1e-12)
        #expect(LineChart.exponentialMovingAverage([1, 3], weight: 0) == [1, 3])
    }

    @Test func legendAvoidsTheData() {
        let area = PlotArea(left: 0, top: 0, width: 400, height: 300)
        let entries = [(name: "token_accuracy", color: "#000000")]
        // A line rising from bottom-left to top-right: the top-left corner is empty.
        let rising = (0...100).map { (x: Double($0) * 4, y: 300 - Double($0) * 3) }
        #expect(area.quietestCorner(entries, points: rising) == .topLeft)
        #expect(area.quietestCorner(entries, points: []) == .topRight)
    }

    @Test func gapsSplitTheLine() throws {
        var points = (1...10).map { PlotPoint(x: Double($0), y: Double($0)) }
        points[4].y = .nan
        points[7].y = .infinity
        let chart = LineChart(series: [PlotSeries(name: "gappy", points: points)])
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.seriesPaths.count == 1)
        #expect(summary.seriesPaths[0].filter { $0 == "M" }.count == 3)
        #expect(!summary.seriesPaths[0].contains("nan"))
    }

    @Test func logYDropsNonPositiveValues() throws {
        let chart = LineChart(series: [PlotSeries(name: "z", x: [1, 2, 3, 4], y: [1, 0, -1, 0.5])], logY: true)
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.seriesPaths.first?.filter { $0 == "M" }.count == 2)
    }

    @Test func emptyAndSinglePointChartsAreValid() throws {
        let empty = try #require(SVGSummary.parse(LineChart(title: "nothing", series: []).svg()))
        #expect(empty.classes["no-data"] == 1)
        #expect(empty.classes["series"] == nil)
        let allNaN = try #require(SVGSummary.parse(LineChart(series: [PlotSeries(name: "n", x: [1], y: [.nan])]).svg()))
        #expect(allNaN.classes["no-data"] == 1)
        let one = try #require(SVGSummary.parse(LineChart(series: [PlotSeries(name: "p", x: [5], y: [0.3])]).svg()))
        #expect(one.seriesPaths == [one.seriesPaths[0]] && one.seriesPaths[0].hasSuffix("h0"))
    }

    @Test func hostileNamesAreEscaped() throws {
        let name = "a<b>&\"c\" 'd' \u{01}"
        let chart = LineChart(title: name, xLabel: name, yLabel: name, series: [PlotSeries(name: name, x: [1, 2], y: [1, 2])])
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.text.contains("a<b>&\"c\" 'd' "))
    }

    @Test func longSeriesAreThinnedButKeepSpikes() throws {
        var y = (0..<100_000).map { _ in 1.0 }
        y[54_321] = 50
        let chart = LineChart(series: [PlotSeries(name: "long", x: (0..<100_000).map(Double.init), y: y)],
                              maximumPointsPerSeries: 1000)
        let summary = try #require(SVGSummary.parse(chart.svg()))
        let d = try #require(summary.seriesPaths.first)
        let points = d.filter { $0 == "L" || $0 == "M" }.count
        #expect(points <= 1100)
        // The spike survives thinning: one point lies far above the flat line.
        let ys = d.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { Double($0.split(separator: " ").last ?? "") }
        #expect((ys.min() ?? 0) < (ys.max() ?? 0) - 100)
    }

    @Test func gridHasOnePanelPerChartAndUniqueIds() throws {
        let charts: [any SVGChart] = (0..<4).map { LineChart(title: "panel \($0)", series: [Self.ramp("s\($0)")], width: 400, height: 300) }
        let grid = ChartGrid(charts: charts, columns: 2, title: "Training")
        #expect(grid.width == 800 && grid.height == 634)
        let summary = try #require(SVGSummary.parse(grid.svg()))
        #expect(summary.classes["panel"] == 4)
        #expect(summary.classes["series"] == 4)
        #expect(Set(summary.ids).count == summary.ids.count && summary.ids.count == 4)
    }

    @Test func stepAccuracyChartHasABarPerStep() throws {
        let exact = (1...16).map { Double($0) / 16 }
        let chart = StepAccuracyChart(exactAccuracy: exact, tokenAccuracy: exact.map { min(1, $0 + 0.1) })
        let summary = try #require(SVGSummary.parse(chart.svg()))
        #expect(summary.classes["bar"] == 16)
        #expect(summary.classes["series"] == 1)
        #expect(summary.elements["circle"] == 16)
        let bare = try #require(SVGSummary.parse(StepAccuracyChart(exactAccuracy: []).svg()))
        #expect(bare.classes["bar"] == nil)
        let odd = try #require(SVGSummary.parse(StepAccuracyChart(exactAccuracy: [.nan, 2, -1]).svg()))
        #expect(odd.classes["bar"] == 2)
    }
}
