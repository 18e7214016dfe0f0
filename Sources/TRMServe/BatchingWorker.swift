// BatchingWorker: continuous batching over one InferenceSession on a dedicated thread (model work
// never runs on the NIO event loops or the cooperative pool). Requests wait in a bounded queue; before
// every supervision step the worker fills free slots from the queue, so a row that halts leaves at its
// step and a waiting request takes its slot at the next step. Deadlines and cancellation are checked
// at step boundaries; shutdown drains queued and running work.
import Foundation
import TRMModels
import TRMPuzzles
import TRMRuntime
import TRMTensor

public struct WorkerOptions: Sendable, Equatable {
    /// Rows per supervision step (the session's slot count).
    public var maxBatch: Int
    /// How long an idle worker waits for more requests before its first step, so a burst shares a batch.
    public var maxWaitSeconds: Double
    /// Requests allowed to wait for a slot; more are refused (503).
    public var maxQueue: Int

    public init(maxBatch: Int = 32, maxWaitSeconds: Double = 0.002, maxQueue: Int = 512) {
        self.maxBatch = max(1, maxBatch); self.maxWaitSeconds = max(0, maxWaitSeconds); self.maxQueue = max(0, maxQueue)
    }
}

/// One puzzle to solve.
public struct WorkerJob: Sendable {
    public var tokens: [Int32]
    public var puzzleIdentifier: Int32
    public var policy: HaltingPolicy
    /// Keep every step's prediction (else only the last).
    public var keepSteps: Bool
    /// Give up after this many seconds from submission (queue wait included).
    public var timeoutSeconds: Double

    public init(tokens: [Int32], puzzleIdentifier: Int32 = 0, policy: HaltingPolicy, keepSteps: Bool = false,
                timeoutSeconds: Double = 30) {
        self.tokens = tokens; self.puzzleIdentifier = puzzleIdentifier; self.policy = policy
        self.keepSteps = keepSteps; self.timeoutSeconds = timeoutSeconds
    }
}

/// What the worker returns for one job.
public struct WorkerOutcome: Sendable {
    /// Every step when `keepSteps`, else only the last.
    public var steps: [SolveStep]
    /// sigmoid(q_halt) after each step. [stepsUsed]
    public var haltProbabilities: [Float]
    public var stepsUsed: Int
    /// True when the halting threshold stopped it (false: step limit).
    public var halted: Bool
    public var queueSeconds: Double
    public var computeSeconds: Double
    /// Worker step counters at admission and at the last step (1-based): a job admitted at step k ran
    /// first in step k.
    public var admittedAtStep: Int
    public var finishedAtStep: Int
    public var last: SolveStep { steps[steps.count - 1] }

    /// This outcome of a puzzle version made by `transform`, in the original puzzle's frame.
    public func mappedBack(by transform: PuzzleVersionTransform) -> WorkerOutcome {
        var out = self
        out.steps = steps.map { $0.mappedBack(by: transform) }
        return out
    }

    public init(steps: [SolveStep], haltProbabilities: [Float], stepsUsed: Int, halted: Bool, queueSeconds: Double = 0,
                computeSeconds: Double, admittedAtStep: Int = 1, finishedAtStep: Int) {
        precondition(!steps.isEmpty, "an outcome has at least one step")
        self.steps = steps; self.haltProbabilities = haltProbabilities; self.stepsUsed = stepsUsed; self.halted = halted
        self.queueSeconds = queueSeconds; self.computeSeconds = computeSeconds
        self.admittedAtStep = admittedAtStep; self.finishedAtStep = finishedAtStep
    }
}

public enum WorkerError: Error, Sendable, Equatable {
    case overloaded(queued: Int)
    case timedOut(seconds: Double)
    case shuttingDown
    case cancelled
    case invalidJob(String)
    case modelFailed(String)
}

/// Observable counters (for tests, /metrics and the bench).
public struct WorkerCounters: Sendable, Codable, Equatable {
    public var submitted = 0
    public var completed = 0
    public var rejected = 0
    public var timedOut = 0
    public var cancelled = 0
    public var failed = 0
    /// Supervision steps run (batched forward passes).
    public var supervisionSteps = 0
    /// Sum of batch sizes over all steps (row-steps).
    public var rowSteps = 0
    /// Admissions into a batch where other rows were mid-solve: continuous batching at work.
    public var admittedWhileRunning = 0
    public var largestBatch = 0
    public var queued = 0
    public var running = 0
}

public final class BatchingWorker: @unchecked Sendable {
    public let options: WorkerOptions
    /// The compute dtype the worker runs in (its creator's `ComputeContext`).
    public let dtype: ComputeDType
    let session: InferenceSession
    /// Called on the worker thread after each step with the batch size, and per finished job with its
    /// steps used (metrics hooks).
    let onStep: (@Sendable (_ batchSize: Int, _ seconds: Double) -> Void)?
    let onFinish: (@Sendable (_ stepsUsed: Int) -> Void)?

    private final class Job {
        let id: UInt64
        let work: WorkerJob
        let continuation: CheckedContinuation<WorkerOutcome, any Error>
        let enqueued = ContinuousClock.now
        let deadline: ContinuousClock.Instant
        var admitted: ContinuousClock.Instant?
        var admittedAtStep = 0
        var steps: [SolveStep] = []
        var probabilities: [Float] = []
        var compute: Double = 0
        var cancelled = false
        init(id: UInt64, work: WorkerJob, continuation: CheckedContinuation<WorkerOutcome, any Error>) {
            self.id = id; self.work = work; self.continuation = continuation
            deadline = .now + .milliseconds(Int64(max(0, min(work.timeoutSeconds, 86_400)) * 1000))
        }
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var running: [Int: Job] = [:]
    private var earlyCancels: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var stopping = false
    private var paused = false
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []
    private var _counters = WorkerCounters()

    public init(model: ReasoningModel, options: WorkerOptions = WorkerOptions(),
                onStep: (@Sendable (Int, Double) -> Void)? = nil, onFinish: (@Sendable (Int) -> Void)? = nil) {
        self.options = options
        self.session = InferenceSession(model: model, capacity: options.maxBatch)
        self.onStep = onStep
        self.onFinish = onFinish
        // The worker thread computes with the creator's context (threads, dtype): task-locals do
        // not reach a Thread on their own.
        let context = ComputeContext.current
        self.dtype = context.dtype
        let thread = Thread { [self] in ComputeContext.$current.withValue(context) { loop() } }
        thread.name = "trm-model-worker"
        thread.stackSize = 8 << 20
        thread.start()
    }

    public var counters: WorkerCounters {
        condition.lock(); defer { condition.unlock() }
        var c = _counters
        c.queued = queue.count; c.running = running.count
        return c
    }

    /// Queues a job and waits for its outcome. Throws `WorkerError`.
    public func solve(_ work: WorkerJob) async throws -> WorkerOutcome {
        let id = allocateID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<WorkerOutcome, any Error>) in
                condition.lock()
                _counters.submitted += 1
                if stopping {
                    _counters.rejected += 1; condition.unlock(); c.resume(throwing: WorkerError.shuttingDown); return
                }
                if earlyCancels.remove(id) != nil {
                    _counters.cancelled += 1; condition.unlock(); c.resume(throwing: WorkerError.cancelled); return
                }
                if queue.count >= options.maxQueue {
                    _counters.rejected += 1
                    let n = queue.count
                    condition.unlock(); c.resume(throwing: WorkerError.overloaded(queued: n)); return
                }
                queue.append(Job(id: id, work: work, continuation: c))
                condition.signal()
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            if let i = queue.firstIndex(where: { $0.id == id }) {
                let job = queue.remove(at: i)
                _counters.cancelled += 1
                condition.unlock()
                job.continuation.resume(throwing: WorkerError.cancelled)
                return
            }
            if let job = running.values.first(where: { $0.id == id }) { job.cancelled = true } else { earlyCancels.insert(id) }
            condition.unlock()
        }
    }

    private func allocateID() -> UInt64 {
        condition.lock(); defer { condition.unlock() }
        nextID += 1
        return nextID
    }

    /// Holds admissions and steps (queued jobs wait; deadlines still apply when resumed): for
    /// maintenance, and for tests that need a known queue before the first step.
    public func pause() {
        condition.lock(); paused = true; condition.unlock()
    }

    public func resume() {
        condition.lock(); paused = false; condition.broadcast(); condition.unlock()
    }

    /// Stops taking jobs, finishes the queued and running ones, and ends the worker thread.
    public func shutdown() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if finished { condition.unlock(); c.resume(); return }
            finishWaiters.append(c)
            condition.broadcast()
            condition.unlock()
        }
    }

    // MARK: The worker thread

    private func loop() {
        var stepCounter = 0
        while true {
            condition.lock()
            while ((queue.isEmpty && running.isEmpty) || paused) && !stopping { condition.wait() }
            if queue.isEmpty && running.isEmpty && stopping {
                finished = true
                let waiters = finishWaiters
                finishWaiters = []
                condition.unlock()
                waiters.forEach { $0.resume() }
                return
            }
            // An idle worker waits briefly so that a burst of requests shares the first step.
            if running.isEmpty, queue.count < options.maxBatch, options.maxWaitSeconds > 0, !stopping, let first = queue.first {
                let until = first.enqueued + .milliseconds(Int64(options.maxWaitSeconds * 1000))
                while queue.count < options.maxBatch, !stopping, ContinuousClock.now < until {
                    let remaining = ContinuousClock.now.duration(to: until)
                    _ = condition.wait(until: Date().addingTimeInterval(seconds(remaining)))
                }
            }
            var resumptions: [() -> Void] = []
            let now = ContinuousClock.now
            // Drop queued jobs whose deadline passed.
            queue.removeAll { job in
                guard now >= job.deadline else { return false }
                _counters.timedOut += 1
                let t = job.work.timeoutSeconds
                resumptions.append { job.continuation.resume(throwing: WorkerError.timedOut(seconds: t)) }
                return true
            }
            // Fill free slots: admitted rows run first in the next step.
            let busy = !running.isEmpty
            while session.hasFreeSlot, !queue.isEmpty {
                let job = queue.removeFirst()
                do {
                    guard let slot = try session.admit(tokens: job.work.tokens, puzzleIdentifier: job.work.puzzleIdentifier,
                                                       policy: job.work.policy) else { queue.insert(job, at: 0); break }
                    job.admitted = now
                    job.admittedAtStep = stepCounter + 1
                    running[slot] = job
                    if busy { _counters.admittedWhileRunning += 1 }
                } catch {
                    _counters.failed += 1
                    let reason = String(describing: error)
                    resumptions.append { job.continuation.resume(throwing: WorkerError.invalidJob(reason)) }
                }
            }
            condition.unlock()
            resumptions.forEach { $0() }
            resumptions = []
            guard !running.isEmpty else { continue }

            // One supervision step for every occupied slot, outside the lock.
            let start = ContinuousClock.now
            let result = Result { try session.step() }
            let elapsed = seconds(start.duration(to: .now))
            stepCounter += 1
            var batch = 0
            var finishedSteps: [Int] = []

            condition.lock()
            switch result {
            case .success(let updates):
                batch = updates.count
                _counters.supervisionSteps += 1
                _counters.rowSteps += batch
                _counters.largestBatch = max(_counters.largestBatch, batch)
                let end = ContinuousClock.now
                for u in updates {
                    guard let job = running[u.slot] else { session.release(u.slot); continue }
                    if job.work.keepSteps { job.steps.append(u.step) } else { job.steps = [u.step] }
                    job.probabilities.append(u.step.haltProbability)
                    job.compute += elapsed
                    if job.cancelled || end >= job.deadline {
                        session.release(u.slot); running[u.slot] = nil
                        if job.cancelled {
                            _counters.cancelled += 1
                            resumptions.append { job.continuation.resume(throwing: WorkerError.cancelled) }
                        } else {
                            _counters.timedOut += 1
                            let t = job.work.timeoutSeconds
                            resumptions.append { job.continuation.resume(throwing: WorkerError.timedOut(seconds: t)) }
                        }
                    } else if u.finished {
                        session.release(u.slot); running[u.slot] = nil
                        _counters.completed += 1
                        let halted = job.work.policy.threshold.map { u.step.haltProbability > $0 } ?? false
                        let outcome = WorkerOutcome(
                            steps: job.steps, haltProbabilities: job.probabilities, stepsUsed: u.step.step, halted: halted,
                            queueSeconds: seconds(job.enqueued.duration(to: job.admitted ?? job.enqueued)),
                            computeSeconds: job.compute, admittedAtStep: job.admittedAtStep, finishedAtStep: stepCounter)
                        finishedSteps.append(u.step.step)
                        resumptions.append { job.continuation.resume(returning: outcome) }
                    }
                }
            case .failure(let error):
                let reason = String(describing: error)
                for (slot, job) in running {
                    session.release(slot)
                    _counters.failed += 1
                    resumptions.append { job.continuation.resume(throwing: WorkerError.modelFailed(reason)) }
                }
                running = [:]
            }
            condition.unlock()
            // Metrics first, so a client that got its answer sees it counted.
            if batch > 0 { onStep?(batch, elapsed) }
            for s in finishedSteps { onFinish?(s) }
            resumptions.forEach { $0() }
        }
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
