// SVGPlot: dependency-free SVG line charts (several series, nice axes, legend, optional log-y and
// EMA smoothing) and a grid that puts several charts in one SVG. Output is plain SVG 1.1 that
// browsers, GitHub and rsvg render.

import Foundation

/// One (x, y) sample. A non-finite y leaves a gap in the line.
public struct PlotPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A named line.
public struct PlotSeries: Equatable, Sendable {
    public var name: String
    public var points: [PlotPoint]
    /// A CSS color such as "#1f77b4"; nil picks the next palette color.
    public var color: String?

    public init(name: String, points: [PlotPoint], color: String? = nil) {
        self.name = name
        self.points = points
        self.color = color
    }

    /// Pairs `x[i]` with `y[i]` (the shorter array decides the count).
    public init(name: String, x: [Double], y: [Double], color: String? = nil) {
        self.init(name: name, points: zip(x, y).map { PlotPoint(x: $0, y: $1) }, color: color)
    }
}

/// Anything that draws itself into a `width` x `height` box; charts and grids of charts.
public protocol SVGChart: Sendable {
    var width: Double { get }
    var height: Double { get }
    /// SVG elements in the chart's own coordinates. `idPrefix` keeps element ids unique when
    /// several charts share a document.
    func svgBody(idPrefix: String) -> String
}

extension SVGChart {
    /// A standalone SVG document.
    public func svg() -> String {
        SVGText.document(width: width, height: height, body: svgBody(idPrefix: "c"))
    }
}

/// A line chart with one line per series.
public struct LineChart: SVGChart {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    /// Plot y on a log10 axis; values <= 0 are left out.
    public var logY: Bool
    /// Exponential moving average weight in [0, 1): 0 draws raw values, 0.9 smooths heavily.
    /// The average is bias-corrected so the line starts at the first value.
    public var smoothing: Double
    /// With smoothing on, also draw the raw values as a faint line.
    public var showRawWhenSmoothed: Bool
    /// A fixed y range (e.g. 0...1 for accuracies); nil fits the data.
    public var yRange: ClosedRange<Double>?
    /// Keep x ticks on whole numbers (steps, epochs).
    public var integerX: Bool
    public var width: Double
    public var height: Double
    /// Longer series are thinned to this many points, keeping each bucket's minimum and maximum.
    public var maximumPointsPerSeries: Int

    public init(title: String = "", xLabel: String = "step", yLabel: String = "", series: [PlotSeries],
                logY: Bool = false, smoothing: Double = 0, showRawWhenSmoothed: Bool = true,
                yRange: ClosedRange<Double>? = nil, integerX: Bool = true,
                width: Double = 720, height: Double = 420, maximumPointsPerSeries: Int = 2000) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.smoothing = smoothing
        self.showRawWhenSmoothed = showRawWhenSmoothed
        self.yRange = yRange
        self.integerX = integerX
        self.width = width
        self.height = height
        self.maximumPointsPerSeries = maximumPointsPerSeries
    }

    /// Bias-corrected EMA: s = w*s + (1-w)*x, reported as s / (1 - w^n). Non-finite inputs give
    /// a non-finite output (a gap) and do not disturb the average.
    public static func exponentialMovingAverage(_ values: [Double], weight: Double) -> [Double] {
        let w = min(max(weight, 0), 0.9999)
        var state = 0.0, correction = 1.0
        return values.map { value in
            guard value.isFinite else { return .nan }
            state = w * state + (1 - w) * value
            correction *= w
            return state / (1 - correction)
        }
    }

    public func svgBody(idPrefix: String) -> String {
        let area = PlotArea.standard(width: width, height: height, hasTitle: !title.isEmpty)
        let smoothed = smoothing > 0 && smoothing < 1
        // The lines to draw: (points, color, index, isRaw)
        var lines: [(series: PlotSeries, color: String, raw: Bool)] = []
        for (index, s) in series.enumerated() {
            let color = s.color ?? SVGText.color(index)
            var clean = s.points.filter { $0.x.isFinite }
            if logY { clean = clean.map { PlotPoint(x: $0.x, y: $0.y > 0 ? $0.y : .nan) } }
            if smoothed {
                if showRawWhenSmoothed { lines.append((PlotSeries(name: s.name, points: clean), color, true)) }
                let ys = Self.exponentialMovingAverage(clean.map(\.y), weight: smoothing)
                lines.append((PlotSeries(name: s.name, x: clean.map(\.x), y: ys), color, false))
            } else {
                lines.append((PlotSeries(name: s.name, points: clean), color, false))
            }
        }

        let finite = lines.flatMap { $0.series.points.filter { $0.y.isFinite } }
        let hasData = !finite.isEmpty
        let xTicks = AxisTicks.linear(minimum: finite.map(\.x).min() ?? 0, maximum: finite.map(\.x).max() ?? 1,
                                      count: 6, integerStep: integerX)
        var yMin = finite.map(\.y).min() ?? (logY ? 0.1 : 0)
        var yMax = finite.map(\.y).max() ?? 1
        if let yRange, !logY || yRange.lowerBound > 0 {
            yMin = yRange.lowerBound; yMax = yRange.upperBound
        }
        let yTicks = logY ? AxisTicks.logarithmic(minimum: yMin, maximum: yMax)
                          : AxisTicks.linear(minimum: yMin, maximum: yMax, count: 6)
        func toY(_ value: Double) -> Double {
            let (v, lo, hi) = logY ? (log10(value), log10(yTicks.lower), log10(yTicks.upper))
                                   : (value, yTicks.lower, yTicks.upper)
            return area.bottom - (v - lo) / (hi - lo) * area.height
        }
        func toX(_ value: Double) -> Double {
            area.left + (value - xTicks.lower) / (xTicks.upper - xTicks.lower) * area.width
        }

        var s = "<g class=\"line-chart\">\n"
        s += area.frame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel,
                        xTicks: xTicks.ticks.map { (toX($0.value), $0.label) },
                        yTicks: yTicks.ticks.map { (toY($0.value), $0.label) })
        let clip = "\(idPrefix)-clip"
        s += "<clipPath id=\"\(clip)\"><rect x=\"\(SVGText.number(area.left))\" y=\"\(SVGText.number(area.top))\" "
            + "width=\"\(SVGText.number(area.width))\" height=\"\(SVGText.number(area.height))\"/></clipPath>\n"
        var legend: [(name: String, color: String)] = []
        var drawn: [(x: Double, y: Double)] = []  // pixel positions, to keep the legend off the data
        for line in lines {
            let d = Self.pathData(line.series.points, budget: maximumPointsPerSeries, x: toX, y: toY)
            guard !d.isEmpty else { continue }
            let cls = line.raw ? "series-raw" : "series"
            let stroke = line.raw ? "stroke-width=\"1\" stroke-opacity=\"0.25\"" : "stroke-width=\"1.8\""
            s += "<path class=\"\(cls)\" data-series=\"\(SVGText.escape(line.series.name))\" d=\"\(d)\" fill=\"none\" "
                + "stroke=\"\(line.color)\" \(stroke) stroke-linejoin=\"round\" stroke-linecap=\"round\" "
                + "clip-path=\"url(#\(clip))\"/>\n"
            if !line.raw { legend.append((line.series.name, line.color)) }
            let stride = max(1, line.series.points.count / 400)
            for index in Swift.stride(from: 0, to: line.series.points.count, by: stride) {
                let point = line.series.points[index]
                if point.y.isFinite { drawn.append((toX(point.x), toY(point.y))) }
            }
        }
        if !hasData {
            s += "<text class=\"no-data\" x=\"\(SVGText.number(area.left + area.width / 2))\" "
                + "y=\"\(SVGText.number(area.top + area.height / 2))\" text-anchor=\"middle\" fill=\"#999999\">no data</text>\n"
        }
        s += area.legend(legend, corner: area.quietestCorner(legend, points: drawn))
        return s + "</g>\n"
    }

    /// SVG path data for `points`: a new subpath after each gap, thinned to about `budget`
    /// points by keeping each bucket's lowest and highest sample. A lone point becomes a dot.
    static func pathData(_ points: [PlotPoint], budget: Int, x: (Double) -> Double, y: (Double) -> Double) -> String {
        var runs: [[PlotPoint]] = [[]]
        for point in points {
            if point.y.isFinite { runs[runs.count - 1].append(point) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        let total = runs.reduce(0) { $0 + $1.count }
        guard total > 0 else { return "" }
        let bucket = total > budget ? Int((Double(total) / Double(max(2, budget) / 2)).rounded(.up)) : 1
        var d = ""
        for run in runs where !run.isEmpty {
            let kept = bucket > 1 ? thin(run, bucket: bucket) : run
            for (index, point) in kept.enumerated() {
                d += (index == 0 ? "M" : "L") + SVGText.number(x(point.x)) + " " + SVGText.number(y(point.y))
            }
            if kept.count == 1 { d += "h0" }
        }
        return d
    }

    /// Keeps, from each run of `bucket` points, the lowest and the highest, in their order.
    static func thin(_ run: [PlotPoint], bucket: Int) -> [PlotPoint] {
        var out: [PlotPoint] = []
        var start = 0
        while start < run.count {
            let end = min(run.count, start + bucket)
            var low = start, high = start
            for i in start..<end {
                if run[i].y < run[low].y { low = i }
                if run[i].y > run[high].y { high = i }
            }
            for i in [min(low, high), max(low, high)] where out.last != run[i] { out.append(run[i]) }
            start = end
        }
        if let last = run.last, out.last != last { out.append(last) }
        return out
    }
}

/// Several charts tiled in rows of `columns`, one SVG document.
public struct ChartGrid: SVGChart {
    public var charts: [any SVGChart]
    public var columns: Int
    public var title: String

    public init(charts: [any SVGChart], columns: Int = 2, title: String = "") {
        self.charts = charts
        self.columns = max(1, columns)
        self.title = title
    }

    private var titleHeight: Double { title.isEmpty ? 0 : 34 }
    private var cellWidth: Double { charts.map(\.width).max() ?? 0 }
    private var cellHeight: Double { charts.map(\.height).max() ?? 0 }
    private var rows: Int { (charts.count + columns - 1) / columns }

    public var width: Double { cellWidth * Double(min(columns, max(1, charts.count))) }
    public var height: Double { titleHeight + cellHeight * Double(rows) }

    public func svgBody(idPrefix: String) -> String {
        var s = ""
        if !title.isEmpty {
            s += "<text class=\"grid-title\" x=\"\(SVGText.number(width / 2))\" y=\"24\" text-anchor=\"middle\" "
                + "font-size=\"17\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
        }
        for (index, chart) in charts.enumerated() {
            let x = Double(index % columns) * cellWidth
            let y = titleHeight + Double(index / columns) * cellHeight
            s += "<g class=\"panel\" transform=\"translate(\(SVGText.number(x)) \(SVGText.number(y)))\">\n"
            s += chart.svgBody(idPrefix: "\(idPrefix)-\(index)")
            s += "</g>\n"
        }
        return s
    }
}
