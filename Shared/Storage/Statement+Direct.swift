import Foundation
import GRDB
import GRDBSQLite

/// Values bound straight through SQLite's C API, in the statement's parameter order.
///
/// GRDB's `StatementArguments` boxes every value in an existential and converts it to a
/// `DatabaseValue` before binding: on the import paths (a call's twenty columns, a payment's
/// twenty-eight, every outbox row) that was a third of the writer thread's time.
public struct DirectBindings: ~Copyable {
    let statement: SQLiteStatement
    private(set) var count: CInt = 0

    init(_ statement: SQLiteStatement) { self.statement = statement }

    /// SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private mutating func next() -> CInt {
        count += 1
        return count
    }

    public mutating func add(_ value: String?) {
        let index = next()
        guard var value else { sqlite3_bind_null(statement, index); return }
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                // A pointer is needed even for the empty string, or SQLite binds NULL.
                _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                return
            }
            _ = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(statement, index, $0, CInt(bytes.count), Self.transient)
            }
        }
    }

    public mutating func add(_ value: Int64?) {
        let index = next()
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    public mutating func add(_ value: Int?) { add(value.map(Int64.init)) }

    public mutating func add(_ value: Bool) { add(Int64(value ? 1 : 0)) }

    public mutating func add(_ value: Double?) {
        let index = next()
        if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    public mutating func add(_ value: Data) {
        let index = next()
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), CInt(bytes.count), Self.transient)
        }
    }
}

extension Statement {
    /// Binds the statement's parameters through `bind` and runs it to its end. Every parameter
    /// must be bound, in order.
    ///
    /// SQLite is stepped directly, as `fetchFirst(binding:_:)` does: GRDB's bookkeeping around
    /// each statement (its scheduling check, the observation broker before and after) was a tenth
    /// of an import writer's time, and Pacer registers no transaction observers. For INSERT,
    /// UPDATE, DELETE and UPSERT statements only — transaction and savepoint statements must go
    /// through GRDB, which keeps track of them.
    public func execute(binding bind: (inout DirectBindings) -> Void) throws {
        assert(!["BEGIN", "COMMIT", "END", "SAVEPOINT", "RELEASE", "ROLLBACK"].contains {
            sql.drop { $0.isWhitespace }.prefix(9).uppercased().hasPrefix($0)
        }, "a transaction statement through execute(binding:): \(sql)")
        try stepping(bind) { step in while try step() {} }
    }
}

/// The current row of a statement stepped by `fetchFirst(binding:_:)`, read by column index.
public struct DirectRow: ~Copyable {
    let statement: SQLiteStatement

    public func string(_ column: CInt) -> String? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL, let text = sqlite3_column_text(statement, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
    }

    public func int64(_ column: CInt) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    public func double(_ column: CInt) -> Double? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
    }
}

extension Statement {
    /// Binds through `bind`, steps once and reads the first row, if any, through `read`: a keyed
    /// lookup on the writer's path without GRDB's row and argument boxing. The statement is reset
    /// and its bindings cleared afterwards, so GRDB may use it again as if untouched.
    public func fetchFirst<T>(binding bind: (inout DirectBindings) -> Void, _ read: (borrowing DirectRow) -> T) throws -> T? {
        try stepping(bind) { step in try step() ? read(DirectRow(statement: sqliteStatement)) : nil }
    }

    /// Binds through `bind` and reads every row through `read`, as `fetchFirst(binding:_:)` does
    /// the first: for the lookups a writer repeats many times over.
    public func fetchAll<T>(binding bind: (inout DirectBindings) -> Void, _ read: (borrowing DirectRow) -> T) throws -> [T] {
        try stepping(bind) { step in
            var rows: [T] = []
            while try step() { rows.append(read(DirectRow(statement: sqliteStatement))) }
            return rows
        }
    }

    /// Resets and binds the statement, hands `body` a step function (true: a row is there), and
    /// resets and unbinds it again whatever happens.
    private func stepping<R>(_ bind: (inout DirectBindings) -> Void, _ body: (() throws -> Bool) throws -> R) throws -> R {
        sqlite3_reset(sqliteStatement)
        sqlite3_clear_bindings(sqliteStatement)
        defer {
            sqlite3_reset(sqliteStatement)
            sqlite3_clear_bindings(sqliteStatement)
        }
        var bindings = DirectBindings(sqliteStatement)
        bind(&bindings)
        precondition(Int(bindings.count) == Int(sqlite3_bind_parameter_count(sqliteStatement)),
                     "bound \(bindings.count) of \(sqlite3_bind_parameter_count(sqliteStatement)) parameters: \(sql)")
        return try body {
            switch sqlite3_step(sqliteStatement) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            case let code:
                let message = sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)).map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
            }
        }
    }
}
