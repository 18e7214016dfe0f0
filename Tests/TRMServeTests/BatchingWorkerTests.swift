// Continuous batching: a row that halts frees its slot for a waiting request at the next step; the
// queue bound refuses work; deadlines and cancellation end jobs; shutdown drains everything.
import Foundation
import Testing
import TRMRuntime
@testable import TRMServe

@Suite struct BatchingWorkerTests {
    static var tokens: [Int32] { try! PuzzleParser.sudoku(PuzzleParser.defaultSudoku).tokens }

    /// threshold nil: every job runs exactly maxSteps (random weights never halt confidently).
    static func job(_ steps: Int, timeout: Double = 30) -> WorkerJob {
        WorkerJob(tokens: tokens, policy: HaltingPolicy(threshold: nil, maxSteps: steps), timeoutSeconds: timeout)
    }

    /// Polls the worker's counters until `condition` holds. The limit only guards against a hang, so
    /// it is long: on a 2-core machine a full test run can keep this task off the cooperative pool
    /// for minutes (CI saw about 170 s), and a short limit then ran out before a task started just
    /// before it was ever scheduled (a false failure: `cancellingARequestFreesItsSlot`, CI of 1ca38b5).
    static func until(_ worker: BatchingWorker, _ what: Comment, _ condition: (WorkerCounters) -> Bool) async throws {
        let limit = ContinuousClock.now + .seconds(1200)
        while !condition(worker.counters) {
            try #require(ContinuousClock.now < limit, what)
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func aHaltedRowsSlotGoesToTheWaitingRequestAtTheNextStep() async throws {
        // Two slots; the queue is A (1 step), B (3 steps), C (1 step) before the first step.
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 2, maxWaitSeconds: 0, maxQueue: 8))
        worker.pause()
        let a = Task { try await worker.solve(Self.job(1)) }
        try await Self.until(worker, "A queued") { $0.queued == 1 }
        let b = Task { try await worker.solve(Self.job(3)) }
        try await Self.until(worker, "B queued") { $0.queued == 2 }
        let c = Task { try await worker.solve(Self.job(1)) }
        try await Self.until(worker, "C queued") { $0.queued == 3 }
        worker.resume()
        let (ra, rb, rc) = try await (a.value, b.value, c.value)
        #expect(ra.stepsUsed == 1 && rb.stepsUsed == 3 && rc.stepsUsed == 1)
        #expect(ra.admittedAtStep == 1 && rb.admittedAtStep == 1)
        // C ran in the step right after A left, while B was still mid-solve.
        #expect(rc.admittedAtStep == ra.finishedAtStep + 1)
        #expect(rc.admittedAtStep == 2 && rb.finishedAtStep == 3)
        let counters = worker.counters
        #expect(counters.admittedWhileRunning >= 1)
        #expect(counters.completed == 3)
        #expect(counters.largestBatch == 2)
        #expect(counters.rowSteps == 5)               // 1 + 3 + 1 row-steps
        #expect(counters.supervisionSteps == 3)       // in 3 batched steps, never 5
        await worker.shutdown()
    }

    @Test func keepStepsRecordsEveryStepAndConfidences() async throws {
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 4))
        var job = Self.job(3)
        job.keepSteps = true
        let out = try await worker.solve(job)
        #expect(out.steps.map(\.step) == [1, 2, 3])
        #expect(out.haltProbabilities.count == 3 && !out.halted)
        #expect(out.steps[0].changedCells.count == 81)
        await worker.shutdown()
    }

    @Test func aFullQueueIsRefused() async throws {
        // Paused with room for one waiting job: of six submitted, five are refused at once.
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 1, maxWaitSeconds: 0, maxQueue: 1))
        worker.pause()
        let tasks = (0..<6).map { _ in Task { () -> Result<WorkerOutcome, WorkerError> in
            do { return .success(try await worker.solve(Self.job(2))) } catch { return .failure(error as! WorkerError) }
        } }
        try await Self.until(worker, "five refused") { $0.rejected >= 5 }
        worker.resume()
        var results: [Result<WorkerOutcome, WorkerError>] = []
        for t in tasks { results.append(await t.value) }
        let refused = results.filter { if case .failure(.overloaded) = $0 { return true } else { return false } }.count
        #expect(refused == 5)
        #expect(results.filter { if case .success = $0 { return true } else { return false } }.count == 1)
        #expect(worker.counters.rejected == 5)
        await worker.shutdown()
    }

    @Test func deadlinesEndJobsAtAStepBoundary() async throws {
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 1))
        await #expect(throws: WorkerError.self) { try await worker.solve(Self.job(64, timeout: 0.05)) }
        #expect(worker.counters.timedOut == 1)
        // The worker is still usable.
        #expect(try await worker.solve(Self.job(1)).stepsUsed == 1)
        await worker.shutdown()
    }

    @Test func cancellingARequestFreesItsSlot() async throws {
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 1))
        // A job that neither ends nor times out before it is cancelled, however long this task waits
        // to be scheduled: only the cancellation can end it.
        let task = Task { try await worker.solve(Self.job(1 << 30, timeout: 86_400)) }
        // Cancel once the job holds the slot (was: after a fixed 100 ms, which a fast machine's
        // steps could beat and a loaded one's admission could miss).
        try await Self.until(worker, "the job admitted") { $0.running == 1 }
        task.cancel()
        await #expect(throws: WorkerError.cancelled) { try await task.value }
        #expect(worker.counters.cancelled == 1 && worker.counters.completed == 0)
        #expect(try await worker.solve(Self.job(1)).stepsUsed == 1)
        await worker.shutdown()
    }

    @Test func shutdownDrainsQueuedWorkThenRefuses() async throws {
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 2, maxQueue: 16))
        worker.pause()
        let jobs = (0..<5).map { _ in Task { try await worker.solve(Self.job(2)) } }
        try await Self.until(worker, "five queued") { $0.queued == 5 }
        worker.resume()
        await worker.shutdown()
        for j in jobs { #expect(try await j.value.stepsUsed == 2) }
        await #expect(throws: WorkerError.shuttingDown) { try await worker.solve(Self.job(1)) }
    }
}
