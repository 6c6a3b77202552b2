/// The keys of a statement by their bytes as read, so a line's key is recognised by one hash and
/// one comparison instead of being decoded, hashed as an array and compared marker by marker —
/// and every line with the same key shares one `String`. A file uses a few dozen keys; past
/// `capacity` (a file of nonsense keys) new ones are simply not remembered.
struct KeyTable {
    enum Kind: Equatable {
        case exchange, document, documentEnd, account, accountEnd, fileEnd
        /// A key Pacer reads: its position in `Known.names`.
        case known(Int)
        case other
    }

    struct Key {
        var kind: Kind
        var text: String
    }

    private struct Entry {
        var hash: UInt64
        var bytes: [UInt8]
        var key: Key
    }

    private static let buckets = 1024
    static let capacity = 512
    private var slots = [Int32](repeating: -1, count: buckets)
    private var entries: [Entry] = []

    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Key? {
        let hash = Self.hash(bytes)
        var bucket = Int(truncatingIfNeeded: hash) & (Self.buckets - 1)
        while true {
            let slot = slots[bucket]
            if slot < 0 { return nil }
            let entry = entries[Int(slot)]
            if entry.hash == hash, entry.bytes.elementsEqual(bytes) { return entry.key }
            bucket = (bucket + 1) & (Self.buckets - 1)
        }
    }

    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ key: Key) {
        guard entries.count < Self.capacity else { return }
        let hash = Self.hash(bytes)
        var bucket = Int(truncatingIfNeeded: hash) & (Self.buckets - 1)
        while slots[bucket] >= 0 { bucket = (bucket + 1) & (Self.buckets - 1) }
        slots[bucket] = Int32(entries.count)
        entries.append(Entry(hash: hash, bytes: Array(bytes), key: key))
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
