import CJemalloc
import Foundation

/// The memory allocator the process runs on: jemalloc, linked into every Pacer executable in
/// place of glibc's malloc (module `CJemalloc`). Measured with `make bench`: the 1C import and
/// the KPI consumption and recompute gain a tenth to a fifth, because most of their work is
/// small strings and arrays made and freed on a few busy threads.
///
/// `description` is logged at start (`allocator`) so an operator sees what a build runs on — a
/// binary linked without the library would still start, on glibc, and say so here.
public enum Allocator {
    /// jemalloc's version as it reports it (`mallctl("version")`), nil when jemalloc does not serve
    /// this process's `malloc`.
    public static let jemallocVersion: String? = {
        guard servesMalloc else { return nil }
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return nil }
        return String(cString: version)
    }()

    /// Whether the `malloc` every library of the process calls is jemalloc's.
    public static var servesMalloc: Bool {
        pacer_jemalloc_serves_malloc() != 0
    }

    /// Turns jemalloc's background threads on: memory freed in bulk (an import's batches, a
    /// finished burst) is returned to the system by them instead of by whichever thread allocates
    /// next. Without them the 1C import run after the 500,000-call CDR import in one `pacer-bench`
    /// process measured 29,000 documents/s against 35,000–37,000 with. Called first thing by the
    /// long-running processes (`PacerRuntime`, `pacer-bench`), not by the one-shot import commands:
    /// their memory goes back when they exit, and alone the import is ~7 % faster without the
    /// threads purging beside it. Returns whether they are on.
    @discardableResult
    public static func configure() -> Bool {
        guard jemallocVersion != nil else { return false }
        var enable = true
        guard mallctl("background_thread", nil, nil, &enable, MemoryLayout<Bool>.size) == 0 else { return false }
        return backgroundThreads
    }

    /// Whether jemalloc's background threads are on (`mallctl("background_thread")`).
    public static var backgroundThreads: Bool {
        guard jemallocVersion != nil else { return false }
        var enabled = false
        var size = MemoryLayout<Bool>.size
        return mallctl("background_thread", &enabled, &size, nil, 0) == 0 && enabled
    }

    /// `jemalloc 5.3.0-…`, or `glibc malloc`.
    public static var description: String {
        jemallocVersion.map { "jemalloc \($0)" } ?? "glibc malloc"
    }
}
