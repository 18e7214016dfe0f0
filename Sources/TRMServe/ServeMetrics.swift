// ServeMetrics: counters and histograms for `GET /metrics`, written in the Prometheus text
// exposition format (version 0.0.4) by hand: requests by route and status, request latency, model
// batch sizes, step latency, supervision steps used per puzzle, verdicts, queue gauges.
import Foundation

public final class ServeMetrics: @unchecked Sendable {
    private let lock = NSLock()

    /// A fixed-bucket histogram.
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0
        init(_ bounds: [Double]) { self.bounds = bounds; counts = Array(repeating: 0, count: bounds.count) }
        mutating func observe(_ v: Double) {
            for (i, b) in bounds.enumerated() where v <= b { counts[i] += 1 }
            sum += v; count += 1
        }
    }

    static let latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private var requests: [String: Int] = [:]               // "route|status"
    private var latency: [String: Histogram] = [:]          // route
    private var batchSizes = Histogram([1, 2, 4, 8, 16, 32, 64, 128, 256])
    private var stepSeconds = Histogram(ServeMetrics.latencyBuckets)
    private var stepsUsed = Histogram([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64])
    private var verdicts: [String: Int] = [:]               // "kind|status"
    private var _gauges: (@Sendable () -> [(String, String, Double)])?

    public init() {}

    /// Extra gauges read at scrape time: (name, help, value).
    public var gauges: (@Sendable () -> [(String, String, Double)])? {
        get { lock.withLock { _gauges } }
        set { lock.withLock { _gauges = newValue } }
    }

    /// Routes we label by name; anything else is "other" (keeps label cardinality bounded).
    public static let knownRoutes: Set<String> = ["/", "/healthz", "/metrics", "/openapi.json", "/v1/models", "/v1/solve", "/v1/solve/batch"]

    public func recordRequest(path: String, status: Int, seconds: Double) {
        let route = ServeMetrics.knownRoutes.contains(path) ? path : "other"
        lock.withLock {
            requests["\(route)|\(status)", default: 0] += 1
            latency[route, default: Histogram(ServeMetrics.latencyBuckets)].observe(seconds)
        }
    }

    public func recordStep(batchSize: Int, seconds: Double) {
        lock.withLock { batchSizes.observe(Double(batchSize)); stepSeconds.observe(seconds) }
    }

    public func recordStepsUsed(_ steps: Int) { lock.withLock { stepsUsed.observe(Double(steps)) } }

    public func recordVerdict(kind: String, _ status: String) { lock.withLock { verdicts["\(kind)|\(status)", default: 0] += 1 } }

    /// Total requests counted for a route (tests).
    public func requestCount(route: String) -> Int {
        lock.withLock { requests.filter { $0.key.hasPrefix(route + "|") }.values.reduce(0, +) }
    }

    /// The exposition text.
    public func render() -> String {
        let gaugeReader = gauges
        var out = ""
        lock.withLock {
            out += "# HELP trm_http_requests_total HTTP requests by route and status.\n# TYPE trm_http_requests_total counter\n"
            for key in requests.keys.sorted() {
                let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                out += "trm_http_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(requests[key]!)\n"
            }
            out += "# HELP trm_http_request_duration_seconds HTTP request latency.\n# TYPE trm_http_request_duration_seconds histogram\n"
            for route in latency.keys.sorted() {
                out += histogram("trm_http_request_duration_seconds", latency[route]!, labels: "route=\"\(route)\"")
            }
            out += "# HELP trm_batch_size Rows in each supervision step's model batch.\n# TYPE trm_batch_size histogram\n"
            out += histogram("trm_batch_size", batchSizes, labels: nil)
            out += "# HELP trm_step_duration_seconds Time of one batched supervision step.\n# TYPE trm_step_duration_seconds histogram\n"
            out += histogram("trm_step_duration_seconds", stepSeconds, labels: nil)
            out += "# HELP trm_supervision_steps_used Supervision steps each solved puzzle used.\n# TYPE trm_supervision_steps_used histogram\n"
            out += histogram("trm_supervision_steps_used", stepsUsed, labels: nil)
            out += "# HELP trm_solutions_total Solved puzzles by kind and validator verdict.\n# TYPE trm_solutions_total counter\n"
            for key in verdicts.keys.sorted() {
                let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
                out += "trm_solutions_total{kind=\"\(parts[0])\",verdict=\"\(parts[1])\"} \(verdicts[key]!)\n"
            }
        }
        for (name, help, value) in gaugeReader?() ?? [] {
            out += "# HELP \(name) \(help).\n# TYPE \(name) \(name.hasSuffix("_total") ? "counter" : "gauge")\n\(name) \(format(value))\n"
        }
        return out
    }

    private func histogram(_ name: String, _ h: Histogram, labels: String?) -> String {
        let prefix = labels.map { $0 + "," } ?? ""
        var s = ""
        for (b, c) in zip(h.bounds, h.counts) { s += "\(name)_bucket{\(prefix)le=\"\(format(b))\"} \(c)\n" }
        s += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
        let l = labels.map { "{\($0)}" } ?? ""
        s += "\(name)_sum\(l) \(format(h.sum))\n\(name)_count\(l) \(h.count)\n"
        return s
    }

    private func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
