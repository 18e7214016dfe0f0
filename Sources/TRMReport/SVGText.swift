// SVGText: the few string helpers every chart needs: XML escaping, compact coordinates, the
// shared color palette, and the axes-and-grid frame that line and bar charts both draw.

import Foundation

enum SVGText {
    /// Series colors (the familiar ten-color categorical palette).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    /// Text safe inside an XML element or a double-quoted attribute. Characters XML 1.0 forbids
    /// (most control characters) are dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with one decimal ("12.3"), never "nan".
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }

    /// Wraps chart bodies in a standalone SVG document with a white background.
    static func document(width: Double, height: Double, body: String) -> String {
        let w = number(width), h = number(height)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>
            \(body)</svg>

            """
    }
}

/// The rectangle data is drawn in, inside a chart of `width` x `height`.
struct PlotArea: Sendable {
    var left: Double, top: Double, width: Double, height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }

    static func standard(width: Double, height: Double, hasTitle: Bool) -> PlotArea {
        let left = 64.0, right = 18.0, top = hasTitle ? 36.0 : 14.0, bottom = 48.0
        return PlotArea(left: left, top: top, width: max(10, width - left - right),
                        height: max(10, height - top - bottom))
    }

    /// Draws the title, grid, axis lines, tick labels and axis labels. `xTicks`/`yTicks` give a
    /// pixel position and a label.
    func frame(width: Double, height: Double, title: String, xLabel: String, yLabel: String,
               xTicks: [(position: Double, label: String)], yTicks: [(position: Double, label: String)]) -> String {
        var s = ""
        if !title.isEmpty {
            s += "<text class=\"title\" x=\"\(SVGText.number(width / 2))\" y=\"22\" text-anchor=\"middle\" "
                + "font-size=\"15\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
        }
        s += "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n"
        for tick in yTicks {
            let y = SVGText.number(tick.position)
            s += "<line x1=\"\(SVGText.number(left))\" y1=\"\(y)\" x2=\"\(SVGText.number(right))\" y2=\"\(y)\"/>\n"
        }
        for tick in xTicks {
            let x = SVGText.number(tick.position)
            s += "<line x1=\"\(x)\" y1=\"\(SVGText.number(top))\" x2=\"\(x)\" y2=\"\(SVGText.number(bottom))\"/>\n"
        }
        s += "</g>\n<g class=\"axes\" fill=\"#333333\">\n"
        s += "<rect x=\"\(SVGText.number(left))\" y=\"\(SVGText.number(top))\" width=\"\(SVGText.number(self.width))\" "
            + "height=\"\(SVGText.number(self.height))\" fill=\"none\" stroke=\"#888888\"/>\n"
        for tick in yTicks {
            s += "<text x=\"\(SVGText.number(left - 6))\" y=\"\(SVGText.number(tick.position + 4))\" "
                + "text-anchor=\"end\">\(SVGText.escape(tick.label))</text>\n"
        }
        for tick in xTicks {
            s += "<text x=\"\(SVGText.number(tick.position))\" y=\"\(SVGText.number(bottom + 16))\" "
                + "text-anchor=\"middle\">\(SVGText.escape(tick.label))</text>\n"
        }
        if !xLabel.isEmpty {
            s += "<text class=\"x-label\" x=\"\(SVGText.number(left + self.width / 2))\" y=\"\(SVGText.number(height - 8))\" "
                + "text-anchor=\"middle\">\(SVGText.escape(xLabel))</text>\n"
        }
        if !yLabel.isEmpty {
            let cx = 14.0, cy = top + self.height / 2
            s += "<text class=\"y-label\" x=\"\(SVGText.number(cx))\" y=\"\(SVGText.number(cy))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 \(SVGText.number(cx)) \(SVGText.number(cy)))\">\(SVGText.escape(yLabel))</text>\n"
        }
        return s + "</g>\n"
    }

    /// Where a legend box sits inside the plot area.
    enum Corner: CaseIterable { case topRight, topLeft, bottomRight, bottomLeft }

    /// The legend box's size for these names.
    static func legendSize(_ entries: [(name: String, color: String)]) -> (width: Double, height: Double) {
        let longest = entries.map(\.name.count).max() ?? 0
        return (34 + Double(longest) * 7, Double(entries.count) * 16 + 8)
    }

    /// The legend box's top-left corner when placed in `corner`.
    func legendOrigin(_ entries: [(name: String, color: String)], corner: Corner) -> (x: Double, y: Double) {
        let size = Self.legendSize(entries)
        let x = (corner == .topLeft || corner == .bottomLeft) ? left + 8 : right - size.width - 8
        let y = (corner == .topLeft || corner == .topRight) ? top + 8 : bottom - size.height - 8
        return (x, y)
    }

    /// The corner whose legend box covers the fewest of `points` (pixel coordinates), preferring
    /// top-right, then top-left, bottom-right, bottom-left.
    func quietestCorner(_ entries: [(name: String, color: String)], points: [(x: Double, y: Double)]) -> Corner {
        let size = Self.legendSize(entries)
        var best = Corner.topRight, fewest = Int.max
        for corner in Corner.allCases {
            let origin = legendOrigin(entries, corner: corner)
            let covered = points.reduce(0) { count, p in
                count + (p.x >= origin.x - 4 && p.x <= origin.x + size.width + 4
                         && p.y >= origin.y - 4 && p.y <= origin.y + size.height + 4 ? 1 : 0)
            }
            if covered < fewest { best = corner; fewest = covered }
        }
        return best
    }

    /// A legend box in `corner` of the plot: a swatch and a name per entry.
    func legend(_ entries: [(name: String, color: String)], corner: Corner = .topRight) -> String {
        guard !entries.isEmpty else { return "" }
        let (boxWidth, boxHeight) = Self.legendSize(entries)
        let rowHeight = 16.0
        let (x, y) = legendOrigin(entries, corner: corner)
        var s = "<g class=\"legend\">\n<rect x=\"\(SVGText.number(x))\" y=\"\(SVGText.number(y))\" "
            + "width=\"\(SVGText.number(boxWidth))\" height=\"\(SVGText.number(boxHeight))\" "
            + "fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n"
        for (index, entry) in entries.enumerated() {
            let rowY = y + 4 + Double(index) * rowHeight + rowHeight / 2
            s += "<line x1=\"\(SVGText.number(x + 6))\" y1=\"\(SVGText.number(rowY))\" x2=\"\(SVGText.number(x + 24))\" "
                + "y2=\"\(SVGText.number(rowY))\" stroke=\"\(entry.color)\" stroke-width=\"2.5\"/>\n"
            s += "<text x=\"\(SVGText.number(x + 30))\" y=\"\(SVGText.number(rowY + 4))\">\(SVGText.escape(entry.name))</text>\n"
        }
        return s + "</g>\n"
    }
}
