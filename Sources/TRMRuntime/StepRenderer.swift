// StepRenderer: draws a predicted grid for a terminal with the cells that changed since the previous
// supervision step highlighted: ANSI colours (black on yellow) when `ansi`, else a `*` after each
// changed cell. Given cells (Sudoku clues, maze walls) are bold in colour mode.
import Foundation
import TRMPuzzles

public enum StepRenderer {
    public enum Style: Sendable { case ansi, plain }

    static let reset = "\u{1B}[0m", bold = "\u{1B}[1m", changedColour = "\u{1B}[30;43m", predictedColour = "\u{1B}[36m"

    /// The grid of `prediction` (tokens [seqLen]); `changed` holds row-major cell indices.
    public static func grid(_ question: PuzzleQuestion, prediction: [Int32], changed: Set<Int>, style: Style) -> String {
        let (rows, cols) = question.shape
        guard prediction.count == rows * cols else { return "(prediction has \(prediction.count) cells)" }
        let given = question.givenCells
        var rowRange = 0..<rows, colRange = 0..<cols
        if case .arc = question { (rowRange, colRange) = arcWindow(question.tokens, prediction) }
        func cell(_ i: Int) -> String {
            let ch = String(question.character(prediction[i]))
            switch style {
            case .plain: return ch + (changed.contains(i) ? "*" : " ")
            case .ansi:
                if changed.contains(i) { return changedColour + ch + reset + " " }
                if given.contains(i) { return bold + ch + reset + " " }
                return predictedColour + ch + reset + " "
            }
        }
        var lines: [String] = []
        if question.kind == .sudoku {
            let box = rows == 4 ? 2 : 3
            let rule = "+" + Array(repeating: String(repeating: "-", count: 2 * box + 1), count: rows / box).joined(separator: "+") + "+"
            for r in 0..<rows {
                if r % box == 0 { lines.append(rule) }
                var line = ""
                for c in 0..<cols {
                    if c % box == 0 { line += "| " }
                    line += cell(r * cols + c)
                }
                lines.append(line + "|")
            }
            lines.append(rule)
        } else {
            for r in rowRange { lines.append(colRange.map { cell(r * cols + $0) }.joined()) }
        }
        return lines.joined(separator: "\n")
    }

    /// One status line: step, halting confidence with a bar, cells changed.
    public static func status(step: Int, maxSteps: Int, haltProbability: Float, threshold: Float?, changed: Int) -> String {
        let width = 20
        let filled = max(0, min(width, Int((Double(haltProbability) * Double(width)).rounded())))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let t = threshold.map { String(format: " (halts above %.2f)", $0) } ?? ""
        return String(format: "step %d/%d  halting confidence %.3f [%@]%@  %d cell%@ changed",
                      step, maxSteps, haltProbability, bar, t, changed, changed == 1 ? "" : "s")
    }

    /// ARC: the canvas rows/columns that hold anything (question or prediction), at least 1x1.
    static func arcWindow(_ a: [Int32], _ b: [Int32]) -> (Range<Int>, Range<Int>) {
        let side = ARCCanvas.side
        var maxR = 0, maxC = 0
        for i in 0..<min(a.count, b.count) where a[i] != ARCCanvas.padToken || b[i] != ARCCanvas.padToken {
            maxR = max(maxR, i / side); maxC = max(maxC, i % side)
        }
        return (0..<(maxR + 1), 0..<(maxC + 1))
    }
}
