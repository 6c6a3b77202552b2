import Foundation

/// Faults a system test injects on purpose, to prove its checks would catch them. Debug builds
/// only — a release binary has no such switch. `PACER_FAULT_INJECT=drop-every-N` makes a consumer
/// mark every Nth event applied without applying it: the lost-message bug the inbox and sequence
/// numbers exist to prevent, which the chaos harness must then report.
enum FaultInjection {
    #if DEBUG
    static let dropEvery: Int = {
        guard let text = ProcessInfo.processInfo.environment["PACER_FAULT_INJECT"], text.hasPrefix("drop-every-"),
              let n = Int(text.dropFirst("drop-every-".count)), n > 0 else { return 0 }
        return n
    }()
    nonisolated(unsafe) static var seen = 0
    #endif

    /// Whether to swallow this event (only ever true under an injected fault).
    static func swallow() -> Bool {
        #if DEBUG
        guard dropEvery > 0 else { return false }
        seen += 1        // one thread applies events: the subscriber's processor
        return seen % dropEvery == 0
        #else
        return false
        #endif
    }
}
