// ServeMetrics: the server's own metrics, recorded through swift-metrics (Counter, Recorder, Timer)
// and exposed at `GET /metrics` in the Prometheus text format by the swift-prometheus backend.
//
// Names and labels (documented in the README):
//   trm_http_requests_total{route,status}          counter    requests by route and status
//   trm_http_request_duration_seconds{route}       histogram  request latency
//   trm_batch_size                                 histogram  rows in each batched supervision step
//   trm_step_duration_seconds                      histogram  time of one batched supervision step
//   trm_supervision_steps_used                     histogram  supervision steps each solved puzzle used
//   trm_solutions_total{kind,verdict}              counter    solved puzzles by validator verdict
//   trm_queue_depth                                gauge      puzzles waiting for a slot
//   trm_running_rows                               gauge      puzzles in the model batch
//   trm_admitted_while_running_total               counter    admissions into a batch with rows mid-solve
// The last three are read from the workers after every batched step and at every scrape, and go
// through swift-metrics like the rest (a `Gauge`, and a `Counter` advanced by what was added).
//
// Each server has its own registry (so two servers in one process count apart); the metrics go
// through any swift-metrics `MetricsFactory` a caller passes (a multiplexer that also feeds another
// backend, say), by default `HelpfulPrometheusFactory` over that registry. Hummingbird's
// `MetricsMiddleware` records request metrics through the process-wide `MetricsSystem`; `trm serve`
// bootstraps it with `ServeMetrics.bootstrapProcessMetrics()`, and `/metrics` then shows those too.
import CoreMetrics
import Foundation
import Metrics
import Prometheus

public final class ServeMetrics: Sendable {
    /// The registry `/metrics` renders (with `processRegistry` when the process bootstrapped it).
    public let registry: PrometheusCollectorRegistry
    private let factory: any MetricsFactory
    private let gaugeReader = LockedBox<(@Sendable () -> [(String, Double)])?>(nil)
    /// The last value each counter-like reading was recorded at (counters only go up by deltas).
    private let counterReadings = LockedBox<[String: Double]>([:])

    static let latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// Help text and histogram buckets of every metric we record.
    static let definitions: [String: (help: String, buckets: [Double]?)] = [
        "trm_http_requests_total": ("HTTP requests by route and status.", nil),
        "trm_http_request_duration_seconds": ("HTTP request latency.", latencyBuckets),
        "trm_batch_size": ("Rows in each supervision step's model batch.", [1, 2, 4, 8, 16, 32, 64, 128, 256]),
        "trm_step_duration_seconds": ("Time of one batched supervision step.", latencyBuckets),
        "trm_supervision_steps_used": ("Supervision steps each solved puzzle used.", [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256]),
        "trm_solutions_total": ("Solved puzzles by kind and validator verdict.", nil),
        "trm_queue_depth": ("Puzzles waiting for a slot.", nil),
        "trm_running_rows": ("Puzzles in the model batch.", nil),
        "trm_admitted_while_running_total": ("Admissions into a batch with rows mid-solve (continuous batching).", nil),
    ]

    private let batchSizes: Recorder
    private let stepSeconds: Timer
    private let stepsUsed: Recorder

    /// - Parameters:
    ///   - registry: what `/metrics` renders.
    ///   - factory: where the metrics go; nil records into `registry` with help texts and our buckets.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), factory: (any MetricsFactory)? = nil) {
        self.registry = registry
        let factory = factory ?? HelpfulPrometheusFactory(registry: registry, definitions: Self.definitions)
        self.factory = factory
        batchSizes = Recorder(label: "trm_batch_size", dimensions: [], aggregate: true, factory: factory)
        stepSeconds = Timer(label: "trm_step_duration_seconds", dimensions: [], factory: factory)
        stepsUsed = Recorder(label: "trm_supervision_steps_used", dimensions: [], aggregate: true, factory: factory)
    }

    /// Readings of the workers' state: (name, value). A name ending in `_total` is a running count
    /// (recorded as a swift-metrics Counter), any other a level (a Gauge). Help texts live in
    /// `definitions`.
    public var gauges: (@Sendable () -> [(String, Double)])? {
        get { gaugeReader.value }
        set { gaugeReader.value = newValue }
    }

    /// Records the current readings through swift-metrics: after every batched step and at every
    /// scrape, so that any backend sees them, not only `/metrics`.
    public func recordReadings() {
        for (name, value) in gauges?() ?? [] {
            if name.hasSuffix("_total") {
                let added = counterReadings.withValue { last -> Double in
                    defer { last[name] = max(value, last[name] ?? 0) }
                    return value - (last[name] ?? 0)
                }
                // Made even when nothing was added, so that the series shows from the first scrape.
                let counter = Counter(label: name, dimensions: [], factory: factory)
                if added > 0 { counter.increment(by: Int64(added)) }
            } else {
                Gauge(label: name, dimensions: [], factory: factory).record(value)
            }
        }
    }

    /// Routes we label by name; anything else is "other" (keeps label cardinality bounded).
    public static let knownRoutes: Set<String> = ["/", "/healthz", "/metrics", "/openapi.json", "/v1/models", "/v1/solve", "/v1/solve/batch"]

    public func recordRequest(path: String, status: Int, seconds: Double) {
        let route = ServeMetrics.knownRoutes.contains(path) ? path : "other"
        Counter(label: "trm_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory).increment()
        Timer(label: "trm_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    public func recordStep(batchSize: Int, seconds: Double) {
        batchSizes.record(batchSize)
        stepSeconds.recordNanoseconds(Int64(seconds * 1e9))
    }

    public func recordStepsUsed(_ steps: Int) { stepsUsed.record(steps) }

    public func recordVerdict(kind: String, _ status: String) {
        Counter(label: "trm_solutions_total", dimensions: [("kind", kind), ("verdict", status)], factory: factory).increment()
    }

    /// The exposition text: the readings are recorded first, then this server's registry and, when
    /// `trm serve` bootstrapped the process's metrics, Hummingbird's request metrics.
    public func render() -> String {
        recordReadings()
        var text = registry.emitToString()
        if let process = ServeMetrics.processRegistry.value, process !== registry { text += process.emitToString() }
        return text
    }

    /// The registry of the process-wide `MetricsSystem`, once bootstrapped.
    static let processRegistry = LockedBox<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics' process-wide `MetricsSystem` with a Prometheus backend (once per
    /// process; later calls return the same registry). Hummingbird's `MetricsMiddleware` and any
    /// library using the global API record there, and every server's `/metrics` shows it.
    @discardableResult
    public static func bootstrapProcessMetrics() -> PrometheusCollectorRegistry {
        processRegistry.withValue { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            current = registry
            return registry
        }
    }
}

/// A swift-metrics backend writing into a Prometheus registry, like `PrometheusMetricsFactory`,
/// but with our help texts (`# HELP` lines) and histogram buckets per metric name.
public struct HelpfulPrometheusFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry
    let definitions: [String: (help: String, buckets: [Double]?)]

    public init(registry: PrometheusCollectorRegistry, definitions: [String: (help: String, buckets: [Double]?)]) {
        self.registry = registry; self.definitions = definitions
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        // The unit is already part of our names (`_seconds`, `_total`); an empty help text writes no
        // `# HELP` line, as swift-prometheus's own factory does for labels we do not describe.
        MetricNameDescriptor(metricName: label, unitName: "", helpText: definitions[label]?.help ?? "")
    }

    private func buckets(_ label: String) -> [Double] {
        definitions[label]?.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions,
                                       buckets: buckets(label).map { Duration.nanoseconds(Int64($0 * 1e9)) })
    }

    // The registry keeps every series for the server's lifetime (bounded labels), so nothing to free.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}

/// A value behind a lock, for state shared across threads.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    func withValue<R>(_ body: (inout Value) throws -> R) rethrows -> R { try lock.withLock { try body(&stored) } }
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
