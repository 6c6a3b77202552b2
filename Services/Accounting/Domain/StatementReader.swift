import Contracts
import Foundation

/// Reads and parses a statement file on a thread of its own, handing batches of parsed outputs
/// (documents already made into drafts: identity, id and the purpose's invoice numbers; with a
/// `preparer`, decided on too — on a second thread: duplicate or not, matched, their events
/// written, and the invoices each batch paid) to the importer, which stores them inside its
/// transaction meanwhile. On two cores the parsing and deciding no longer take turns with SQLite.
/// At most `depth` batches wait at each hand-over, so memory stays bounded whatever the file.
final class StatementReader: @unchecked Sendable {
    /// A class, so that handing an item on is one reference: as a value it was some sixty strings,
    /// and each copy the compiler made (the importer's writer made one per document, however it
    /// was read) retained and released every one of them.
    final class Item {
        enum Decision {
            /// Stored before, or earlier in the file; its direction, for the summary.
            case duplicate(PaymentDirection)
            case store(PreparedPayment)
        }

        let output: BankStatementParser.Output
        let draft: PaymentDraft?
        /// What the preparer decided of a document.
        var decision: Decision?

        init(output: BankStatementParser.Output, draft: PaymentDraft?) {
            self.output = output
            self.draft = draft
        }
    }

    struct Batch {
        var items: [Item]
        /// Bytes of the file read so far.
        var read: Int
        /// What the batch's payments did to invoices, to write after them (with a preparer).
        var invoiceChanges: [InvoiceBook.Change] = []
    }

    /// What the parser learned of the whole file, known once it is read.
    struct Ending {
        var encoding: StatementEncoding?
        var formatVersion: String?
        var sawFileEnd: Bool
        var recognised: Bool
    }

    private let condition = NSCondition()
    private var queue: [Batch] = []
    /// Batches the importer is done with, freed here: an item is a dozen strings, a draft and its
    /// events' payloads, and letting go of 100,000 of them cost the writer a tenth of its time.
    private var spent: [Batch] = []
    private var ending: Ending?
    private var failure: (any Error)?
    private var cancelled = false
    private var running = true
    private let depth: Int

    /// Starts reading `path` at once; documents become drafts with `source` and `importId`, and
    /// every item goes through `preparer` in file order. `tee` gets every chunk read, in order, on
    /// the parsing thread (an import keeps the file as it parses it); what it throws fails the read.
    ///
    /// With a preparer the file is parsed on a thread of its own and decided on another: with the
    /// writer that is three threads for two cores, so the core the writer leaves idle — while the
    /// preparer reads the invoices at the start, or whenever the writer waits — parses ahead
    /// instead of waiting for the deciding.
    init(path: String, source: String, importId: Int64, preparer: ImportPreparer? = nil, batchSize: Int = 500, depth: Int = 8,
         tee: (@Sendable (Data) throws -> Void)? = nil) {
        self.depth = depth
        let thread: Thread
        if let preparer {
            let parsed = StatementReader(path: path, source: source, importId: importId, preparer: nil, batchSize: batchSize, depth: depth, tee: tee)
            thread = Thread { [self] in
                do {
                    try preparer.reading { try decide(parsed, preparer) }
                } catch {
                    parsed.cancel()
                    condition.withLock { failure = error }
                }
                finish()
            }
        } else {
            thread = Thread { [self] in
                do {
                    try read(path: path, source: source, importId: importId, batchSize: batchSize, tee: tee)
                } catch {
                    condition.withLock { failure = error }
                }
                finish()
            }
        }
        thread.name = "pacer-statement-reader"
        thread.start()
    }

    private func finish() {
        condition.withLock {
            running = false
            condition.broadcast()
        }
    }

    /// Decides the batches `parsed` hands over, in order, and passes them on with the invoices
    /// they paid.
    private func decide(_ parsed: StatementReader, _ preparer: ImportPreparer) throws {
        while var batch = try parsed.next() {
            for item in batch.items { try preparer.prepare(item) }
            batch.invoiceChanges = preparer.takeInvoiceChanges()
            guard hand(batch) else {
                parsed.cancel()
                return
            }
        }
        let ending = parsed.end
        condition.withLock { self.ending = ending }
    }

    private func read(path: String, source: String, importId: Int64, batchSize: Int, tee: (@Sendable (Data) throws -> Void)?) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        var parser = BankStatementParser(keepsFields: false)
        var items: [Item] = []
        var read = 0
        let collect: (BankStatementParser.Output) -> Void = { output in
            var draft: PaymentDraft?
            if case .document(let document) = output { draft = PaymentDraft(document: document, source: source, importId: importId) }
            items.append(Item(output: output, draft: draft))
        }
        // Small reads, so batches are about `batchSize` documents and not a megabyte's worth: the
        // writer's queue is shorter when the file ends.
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            read += chunk.count
            try tee?(chunk)
            parser.feed(chunk, collect)
            guard hand(&items, read: read, when: batchSize) else { return }
        }
        parser.finish(collect)
        guard hand(&items, read: read, when: 0) else { return }
        condition.withLock {
            ending = Ending(encoding: parser.encoding, formatVersion: parser.formatVersion, sawFileEnd: parser.sawFileEnd,
                            recognised: parser.recognised)
        }
    }

    /// Passes `items` on in batches of `size` (all of them when `size` is 0); false once cancelled.
    private func hand(_ items: inout [Item], read: Int, when size: Int) -> Bool {
        guard !items.isEmpty, items.count >= size else { return condition.withLock { !cancelled } }
        defer { items = [] }
        return hand(Batch(items: items, read: read))
    }

    /// Queues `batch`, waiting while `depth` batches wait; false once cancelled.
    private func hand(_ batch: Batch) -> Bool {
        var freed: [Batch] = []
        defer { freed.removeAll() }  // outside the lock
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append(batch)
        swap(&freed, &spent)
        condition.broadcast()
        return true
    }

    /// Hands a batch back once its items are stored, so that they are freed on the reading thread.
    func recycle(_ batch: Batch) {
        condition.withLock { spent.append(batch) }
    }

    /// The next batch, waiting for it; nil once the file is read through. Throws what reading threw.
    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && running { condition.wait() }
        if !queue.isEmpty {
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    /// After `next()` returned nil.
    var end: Ending? { condition.withLock { ending } }

    /// Stops the reading (the importer failed) and waits for the thread to let go of the file.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while running { condition.wait() }
    }
}
