// `trm bench data`, ARC part: versions made per second by the sample stream (every ARC sample is
// a fresh task version) and the process's memory, at each asked number of versions per task.
import Foundation
import TRMNN
import TRMPuzzles

struct ARCStreamBenchmarkLine {
    var versionsPerTask: Int
    var tasks: Int
    var rows: Int
    var identifiers: Int
    var tableBytes: Int
    var tableSeconds: Double
    var result: StreamBenchmarkResult
    var residentBytes: Int
    var peakResidentBytes: Int

    var json: String {
        #"{"impl":"swift-trm","task":"data-stream","puzzle":"arc","arc_versions_per_task":\#(versionsPerTask),"tasks":\#(tasks),"rows":\#(rows),"puzzle_identifiers":\#(identifiers),"version_table_bytes":\#(tableBytes),"version_table_seconds":\#(String(format: "%.3f", tableSeconds)),"batch":\#(result.batchSize),"threads":\#(result.threads),"batches":\#(result.batches),"seconds":\#(String(format: "%.3f", result.seconds)),"versions_per_s":\#(String(format: "%.0f", result.samplesPerSecond)),"resident_bytes":\#(residentBytes),"peak_resident_bytes":\#(peakResidentBytes)}"#
    }

    var text: String {
        String(format: "arc %d versions/task (%d tasks, %d rows, %d identifiers): %.0f versions/s, batch %d, %d thread(s); version table %.1f MB built in %.2f s; resident %.0f MB, peak %.0f MB",
               versionsPerTask, tasks, rows, identifiers, result.samplesPerSecond, result.batchSize, result.threads,
               Double(tableBytes) / 1e6, tableSeconds, Double(residentBytes) / 1e6, Double(peakResidentBytes) / 1e6)
    }
}

enum ARCStreamBenchmark {
    /// The paper's training split: all pairs of the training tasks plus the evaluation tasks'
    /// demonstrations (overlapping training tasks dropped), as `trm data build` writes it.
    static func trainingSet(training: String, evaluation: String?, versions: Int) throws -> PuzzleDataset {
        let train = try ARCTaskLoader.loadFolder(training)
        let eval = try evaluation.map { try ARCTaskLoader.loadFolder($0) } ?? []
        return try ARCDatasetBuilder.build(training: train, evaluation: eval,
                                           options: ARCBuildOptions(versionsPerTask: versions, dropOverlappingTrainingTasks: true)).train
    }

    static func run(training: String, evaluation: String?, versions: Int, batch: Int, threads: Int, seconds: Double) throws -> ARCStreamBenchmarkLine {
        let data = try trainingSet(training: training, evaluation: evaluation, versions: versions)
        let layout = try ARCTaskLayout.of(data)!
        let start = Date()
        let table = ARCVersionTable(layout)
        let tableSeconds = Date().timeIntervalSince(start)
        let r = StreamBenchmark.run(data, batchSize: batch, threads: threads, seconds: seconds)
        // The two numbers come from different counters (/proc/self/statm now, getrusage's peak),
        // which round differently; the peak is at least what is resident now.
        let resident = currentResidentBytes()
        return ARCStreamBenchmarkLine(versionsPerTask: versions, tasks: layout.tasks.count, rows: data.count,
                                      identifiers: layout.identifierCount, tableBytes: table.byteCount, tableSeconds: tableSeconds,
                                      result: r, residentBytes: resident, peakResidentBytes: max(resident, KernelBenchmark.maxResidentBytes))
    }

    /// Resident bytes now (Linux: /proc/self/statm; elsewhere the peak).
    static func currentResidentBytes() -> Int {
        if let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = text.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { return pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        return KernelBenchmark.maxResidentBytes
    }
}
