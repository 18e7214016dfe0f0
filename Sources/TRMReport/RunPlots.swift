// RunPlots: reads a run directory's metrics.jsonl and writes its charts next to it:
//   loss.svg           loss, lm_loss, q_halt_loss (log y when all positive, EMA-smoothed)
//   accuracy.svg       token_accuracy, exact_accuracy (0 to 1)
//   halting_steps.svg  mean_steps (supervision steps used before halting)
//   lr.svg             learning rate
//   training.svg       the four above as panels of one figure
//   heldout.svg        the periodic evaluations' exact and token accuracy (eval_* fields) against
//                      training time, when the run evaluated on test data
// plus a .png of each when a working converter is on PATH (see PNGConverter).

import Foundation
import TRMFiles

/// What ``RunPlots/write(runDirectory:smoothing:png:searchPath:)`` produced.
public struct RunPlotsResult: Sendable {
    /// The SVG files written, in the order listed above.
    public var svgFiles: [URL]
    /// PNG copies; empty when no converter worked or PNGs were not asked for.
    public var pngFiles: [URL]
    /// The converter used, if any.
    public var converter: PNGConverter?
    /// One human sentence on what was written, e.g. "wrote 5 SVG charts; PNG skipped: ...".
    public var summary: String
    /// How many metrics records were plotted.
    public var recordCount: Int
    /// Whether the log ended in a partial line (a killed run); that line was ignored.
    public var truncatedLastLine: Bool
    /// Lines of the log that could not be parsed and were skipped.
    public var malformedLines: [MalformedMetricsLine]
}

/// The standard charts of a training run.
public enum RunPlots {
    /// The chart files, without extension, in the order written.
    public static let chartNames = ["loss", "accuracy", "halting_steps", "lr", "training"]

    /// Reads `<runDirectory>/metrics.jsonl` and writes the charts into `runDirectory`.
    /// - Parameters:
    ///   - smoothing: EMA weight for loss and accuracy lines (0 = raw); see ``LineChart/smoothing``.
    ///   - png: also write PNGs when a converter works.
    ///   - searchPath: where to look for converters (default: $PATH).
    /// - Throws: ``MetricsLogError`` if the log cannot be read, ``FileWriteError`` if a chart
    ///   cannot be written.
    public static func write(runDirectory: URL, smoothing: Double = 0.9, png: Bool = true,
                             searchPath: String? = nil) throws -> RunPlotsResult {
        let log = try MetricsLogReader.read(runDirectory.appendingPathComponent(MetricsLogReader.fileName))
        var named: [(String, any SVGChart)] = Array(zip(chartNames, makeCharts(log.records, smoothing: smoothing)))
        if let heldOut = heldOutChart(log.records) { named.append((heldOutChartName, heldOut)) }
        var svgFiles: [URL] = []
        for (name, chart) in named {
            let url = runDirectory.appendingPathComponent("\(name).svg")
            try AtomicFile.write(chart.svg(), to: url)
            svgFiles.append(url)
        }
        var pngFiles: [URL] = []
        var converter: PNGConverter? = nil
        var pngNote: String
        if !png {
            pngNote = "PNG not requested"
        } else if let found = PNGConverter.find(searchPath: searchPath) {
            converter = found
            for svg in svgFiles {
                let out = svg.deletingPathExtension().appendingPathExtension("png")
                if found.convert(svg: svg, to: out) { pngFiles.append(out) }
            }
            pngNote = "\(pngFiles.count) PNG via \(found.executable)"
        } else {
            pngNote = "PNG skipped: no working rsvg-convert, magick or convert on PATH (SVG only)"
        }
        var summary = "wrote \(svgFiles.count) SVG charts from \(log.records.count) records in "
            + "\(runDirectory.path); \(pngNote)"
        if log.truncatedLastLine { summary += "; ignored a partial last line" }
        if !log.malformedLines.isEmpty { summary += "; skipped \(log.malformedLines.count) malformed line(s)" }
        return RunPlotsResult(svgFiles: svgFiles, pngFiles: pngFiles, converter: converter, summary: summary,
                              recordCount: log.records.count, truncatedLastLine: log.truncatedLastLine,
                              malformedLines: log.malformedLines)
    }

    /// The chart of held-out accuracy against training time, written when the run evaluated.
    public static let heldOutChartName = "heldout"

    /// Held-out exact accuracy (all steps, and with early halting) and token accuracy from the
    /// periodic evaluations (`eval_*` fields), against the run's wall time in minutes; nil when no
    /// record holds an evaluation or none has `elapsed_seconds`.
    public static func heldOutChart(_ records: [MetricsRecord]) -> LineChart? {
        let evaluated = records.filter { $0.extra["eval_exact_accuracy"] != nil && $0.elapsedSeconds != nil }
        guard !evaluated.isEmpty else { return nil }
        func series(_ key: String, _ name: String) -> PlotSeries? {
            let points = evaluated.compactMap { r in r.extra[key].map { PlotPoint(x: r.elapsedSeconds! / 60, y: $0) } }
            return points.isEmpty ? nil : PlotSeries(name: name, points: points)
        }
        return LineChart(title: "Held-out accuracy against training time", xLabel: "training time (minutes)",
                         yLabel: "accuracy",
                         series: [series("eval_exact_accuracy", "exact (all steps)"),
                                  series("eval_halting_exact_accuracy", "exact (early halting)"),
                                  series("eval_token_accuracy", "token")].compactMap { $0 },
                         yRange: 0...1, integerX: false)
    }

    /// The five charts for `records`, in ``chartNames`` order (the last is the combined grid).
    public static func makeCharts(_ records: [MetricsRecord], smoothing: Double = 0.9) -> [any SVGChart] {
        func series(_ key: String, _ name: String? = nil) -> PlotSeries? {
            let points = records.compactMap { record in record[key].map { PlotPoint(x: Double(record.step), y: $0) } }
            return points.isEmpty ? nil : PlotSeries(name: name ?? key, points: points)
        }
        let lossSeries = ["loss", "lm_loss", "q_halt_loss"].compactMap { series($0) }
        let positive = lossSeries.allSatisfy { $0.points.allSatisfy { !$0.y.isFinite || $0.y > 0 } }
        let loss = LineChart(title: "Loss", yLabel: positive ? "loss (log scale)" : "loss", series: lossSeries,
                             logY: positive && !lossSeries.isEmpty, smoothing: smoothing)
        let accuracy = LineChart(title: "Training accuracy", yLabel: "accuracy",
                                 series: ["token_accuracy", "exact_accuracy"].compactMap { series($0) },
                                 smoothing: smoothing, yRange: 0...1)
        let halting = LineChart(title: "Supervision steps before halting", yLabel: "mean steps",
                                series: [series("mean_steps")].compactMap { $0 }, smoothing: smoothing)
        let lr = LineChart(title: "Learning rate", yLabel: "lr", series: [series("lr")].compactMap { $0 })
        let panels = [loss, accuracy, halting, lr].map { chart -> LineChart in
            var panel = chart
            panel.width = 560; panel.height = 340
            return panel
        }
        return [loss, accuracy, halting, lr, ChartGrid(charts: panels, columns: 2, title: "Training")]
    }
}
