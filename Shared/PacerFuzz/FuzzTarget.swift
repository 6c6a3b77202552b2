@testable import Accounting
import Contracts
import Foundation
import Messaging
import ServiceKit
@testable import Telephony

/// What each fuzz target feeds its bytes to: the parsers that take input from outside — a bank's
/// statement file, a PBX's Master.csv, a cloud PBX's webhook form — and the bus's header and
/// envelope decoders. Any input may be refused; none may crash, hang or grow memory unbounded.
enum FuzzTarget: String, CaseIterable {
    case statement, cdr, zadarma, envelope

    static let zone = TimeZone(identifier: "Europe/Moscow")!

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .statement:
            // Whole, and again cut in two: the parser streams, and a boundary anywhere must not matter.
            var whole = BankStatementParser()
            whole.feed(bytes) { _ in }
            whole.finish { _ in }
            var split = BankStatementParser()
            let middle = bytes.count / 2
            split.feed(UnsafeBufferPointer(rebasing: bytes[..<middle])) { _ in }
            split.feed(UnsafeBufferPointer(rebasing: bytes[middle...])) { _ in }
            split.finish { _ in }
        case .cdr:
            var parser = CDRParser(timeZone: Self.zone)
            parser.feed(bytes) { _ in }
            parser.finish { _ in }
        case .zadarma:
            let form = FormBody.parse(String(decoding: bytes, as: UTF8.self))
            _ = form["call_start"].flatMap { CDRParser(timeZone: Self.zone).date($0) }
            _ = TelephonyRoutes.zadarmaSignature((form["caller_id"] ?? "") + (form["call_start"] ?? ""), secret: "fuzz")
            _ = form["duration"].flatMap { Int($0) }
        case .envelope:
            _ = WireHeader(parsing: bytes)
            let data = Data(bytes)
            _ = try? EventCodec.decodeHeader(from: data)
            _ = try? EventCodec.decode(DealCreated.self, from: data)
            _ = try? EventCodec.decode(CallRecorded.self, from: data)
            _ = try? EventCodec.decode(PaymentReceived.self, from: data)
            _ = try? EventCodec.decode(ReceivableOverdue.self, from: data)
        }
    }
}
