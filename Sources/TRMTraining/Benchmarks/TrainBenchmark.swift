// TrainBenchmark: the measurements of ../shared/bench/torch_trm_bench.py, made with swift-trm, so
// the two outputs join line by line on (model, task, batch, threads):
//   train    one optimizer step = one supervision step (T-1 cycles without gradients, one with),
//            loss, backward, Adam-atan2 (+ sign-SGD, EMA) at batch B -> sample_steps_per_s
//   infer16  a full 16-step evaluation rollout without gradients at batch B -> puzzles_per_s
// Each case runs once untimed (warm-up: buffer pool, BLAS), then `repeats` timed runs; the median
// and the minimum are reported. Inputs are random tokens 1...10 and labels 2...10, as there.
// Also the memory of a batch-32 training step: the buffer pool's peak bytes in use during the
// step, and the process's peak resident set so far (getrusage).
import Foundation
import TRMModels
import TRMNN
import TRMTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct TrainBenchmarkOptions: Sendable {
    public var models = ["trm-mlp-sudoku", "trm-att-sudoku"]
    public var trainBatches = [8, 32]
    public var inferBatches = [1, 16]
    public var repeats = 3
    public var memoryBatch: Int? = 32

    public init() {}

    /// As `torch_trm_bench.py --quick`: train batch 8, infer batch 1, two repeats, no memory line.
    public static var quick: TrainBenchmarkOptions {
        var o = TrainBenchmarkOptions()
        o.trainBatches = [8]; o.inferBatches = [1]; o.repeats = 2; o.memoryBatch = nil
        return o
    }
}

/// One measurement, printed as a JSON line with the baseline's field names.
public struct TrainBenchmarkLine: Sendable {
    public var threads: Int
    public var model: String
    public var parameters: Int
    /// "train" or "infer16" (or "train_memory").
    public var task: String
    public var batch: Int
    public var secondsMedian: Double
    public var secondsMin: Double
    public var peakPoolBytes: Int? = nil
    public var maxResidentBytes: Int? = nil
    /// The library that ran the products ("onednn" or "accelerate"), like the baseline's "torch" version field.
    public var gemm: String = BLAS.name
    /// The compute dtype ("fp32" or "bf16"), a join key with the baseline's --dtype.
    public var dtype: String = ComputeContext.current.dtype.rawValue
    /// Of one extra run after the timed ones: the fraction of its wall time spent in the linear
    /// layers' and token mixer's matrix products (`GEMMTimer`; attention's per-head products count
    /// as the rest).
    public var gemmFraction: Double? = nil
    /// Of the same run: the products' floating-point operations in GFLOP (2 M N K each; the
    /// same model and batch do the same products in PyTorch, so this also prices its seconds)
    /// and their own rate in GFLOP/s.
    public var gemmGFLOP: Double? = nil
    public var gemmGFLOPS: Double? = nil
    /// Of the same run: the products by shape, the most time first (printed by `--shapes`).
    public var gemmShapes: [(shape: GEMMTimer.Shape, totals: GEMMTimer.ShapeTotals)] = []

    /// The seconds of all the shapes in `gemmShapes`: what each shape's share is of.
    public var gemmShapeSeconds: Double { gemmShapes.reduce(0) { $0 + $1.totals.seconds } }

    /// `x` rounded to `digits` decimals, as the lines print numbers.
    private static func r(_ x: Double, _ digits: Int) -> String {
        let p = Foundation.pow(10, Double(digits))
        return "\((x * p).rounded() / p)"
    }

    /// {"impl": "swift-trm", "gemm": ..., "dtype": ..., "threads": ..., "model": ..., "params": ..., "task": ..., "batch": ...,
    ///  "seconds_median": ..., "seconds_min": ..., "sample_steps_per_s" | "puzzles_per_s": ...}
    public var json: String {
        let r = Self.r
        var s = "{\"impl\": \"swift-trm\", \"gemm\": \"\(gemm)\", \"dtype\": \"\(dtype)\", \"threads\": \(threads), \"model\": \"\(model)\", \"params\": \(parameters), "
            + "\"task\": \"\(task)\", \"batch\": \(batch)"
        if let peakPoolBytes, let maxResidentBytes {
            return s + ", \"peak_pool_bytes\": \(peakPoolBytes), \"max_rss_bytes\": \(maxResidentBytes), \"seconds\": \(r(secondsMin, 4))}"
        }
        s += ", \"seconds_median\": \(r(secondsMedian, 4)), \"seconds_min\": \(r(secondsMin, 4)), "
        if let gemmFraction { s += "\"gemm_fraction\": \(r(gemmFraction, 3)), " }
        if let gemmGFLOP { s += "\"gemm_gflop\": \(r(gemmGFLOP, 2)), " }
        if let gemmGFLOPS { s += "\"gemm_gflops\": \(r(gemmGFLOPS, 1)), " }
        let rate = Double(batch) / secondsMedian
        s += task == "train" ? "\"sample_steps_per_s\": \(r(rate, 3))}" : "\"puzzles_per_s\": \(r(rate, 3))}"
        return s
    }

    /// One JSON line per product shape of this line's extra run, the most time first: which
    /// products a step spends its time in, and the rate each ran at on this CPU.
    /// {"task": "gemm_shape", "of": "train", "model": ..., "batch": ..., "threads": ..., "dtype": ...,
    ///  "op": "NT", "m": ..., "n": ..., "k": ..., "calls": ..., "seconds": ..., "share": ..., "gflops": ...}
    /// (`share`: of the products' time).
    public var shapeJSON: [String] {
        let total = gemmShapeSeconds
        let r = Self.r
        return gemmShapes.map { shape, t in
            return "{\"impl\": \"swift-trm\", \"task\": \"gemm_shape\", \"of\": \"\(task)\", \"gemm\": \"\(gemm)\", \"dtype\": \"\(dtype)\", "
                + "\"threads\": \(threads), \"model\": \"\(model)\", \"batch\": \(batch), \"op\": \"\(shape.op)\", "
                + "\"m\": \(shape.m), \"n\": \(shape.n), \"k\": \(shape.k), \"calls\": \(t.calls), \"seconds\": \(r(t.seconds, 5)), "
                + "\"share\": \(r(total > 0 ? t.seconds / total : 0, 4)), \"gflops\": \(r(t.gflops, 1))}"
        }
    }
}

extension TrainBenchmarkLine {
    /// A train or infer line with the products' share, operations and rate from `split`.
    init(threads: Int, model: String, parameters: Int, task: String, batch: Int, secondsMedian: Double,
         secondsMin: Double, split: GEMMTimer.Split) {
        self.init(threads: threads, model: model, parameters: parameters, task: task, batch: batch,
                  secondsMedian: secondsMedian, secondsMin: secondsMin, gemmFraction: split.gemmFraction,
                  gemmGFLOP: split.gemmFlops / 1e9, gemmGFLOPS: split.gemmGFLOPS, gemmShapes: split.shapes)
    }
}

public enum TrainBenchmark {
    /// Runs every case of `options` for each thread count, calling `emit` as each line is ready.
    public static func run(threads: [Int], options: TrainBenchmarkOptions, emit: (TrainBenchmarkLine) -> Void) throws {
        for name in options.models {
            var run = try RunConfig.preset(name)
            run.training.seed = 0
            for t in threads {
                try ComputeContext.withThreads(t) {
                    try measure(run: run, threads: t, options: options, emit: emit)
                }
            }
        }
    }

    /// Random batch: tokens 1...10, labels 2...10 (vocabulary-clamped), puzzle identifier 0.
    static func randomBatch(_ b: Int, config: ModelConfig, rng: inout SeededRandom) throws -> PuzzleBatch {
        let s = config.seqLen, v = UInt64(max(config.vocabSize - 1, 1))
        let tokens = (0..<(b * s)).map { _ in Int32(1 + rng.next() % min(v, 10)) }
        let labels = (0..<(b * s)).map { _ in Int32(2 + rng.next() % min(max(v - 1, 1), 9)) }
        return try PuzzleBatch(tokens: IntTensor(shape: [b, s], values: tokens), labels: IntTensor(shape: [b, s], values: labels),
                               puzzleIdentifiers: [Int32](repeating: 0, count: b))
    }

    static func measure(run: RunConfig, threads: Int, options: TrainBenchmarkOptions, emit: (TrainBenchmarkLine) -> Void) throws {
        var run = run
        run.model = run.model.withPlaceholderSizes  // random batches use identifier 0 only
        let model = try ReasoningModel(config: run.model, seed: 0)
        let params = model.parameterCount
        var rng = SeededRandom(seed: 0)
        let state = TrainingState(run: run, model: model)
        for b in options.trainBatches {
            let batch = try randomBatch(b, config: run.model, rng: &rng)
            state.carry = nil
            let (median, best) = try KernelBenchmark.time(repeats: options.repeats) { try state.trainStep(batch) }
            let split = try GEMMTimer.measure { try state.trainStep(batch) }
            emit(TrainBenchmarkLine(threads: threads, model: run.name, parameters: params, task: "train", batch: b,
                                    secondsMedian: median, secondsMin: best, split: split))
        }
        if let b = options.memoryBatch {
            let batch = try randomBatch(b, config: run.model, rng: &rng)
            state.carry = nil
            try state.trainStep(batch)  // warm: carry, moments and pool buffers exist
            BufferPool.shared.resetPeak()
            let start = DispatchTime.now().uptimeNanoseconds
            try state.trainStep(batch)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            emit(TrainBenchmarkLine(threads: threads, model: run.name, parameters: params, task: "train_memory", batch: b,
                                    secondsMedian: seconds, secondsMin: seconds,
                                    peakPoolBytes: BufferPool.shared.statistics.peakInUseBytes, maxResidentBytes: maxResidentBytes()))
        }
        let steps = run.model.haltMaxSteps
        for b in options.inferBatches {
            let batch = try randomBatch(b, config: run.model, rng: &rng)
            var stepRNG = SeededRandom(seed: 0)
            func rollout() throws {
                var carry = model.initialCarry(for: batch)
                _ = try model.rollout(&carry, batch: batch, steps: steps, rng: &stepRNG)
            }
            let (median, best) = try KernelBenchmark.time(repeats: options.repeats, rollout)
            let split = try GEMMTimer.measure(rollout)
            emit(TrainBenchmarkLine(threads: threads, model: run.name, parameters: params, task: "infer\(steps)", batch: b,
                                    secondsMedian: median, secondsMin: best, split: split))
        }
    }

    /// Peak resident set size of this process so far, in bytes.
    public static func maxResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)  // bytes on macOS
        #endif
    }
}
