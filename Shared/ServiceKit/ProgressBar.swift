import Foundation

/// A progress bar on stderr: redrawn in place on a terminal, one line per step otherwise.
public final class ProgressBar: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private var lastPercent = -1

    public init(interactive: Bool = isatty(2) != 0) { self.interactive = interactive }

    public func show(read: Int, of size: Int) {
        guard size > 0 else { return }
        let percent = read * 100 / size
        lock.lock()
        defer { lock.unlock() }
        guard percent != lastPercent else { return }
        lastPercent = percent
        let bar = String(repeating: "█", count: percent / 4) + String(repeating: "·", count: 25 - percent / 4)
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + "\(bar) \(percent)%" + (interactive ? "" : "\n")).utf8))
    }

    public func done() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
