import GRDB
import ServiceKit

/// Calls (with their CDR legs), activities, rejected input, and the replica of `pacer-deals`' directory
/// (managers' extensions and phones, clients' phones, open deals) that matching reads.
enum TelephonySchema {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("telephony.v1") { db in
            try db.execute(sql: """
                CREATE TABLE call (
                    callId TEXT PRIMARY KEY, revision INTEGER NOT NULL, direction TEXT NOT NULL, fromNumber TEXT NOT NULL,
                    toNumber TEXT NOT NULL, extension TEXT, counterparty TEXT, managerId TEXT, clientId TEXT, dealId TEXT,
                    startedAt REAL NOT NULL, answeredAt REAL, endedAt REAL, durationSeconds INTEGER NOT NULL,
                    billableSeconds INTEGER NOT NULL, answered INTEGER NOT NULL, disposition TEXT NOT NULL, recordingURL TEXT,
                    source TEXT NOT NULL, updatedAt REAL NOT NULL
                );
                CREATE INDEX call_manager ON call(managerId, startedAt);
                CREATE INDEX call_unmatched_client ON call(counterparty) WHERE clientId IS NULL;
                CREATE INDEX call_unmatched_manager ON call(extension) WHERE managerId IS NULL;
                CREATE TABLE call_leg (
                    callId TEXT NOT NULL, legId TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL, channel TEXT NOT NULL,
                    dstchannel TEXT NOT NULL, startedAt REAL NOT NULL, answeredAt REAL, endedAt REAL, duration INTEGER NOT NULL,
                    billsec INTEGER NOT NULL, disposition TEXT NOT NULL, recordingFile TEXT, line INTEGER NOT NULL,
                    PRIMARY KEY (callId, legId)
                ) WITHOUT ROWID;
                CREATE TABLE activity (
                    activityId TEXT PRIMARY KEY, kind TEXT NOT NULL, managerId TEXT, clientId TEXT, dealId TEXT,
                    at REAL NOT NULL, note TEXT
                );
                CREATE TABLE dir_manager (id TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL);
                CREATE TABLE dir_extension (ext TEXT PRIMARY KEY, managerId TEXT NOT NULL);
                CREATE TABLE dir_phone (phone TEXT PRIMARY KEY, kind TEXT NOT NULL, ownerId TEXT NOT NULL);
                CREATE TABLE dir_deal (
                    dealId TEXT PRIMARY KEY, clientId TEXT NOT NULL, managerId TEXT NOT NULL, status TEXT NOT NULL, createdAt REAL NOT NULL
                );
                CREATE INDEX dir_deal_client ON dir_deal(clientId, status);
                """)
            try db.execute(sql: RejectedInput.tableSQL)
        }
        migrator.registerMigration("telephony.v2-legs-in-call") { db in
            // A call's CDR legs move into its row (`StoredLegs`): storing a new call is one insert.
            try db.execute(sql: "ALTER TABLE call ADD COLUMN legs BLOB")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT callId, legId, src, dst, channel, dstchannel, startedAt, answeredAt, endedAt, duration, billsec, disposition,
                       recordingFile, line FROM call_leg ORDER BY callId, line
                """)
            var callId: String?
            var legs = StoredLegs()
            func store() throws {
                guard let callId, !legs.legs.isEmpty else { return }
                try db.execute(sql: "UPDATE call SET legs = ? WHERE callId = ?", arguments: [legs.json, callId])
            }
            while let leg = try rows.next() {
                let id: String = leg["callId"]
                if id != callId {
                    try store()
                    callId = id
                    legs = StoredLegs()
                }
                legs.legs.append(.init(id: leg["legId"], row: StoredLegs.row(
                    line: leg["line"], src: leg["src"], dst: leg["dst"], channel: leg["channel"], dstchannel: leg["dstchannel"],
                    start: leg["startedAt"], answer: leg["answeredAt"], end: leg["endedAt"], duration: leg["duration"],
                    billsec: leg["billsec"], disposition: leg["disposition"], recordingFile: leg["recordingFile"])))
            }
            try store()
            try db.execute(sql: "DROP TABLE call_leg")
        }
    }
}
