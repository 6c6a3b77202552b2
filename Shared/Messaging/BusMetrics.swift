import CoreMetrics
import Metrics

/// The bus's Prometheus series. Labels: `stream`, and `publisher` for lag.
///
/// - `pacer_bus_events_published_total`, `pacer_bus_events_consumed_total`,
///   `pacer_bus_events_replayed_total`, `pacer_bus_events_dead_lettered_total`,
///   `pacer_bus_duplicates_dropped_total`, `pacer_bus_replay_requests_total`
/// - `pacer_bus_lag` (gauge): known head minus applied sequence, per publisher and stream.
public struct BusMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func published(_ stream: String, _ count: Int) {
        Counter(label: "pacer_bus_events_published_total", dimensions: [("stream", stream)], factory: factory).increment(by: count)
    }
    func consumed(_ stream: String, _ count: Int = 1) {
        Counter(label: "pacer_bus_events_consumed_total", dimensions: [("stream", stream)], factory: factory).increment(by: count)
    }
    func replayed(_ stream: String, _ count: Int = 1) {
        Counter(label: "pacer_bus_events_replayed_total", dimensions: [("stream", stream)], factory: factory).increment(by: count)
    }
    func deadLettered(_ stream: String) {
        Counter(label: "pacer_bus_events_dead_lettered_total", dimensions: [("stream", stream)], factory: factory).increment()
    }
    func duplicate(_ stream: String) {
        Counter(label: "pacer_bus_duplicates_dropped_total", dimensions: [("stream", stream)], factory: factory).increment()
    }
    func replayRequested(_ stream: String) {
        Counter(label: "pacer_bus_replay_requests_total", dimensions: [("stream", stream)], factory: factory).increment()
    }
    func lag(publisher: String, stream: String, _ value: Int64) {
        Gauge(label: "pacer_bus_lag", dimensions: [("publisher", publisher), ("stream", stream)], factory: factory).record(value)
    }
}
