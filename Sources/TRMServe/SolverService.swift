// SolverService: the transport-free core of `trm serve` and `trm mcp`. It owns one BatchingWorker per
// loaded model, reads a SolveRequest into a PuzzleQuestion, runs it with continuous batching and
// answers with the grid, the halting confidences and the exact validator's verdict.
import Foundation
import TRMModels
import TRMPuzzles
import TRMRuntime
import TRMTensor

/// A model being served and its worker.
public struct ServedModel: Sendable {
    public var loaded: LoadedModel
    public var worker: BatchingWorker
    /// Workers for the other square sides a rope2d model takes, made on first use.
    let otherSizes = SizedWorkers()

    /// Its own worker and those made for other sizes so far.
    var workers: [BatchingWorker] { [worker] + otherSizes.all }

    public var info: ModelInfo {
        let c = loaded.run.model
        return ModelInfo(name: loaded.name, kind: loaded.kind.rawValue, preset: loaded.run.name, family: c.family.rawValue,
                         parameters: loaded.model.parameterCount, cells: c.seqLen, vocabSize: c.vocabSize,
                         maxSteps: c.haltMaxSteps, maxBatch: worker.options.maxBatch,
                         dtype: worker.dtype.rawValue)
    }
}

public struct SolverLimits: Sendable, Equatable {
    /// Largest max_steps a request may ask for.
    public var maxStepsLimit: Int = 256
    /// Per-request timeout (queue wait included), seconds.
    public var timeoutSeconds: Double = 30
    /// Most puzzles in one /v1/solve/batch request.
    public var maxBatchRequests: Int = 64

    public init(maxStepsLimit: Int = 256, timeoutSeconds: Double = 30, maxBatchRequests: Int = 64) {
        self.maxStepsLimit = maxStepsLimit; self.timeoutSeconds = timeoutSeconds; self.maxBatchRequests = maxBatchRequests
    }
}

/// The workers of one served model at other sizes than its own, by cell count.
final class SizedWorkers: @unchecked Sendable {
    /// Most other sizes one model is run at (each holds a copy of the weights and a thread).
    static let limit = 8
    private let lock = NSLock()
    private var workers: [Int: BatchingWorker] = [:]

    var all: [BatchingWorker] { lock.withLock { Array(workers.values) } }

    /// The worker for `cells`, made by `make` the first time; nil when `limit` others exist.
    func worker(cells: Int, make: () throws(ServeError) -> BatchingWorker) throws(ServeError) -> BatchingWorker? {
        lock.lock(); defer { lock.unlock() }
        if let w = workers[cells] { return w }
        guard workers.count < Self.limit else { return nil }
        let w = try make()
        workers[cells] = w
        return w
    }
}

public final class SolverService: Sendable {
    public let models: [ServedModel]
    public let limits: SolverLimits
    public let metrics: ServeMetrics
    /// The command that started this server ("trm serve" or "trm mcp"), named in advice to restart it.
    public let serverCommand: String
    /// What workers made later (for another grid size) run with: the options and the compute
    /// context (threads, dtype) of the server's start, not of the request that needs them.
    private let workerOptions: WorkerOptions
    private let context: ComputeContext

    public init(models: [LoadedModel], worker: WorkerOptions = WorkerOptions(), limits: SolverLimits = SolverLimits(),
                metrics: ServeMetrics = ServeMetrics(), serverCommand: String = "trm serve") {
        self.limits = limits
        self.serverCommand = serverCommand
        self.metrics = metrics
        self.workerOptions = worker
        self.context = ComputeContext.current
        self.models = models.map { m in
            ServedModel(loaded: m, worker: SolverService.makeWorker(m.model, options: worker, metrics: metrics))
        }
        metrics.gauges = { [models = self.models] in
            let c = models.flatMap(\.workers).map(\.counters)
            return [("trm_queue_depth", Double(c.map(\.queued).reduce(0, +))),
                    ("trm_running_rows", Double(c.map(\.running).reduce(0, +))),
                    ("trm_admitted_while_running_total", Double(c.map(\.admittedWhileRunning).reduce(0, +)))]
        }
    }

    static func makeWorker(_ model: ReasoningModel, options: WorkerOptions, metrics: ServeMetrics) -> BatchingWorker {
        BatchingWorker(model: model, options: options,
                       onStep: { [metrics] batch, seconds in
                           metrics.recordStep(batchSize: batch, seconds: seconds)
                           metrics.recordReadings()
                       },
                       onFinish: { [metrics] steps in metrics.recordStepsUsed(steps) })
    }

    /// The worker for puzzles of `cells` cells: the model's own, or (a rope2d model on another
    /// square side, which `question` let through) one running the same weights at that size.
    func worker(for served: ServedModel, cells: Int) throws(ServeError) -> BatchingWorker {
        if cells == served.loaded.run.model.seqLen { return served.worker }
        let made = try served.otherSizes.worker(cells: cells) { () throws(ServeError) -> BatchingWorker in
            let sized: LoadedModel
            do { sized = try served.loaded.sized(for: cells) } catch { throw .unprocessable("\(error)") }
            return ComputeContext.$current.withValue(context) {
                SolverService.makeWorker(sized.model, options: workerOptions, metrics: metrics)
            }
        }
        guard let made else {
            throw .unprocessable("the model '\(served.loaded.name)' already runs at \(SizedWorkers.limit) other sizes on this server; "
                                 + "send puzzles of \(PuzzleParser.side(served.loaded.run.model.seqLen)) or a size it already runs")
        }
        return made
    }

    /// The models of a kind name, in the order given (at least one), or why there is none.
    public func models(for kind: String) throws(ServeError) -> [ServedModel] {
        guard let k = PuzzleKind(rawValue: kind.lowercased()) else {
            let served = models.map { $0.loaded.kind.rawValue }.joined(separator: ", ")
            throw .unprocessable("unknown kind '\(kind)'; the kinds are \(PuzzleKind.allCases.map(\.rawValue).joined(separator: ", ")), and this server solves: \(served.isEmpty ? "nothing" : served)")
        }
        let ofKind = models.filter { $0.loaded.kind == k }
        guard !ofKind.isEmpty else {
            let served = models.map { $0.loaded.kind.rawValue }.joined(separator: ", ")
            throw .unprocessable("no \(k.rawValue) model is loaded; this server solves: \(served.isEmpty ? "nothing" : served). "
                                 + PuzzleParser.howToGetModel(for: k, restart: serverCommand))
        }
        return ofKind
    }

    /// The model of the request's kind its puzzle goes to (``ModelChoice``: the one built for its
    /// size, else one that takes it), and the puzzle read for it.
    public func pick(_ request: SolveRequest) throws(ServeError) -> (served: ServedModel, question: PuzzleQuestion) {
        let candidates = try models(for: request.kind)
        let (i, q) = try ModelChoice.pick(candidates.map(\.loaded)) { (m: LoadedModel) throws(ServeError) -> PuzzleQuestion in
            try parse(request, for: m)
        }
        if let problem = PuzzleParser.fitProblem(q, for: candidates[i].loaded, restart: serverCommand) { throw .unprocessable(problem) }
        return (candidates[i], q)
    }

    /// Reads the request's puzzle as `model` reads its kind (no fit check).
    func parse(_ request: SolveRequest, for model: LoadedModel) throws(ServeError) -> PuzzleQuestion {
        let text: String
        switch (request.puzzle, request.grid) {
        case (let p?, nil): text = p
        case (nil, let rows?):
            guard rows.count <= 1024 else { throw .unprocessable("grid has \(rows.count) rows; at most 1024") }
            text = rows.joined(separator: "\n")
        case (nil, nil): throw .badRequest("give the puzzle as 'puzzle' (a string) or 'grid' (a list of row strings)")
        case (_?, _?): throw .badRequest("give either 'puzzle' or 'grid', not both")
        }
        guard let kind = PuzzleInputKind(rawValue: model.kind.rawValue) else { throw .unprocessable("unknown kind") }
        do { return try PuzzleParser.parse(text, kind: kind, gridSpec: model.gridSpec) } catch { throw ServeError(error) }
    }

    /// Solves one request.
    public func solve(_ request: SolveRequest) async throws(ServeError) -> SolveResponse {
        let started = ContinuousClock.now
        let (served, q) = try pick(request)
        let c = served.loaded.run.model
        let maxSteps = request.maxSteps ?? c.haltMaxSteps
        guard (1...limits.maxStepsLimit).contains(maxSteps) else {
            throw .unprocessable("max_steps must be in 1...\(limits.maxStepsLimit), got \(maxSteps)")
        }
        let threshold = request.haltThreshold ?? 0.5
        guard threshold.isFinite, (0...1).contains(threshold) else {
            throw .unprocessable("halt_threshold must be in 0...1, got \(threshold)")
        }
        let tries = request.tries ?? 1
        guard (1...SolveRequest.maxTries).contains(tries) else {
            throw .unprocessable("tries must be in 1...\(SolveRequest.maxTries), got \(tries)")
        }
        let keep = request.returnSteps ?? false
        let worker = try worker(for: served, cells: q.tokens.count)
        let policy = HaltingPolicy(threshold: threshold, maxSteps: maxSteps)
        func run(_ tokens: [Int32]) async throws(ServeError) -> WorkerOutcome {
            let job = WorkerJob(tokens: tokens, policy: policy, keepSteps: keep, timeoutSeconds: limits.timeoutSeconds)
            do { return try await worker.solve(job) } catch let e as WorkerError { throw ServeError(e) } catch {
                throw .internalError("unexpected worker failure")
            }
        }
        // While the answer fails the validator: other versions of the puzzle, answers read back.
        var versions = VersionTries(question: q, tries: tries)
        var out = try await run(q.tokens)
        while let version = versions.next(after: out.last.prediction) {
            out = try await run(version.apply(q.tokens)).mappedBack(by: version)
        }
        metrics.recordVerdict(kind: q.kind.rawValue, (versions.verdict ?? q.verdict(out.last.prediction)).status.rawValue)
        var response = SolveResponse(question: q, model: served.loaded.name, outcome: out, returnSteps: keep,
                                     totalSeconds: started.duration(to: .now).inSeconds)
        if tries > 1 { response.tries = versions.current }
        return response
    }

    /// Solves every request of a batch concurrently (they share model batches); per-item errors.
    public func solveBatch(_ batch: BatchSolveRequest) async throws(ServeError) -> BatchSolveResponse {
        guard !batch.requests.isEmpty else { throw .unprocessable("'requests' is empty") }
        guard batch.requests.count <= limits.maxBatchRequests else {
            throw .unprocessable("\(batch.requests.count) requests in one batch; at most \(limits.maxBatchRequests)")
        }
        let items = await withTaskGroup(of: (Int, BatchItem).self) { group in
            for (i, r) in batch.requests.enumerated() {
                group.addTask {
                    do { return (i, .answer(try await self.solve(r))) } catch let e as ServeError { return (i, .failure(e)) } catch {
                        return (i, .failure(.internalError("unexpected failure")))
                    }
                }
            }
            var out = [BatchItem?](repeating: nil, count: batch.requests.count)
            for await (i, item) in group { out[i] = item }
            return out.map { $0! }
        }
        return BatchSolveResponse(results: items)
    }

    /// Drains every worker (graceful shutdown).
    public func shutdown() async {
        for m in models {
            for w in m.workers { await w.shutdown() }
        }
    }
}
