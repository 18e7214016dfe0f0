// Raw puzzle files (CSV, plain lines, grid JSONL, ARC JSON folders) -> validated datasets.
// Detects the kind from the content when not told, and either stops at the first bad row (naming
// file, line and reason) or skips bad rows and counts them.
import Foundation

public struct LoadOptions: Sendable, Equatable {
    /// Nil: detect from the content.
    public var kind: PuzzleKind?
    /// Count and skip bad rows instead of stopping.
    public var skipInvalid: Bool
    /// Keep at most this many examples per file.
    public var limit: Int?
    /// For `grid` CSV imports: the alphabet and shape (JSONL files carry their own header).
    public var gridSpec: GridTaskSpec?
    /// For ARC: versions per task and seed.
    public var arc: ARCBuildOptions

    public init(kind: PuzzleKind? = nil, skipInvalid: Bool = false, limit: Int? = nil,
                gridSpec: GridTaskSpec? = nil, arc: ARCBuildOptions = ARCBuildOptions()) {
        self.kind = kind
        self.skipInvalid = skipInvalid
        self.limit = limit
        self.gridSpec = gridSpec
        self.arc = arc
    }
}

/// The result of loading: the dataset, what was skipped, and where it came from.
public struct LoadedPuzzles: Sendable {
    public var dataset: PuzzleDataset
    public var report: SkipReport
    public var sources: [String]
    /// Sudoku and maze rows as records (for `show` and `check`); empty for other kinds.
    public var sudoku: [SudokuRecord] = []
    public var mazes: [MazeRecord] = []
}

public enum PuzzleLoader {
    /// Guesses the kind of a file or folder from its content.
    public static func detectKind(path: String) throws(DataError) -> PuzzleKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue || path.hasSuffix(".json") { return .arc }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            head = try handle.read(upToCount: 8192) ?? Data()
        } catch { throw .unreadable(file: path, reason: error.localizedDescription) }
        if DatasetFile.looksLikeDatasetFile(head) {
            throw .unknownKind(file: path, reason: "this is a built dataset file; use `trm data stats`")
        }
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline)
        guard let first = lines.first(where: { !$0.isEmpty }) else { throw .empty(file: path) }
        if first.hasPrefix("{") { return first.contains("\"train\"") ? .arc : .grid }
        // The first row that looks like a puzzle decides: a bad first row (too short, a typo)
        // must not hide the kind of the rows after it.
        var rows = lines.filter { !$0.isEmpty }[...]
        var questionColumn: Int?
        if first.lowercased().contains("question") {
            let header = first.lowercased().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            questionColumn = header.firstIndex(of: "question")
            rows = rows.dropFirst()
            guard !rows.isEmpty else { throw .empty(file: path) }
        }
        for line in rows.prefix(64) {
            // The question column when a header names it, else any field (rows without a header
            // may start with a source column).
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let candidates = questionColumn.map { $0 < fields.count ? [fields[$0]] : [] } ?? fields
            if let kind = candidates.lazy.compactMap({ recognise(String($0)) }).first { return kind }
        }
        throw .unknownKind(file: path, reason: "no puzzle among the first rows is 81 Sudoku cells or a maze of '#', ' ', 'S', 'G'")
    }

    /// The kind one question field looks like, if any.
    static func recognise(_ sample: String) -> PuzzleKind? {
        let bytes = Set(sample.utf8)
        if sample.utf8.count == 81 && bytes.isSubset(of: Set(".0123456789".utf8)) { return .sudoku }
        if bytes.isSubset(of: Set("# SGo".utf8)) && bytes.contains(UInt8(ascii: "#")) { return .maze }
        return nil
    }

    /// Loads one or more files of the same kind into one dataset.
    public static func load(paths: [String], options: LoadOptions = LoadOptions()) throws(DataError) -> LoadedPuzzles {
        guard let firstPath = paths.first else { throw .invalidArgument("no input files") }
        if let limit = options.limit, limit < 1 { throw .invalidArgument("--limit must be at least 1, got \(limit)") }
        let kind: PuzzleKind
        if let k = options.kind { kind = k } else { kind = try detectKind(path: firstPath) }
        var report = SkipReport()
        switch kind {
        case .sudoku:
            var records: [SudokuRecord] = []
            for path in paths {
                let rows = try limited(PuzzleRowReader.readAll(path: path), options.limit)
                records.reserveCapacity(records.count + rows.count)
                for row in rows {
                    do throws(DataError) {
                        records.append(try SudokuRecord.parse(row.get(), file: path))
                        report.accepted += 1
                    } catch {
                        if options.skipInvalid { report.record(error) } else { throw error }
                    }
                }
            }
            try requireSome(report, paths)
            var loaded = LoadedPuzzles(dataset: .sudoku(records), report: report, sources: paths)
            loaded.sudoku = records
            return loaded
        case .maze:
            var records: [MazeRecord] = []
            var side: Int?
            for path in paths {
                for row in try limited(PuzzleRowReader.readAll(path: path), options.limit) {
                    do throws(DataError) {
                        let r = try MazeRecord.parse(row.get(), file: path, side: side)
                        side = side ?? r.question.side
                        records.append(r)
                        report.accepted += 1
                    } catch {
                        if options.skipInvalid { report.record(error) } else { throw error }
                    }
                }
            }
            try requireSome(report, paths)
            var loaded = LoadedPuzzles(dataset: .maze(records), report: report, sources: paths)
            loaded.mazes = records
            return loaded
        case .grid:
            var merged: PuzzleDataset?
            for path in paths {
                var d: PuzzleDataset
                if let spec = options.gridSpec {
                    var rows: [PuzzleRow] = []
                    for result in try PuzzleRowReader.readAll(path: path) {
                        switch result {
                        case .success(let row): rows.append(row)
                        case .failure(let error): if options.skipInvalid { report.record(error) } else { throw error }
                        }
                    }
                    d = try GridTaskReader.importCSV(rows, spec: spec, file: path,
                                                     skipInvalid: options.skipInvalid, report: &report)
                    report.sortLines(ofFile: path)
                } else {
                    d = try GridTaskReader.read(path: path, skipInvalid: options.skipInvalid, report: &report)
                }
                if let limit = options.limit { d = d.prefix(limit) }
                if var m = merged {
                    guard m.seqLen == d.seqLen, m.vocabSize == d.vocabSize else {
                        throw .invalidArgument("\(path): grid shape or alphabet differs from \(firstPath)")
                    }
                    // Identifiers are per file; shift this file's past the previous ones.
                    let shift = Int32(m.numPuzzleIdentifiers - 1)
                    m.inputs += d.inputs
                    m.labels += d.labels
                    m.puzzleIdentifiers += d.puzzleIdentifiers.map { $0 == 0 ? 0 : $0 + shift }
                    m.numPuzzleIdentifiers += d.numPuzzleIdentifiers - 1
                    merged = m
                } else { merged = d }
            }
            try requireSome(report, paths)
            return LoadedPuzzles(dataset: merged!, report: report, sources: paths)
        case .arc:
            var tasks: [ARCTask] = []
            for path in paths { tasks += try ARCTaskLoader.loadFolder(path, skipInvalid: options.skipInvalid, report: &report) }
            if let limit = options.limit { tasks = Array(tasks.prefix(max(0, limit))) }
            try requireSome(report, paths)
            let build = try ARCDatasetBuilder.build(training: tasks, evaluation: [], options: options.arc)
            return LoadedPuzzles(dataset: build.train, report: report, sources: paths)
        }
    }

    private static func limited<Row>(_ rows: [Row], _ limit: Int?) -> [Row] {
        guard let limit, limit < rows.count else { return rows }
        return Array(rows.prefix(max(0, limit)))
    }

    /// At least one row kept: else every row was bad (the report names them) or there were none.
    private static func requireSome(_ report: SkipReport, _ paths: [String]) throws(DataError) {
        guard report.accepted == 0 else { return }
        let files = paths.joined(separator: ", ")
        throw report.skipped > 0 ? .noValidRows(file: files, report: report) : .empty(file: files)
    }
}
