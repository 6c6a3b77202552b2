@testable import Accounting
@testable import Contracts
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
            // Cut in two and read the way an import reads (only the keys Pacer uses), it must find
            // the same documents at the same bytes, and reject the same ones with the same text.
            var whole = BankStatementParser()
            var wholeOutputs: [String] = []
            let wholeTake: (BankStatementParser.Output) -> Void = { wholeOutputs.append(Self.summary($0, bytes.count)) }
            whole.feed(bytes, wholeTake)
            whole.finish(wholeTake)
            var split = BankStatementParser(keepsFields: false)
            var splitOutputs: [String] = []
            let splitTake: (BankStatementParser.Output) -> Void = { splitOutputs.append(Self.summary($0, bytes.count)) }
            let middle = bytes.count / 2
            split.feed(UnsafeBufferPointer(rebasing: bytes[..<middle]), splitTake)
            split.feed(UnsafeBufferPointer(rebasing: bytes[middle...]), splitTake)
            split.finish(splitTake)
            precondition(wholeOutputs == splitOutputs, "the lean, split reading differs: \(wholeOutputs) / \(splitOutputs)")
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
            // What the hand reader accepts, Foundation's decoder must accept as the same value.
            Self.sameAsFoundation(CallRecorded.self, data)
            Self.sameAsFoundation(DealWon.self, data)
            _ = try? EventCodec.decode(PaymentReceived.self, from: data)
            _ = try? EventCodec.decode(ReceivableOverdue.self, from: data)
        }
    }

    static func sameAsFoundation<P: EventPayload & Equatable & JSONReadable>(_ type: P.Type, _ data: Data) {
        guard let read = try? EventCodec.read(P.self, as: P.self, from: data) else { return }
        guard let decoded = try? EventCodec.makeDecoder().decode(EventEnvelope<P>.self, from: data) else {
            preconditionFailure("the reader accepted what Foundation refuses: \(String(decoding: data, as: UTF8.self))")
        }
        precondition(read == decoded, "the reader and Foundation differ: \(String(decoding: data, as: UTF8.self))")
    }

    /// A statement parser's output without what only a full reading has (the other fields).
    static func summary(_ output: BankStatementParser.Output, _ size: Int) -> String {
        switch output {
        case .document(let document):
            precondition(document.byteOffset >= 0 && document.byteLength > 0 && document.byteOffset + document.byteLength <= size,
                         "document bytes \(document.byteOffset)+\(document.byteLength) outside \(size)")
            return "document \([document.kind, document.number, document.date, String(document.amountKopecks), document.receivedOn ?? "-", document.debitedOn ?? "-", document.payerAccount ?? "-", document.payeeAccount ?? "-", document.payerInn ?? "-", document.payerName, document.purpose, "\(document.firstLine)-\(document.lastLine)", "\(document.byteOffset)+\(document.byteLength)"])"
        case .rejected(let rejection): return "rejected \(rejection)"
        case .warning(let line, let message): return "warning \(line) \(message)"
        case .header(let field): return "header \(field)"
        case .account(let section): return "account \(section)"
        }
    }
}
