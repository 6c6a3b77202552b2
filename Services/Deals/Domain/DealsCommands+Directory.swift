import Contracts
import Foundation
import GRDB
import ServiceKit

extension DealsCommands {
    /// Phones as E.164, or a 422 naming the first one that is not a phone number.
    func normalized(_ phones: [String], field: String = "phones") throws -> [String] {
        try phones.enumerated().map { index, phone in
            guard let e164 = PhoneNumber.e164(phone) else { throw Problem.invalid("\(field)[\(index)]", "is not a phone number: \(phone)") }
            return e164
        }
    }

    func upsertManager(_ manager: ManagerRecord, _ db: Database) throws -> ManagerRecord {
        var manager = manager
        manager.phones = try normalized(manager.phones)
        guard ["head", "manager"].contains(manager.role) else { throw Problem.invalid("role", "must be head or manager") }
        for (index, ext) in manager.extensions.enumerated() where ext.isEmpty || !ext.allSatisfy(\.isASCIIDigit) {
            throw Problem.invalid("extensions[\(index)]", "must be digits")
        }
        // An extension identifies its manager on calls: two active managers cannot share one.
        for ext in manager.extensions {
            let others = try ManagerRecord.filter(Column("id") != manager.id && Column("active") == true).fetchAll(db)
            if let other = others.first(where: { $0.extensions.contains(ext) }) {
                throw Problem(.conflict, "extension \(ext) belongs to \(other.name) (\(other.id))", field: "extensions")
            }
        }
        if let existing = try ManagerRecord.fetchOne(db, key: manager.id), existing == manager { return existing }
        try manager.save(db)
        try emit(manager.event, db)
        return manager
    }

    struct ClientInput {
        var kind: String
        var name: String
        var inn: String?
        var kpp: String?
        var phones: [String]
        var emails: [String]
        var managerId: String?
        var segment: String?
        var region: String?
        var source: String?
    }

    func validate(_ input: ClientInput, _ db: Database) throws -> (phones: [String], emails: [String]) {
        guard ["company", "person"].contains(input.kind) else { throw Problem.invalid("kind", "must be company or person") }
        guard !input.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("name", "must not be empty") }
        if let inn = input.inn, !INN.isValid(inn) { throw Problem.invalid("inn", "is not a valid INN (10 or 12 digits with check digits)") }
        if let kpp = input.kpp, kpp.count != 9 || !kpp.allSatisfy(\.isASCIIDigit) { throw Problem.invalid("kpp", "must be 9 digits") }
        let phones = try normalized(input.phones)
        for (index, email) in input.emails.enumerated() where !email.contains("@") || email.contains(" ") {
            throw Problem.invalid("emails[\(index)]", "is not an e-mail address")
        }
        if let managerId = input.managerId { _ = try activeManager(managerId, field: "managerId", db) }
        return (phones, input.emails.map { $0.lowercased() })
    }

    func createClient(_ input: ClientInput, _ db: Database) throws -> ClientRecord {
        let (phones, emails) = try validate(input, db)
        if let inn = input.inn, let existing = try ClientRecord.filter(Column("inn") == inn && Column("kpp") == input.kpp).fetchOne(db) {
            throw Problem(.conflict, "a client with INN \(inn) exists: \(existing.name) (\(existing.id))", field: "inn")
        }
        let client = ClientRecord(id: EventID.make(at: now), kind: input.kind, name: input.name, inn: input.inn, kpp: input.kpp,
                                  phones: phones, emails: emails, managerId: input.managerId, segment: input.segment,
                                  region: input.region, source: input.source, createdAt: now, version: 1)
        try client.insert(db)
        try emit(client.event, db)
        return client
    }

    func updateClient(_ id: String, version: Int, _ input: ClientInput, _ db: Database) throws -> ClientRecord {
        guard let before = try ClientRecord.fetchOne(db, key: id) else { throw Problem.notFound("no client \(id)") }
        guard before.version == version else {
            throw Problem(.conflict, "client \(id) is at version \(before.version), not \(version): reload and retry", field: "version")
        }
        let (phones, emails) = try validate(input, db)
        var client = before
        client.kind = input.kind; client.name = input.name; client.inn = input.inn; client.kpp = input.kpp
        client.phones = phones; client.emails = emails; client.managerId = input.managerId
        client.segment = input.segment; client.region = input.region; client.source = input.source
        guard client != before else { return before }
        client.version += 1
        try client.update(db)
        try emit(client.event, db)
        return client
    }

    func addContact(clientId: String, name: String, position: String?, phones: [String], email: String?, _ db: Database) throws -> ContactRecord {
        guard try ClientRecord.exists(db, key: clientId) else { throw Problem.notFound("no client \(clientId)") }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.invalid("name", "must not be empty") }
        let normalized = try normalized(phones)
        let contact = ContactRecord(id: EventID.make(at: now), clientId: clientId, name: name, position: position,
                                    phones: normalized, email: email, createdAt: now)
        try contact.insert(db)
        try emit(ContactAdded(contactId: contact.id, clientId: clientId, name: name, position: position, phones: normalized, email: email), db)
        return contact
    }
}
