// Continuous batching: a row that halts frees its slot for a waiting request at the next step; the
// queue bound refuses work; deadlines and cancellation end jobs; shutdown drains everything.
import Foundation
import Testing
import TRMTraining
@testable import TRMServe

@Suite struct BatchingWorkerTests {
    static var tokens: [Int32] { try! PuzzleParser.sudoku(PuzzleParser.defaultSudoku).tokens }

    /// threshold nil: every job runs exactly maxSteps (random weights never halt confidently).
    static func job(_ steps: Int, timeout: Double = 30) -> WorkerJob {
        WorkerJob(tokens: tokens, policy: HaltingPolicy(threshold: nil, maxSteps: steps), timeoutSeconds: timeout)
    }

    @Test func aHaltedRowsSlotGoesToTheWaitingRequestAtTheNextStep() async throws {
        // Two slots; A (1 step) and B (6 steps) start together; C arrives while they run and takes
        // A's freed slot at the first step boundary after it was queued, while B is still going.
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 2, maxWaitSeconds: 1, maxQueue: 8))
        func until(_ condition: (WorkerCounters) -> Bool) async throws {
            for _ in 0..<5000 where !condition(worker.counters) { try await Task.sleep(for: .milliseconds(1)) }
        }
        let a = Task { try await worker.solve(Self.job(1)) }
        try await until { $0.queued == 1 }
        let b = Task { try await worker.solve(Self.job(6)) }
        try await until { $0.running == 2 }          // both admitted: step 1 is under way
        let c = Task { try await worker.solve(Self.job(1)) }
        let (ra, rb, rc) = try await (a.value, b.value, c.value)
        #expect(ra.stepsUsed == 1 && rb.stepsUsed == 6 && rc.stepsUsed == 1)
        #expect(ra.admittedAtStep == 1 && rb.admittedAtStep == 1)
        // C ran in A's old slot beside B. (Exactly which step depends on when its task was queued
        // on a loaded machine: step 2 when it arrives during step 1.)
        #expect(rc.admittedAtStep > ra.finishedAtStep && rc.admittedAtStep <= rb.finishedAtStep)
        #expect(rb.finishedAtStep == 6)
        let counters = worker.counters
        #expect(counters.admittedWhileRunning >= 1)
        #expect(counters.completed == 3)
        #expect(counters.largestBatch == 2)
        #expect(counters.rowSteps == 8)               // 1 + 6 + 1 row-steps
        #expect(counters.supervisionSteps == 6)       // in 6 batched steps, never 8
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
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 1, maxWaitSeconds: 0, maxQueue: 1))
        let results = await withTaskGroup(of: Result<WorkerOutcome, WorkerError>.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    do { return .success(try await worker.solve(Self.job(4))) } catch { return .failure(error as! WorkerError) }
                }
            }
            var all: [Result<WorkerOutcome, WorkerError>] = []
            for await r in group { all.append(r) }
            return all
        }
        let refused = results.filter { if case .failure(.overloaded) = $0 { return true } else { return false } }.count
        #expect(refused >= 1)
        #expect(results.count - refused >= 1)
        #expect(worker.counters.rejected == refused)
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
        let task = Task { try await worker.solve(Self.job(64)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: WorkerError.cancelled) { try await task.value }
        #expect(try await worker.solve(Self.job(1)).stepsUsed == 1)
        await worker.shutdown()
    }

    @Test func shutdownDrainsQueuedWorkThenRefuses() async throws {
        let worker = BatchingWorker(model: Fixtures.sudoku.model, options: WorkerOptions(maxBatch: 2, maxQueue: 16))
        let jobs = (0..<5).map { _ in Task { try await worker.solve(Self.job(2)) } }
        try await Task.sleep(for: .milliseconds(20))
        await worker.shutdown()
        for j in jobs { #expect(try await j.value.stepsUsed == 2) }
        await #expect(throws: WorkerError.shuttingDown) { try await worker.solve(Self.job(1)) }
    }
}
