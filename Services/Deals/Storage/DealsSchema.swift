import Foundation
import GRDB
import ServiceKit

/// The deals service's tables, and the reference data a new database starts with: the default
/// sales pipeline and loss reasons (an admin edits both through the API).
enum DealsSchema {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("deals.v1") { db in
            try db.execute(sql: """
                CREATE TABLE manager (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, teamId TEXT, role TEXT NOT NULL,
                    extensions TEXT NOT NULL, phones TEXT NOT NULL, email TEXT, telegramChatId TEXT,
                    regions TEXT NOT NULL, active INTEGER NOT NULL
                );
                CREATE TABLE client (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, inn TEXT, kpp TEXT,
                    phones TEXT NOT NULL, emails TEXT NOT NULL, managerId TEXT REFERENCES manager(id),
                    segment TEXT, region TEXT, source TEXT, createdAt TEXT NOT NULL, version INTEGER NOT NULL
                );
                CREATE INDEX client_manager ON client(managerId);
                CREATE UNIQUE INDEX client_inn ON client(inn, kpp) WHERE inn IS NOT NULL;
                CREATE TABLE contact (
                    id TEXT PRIMARY KEY, clientId TEXT NOT NULL REFERENCES client(id), name TEXT NOT NULL,
                    position TEXT, phones TEXT NOT NULL, email TEXT, createdAt TEXT NOT NULL
                );
                CREATE TABLE pipeline (id TEXT PRIMARY KEY, name TEXT NOT NULL);
                CREATE TABLE stage (
                    pipelineId TEXT NOT NULL REFERENCES pipeline(id), id TEXT NOT NULL, name TEXT NOT NULL,
                    position INTEGER NOT NULL, probability INTEGER NOT NULL, department TEXT NOT NULL, kind TEXT NOT NULL,
                    PRIMARY KEY (pipelineId, id)
                );
                CREATE TABLE loss_reason (id TEXT PRIMARY KEY, name TEXT NOT NULL);
                CREATE TABLE deal (
                    id TEXT PRIMARY KEY, title TEXT NOT NULL, clientId TEXT NOT NULL REFERENCES client(id),
                    managerId TEXT NOT NULL REFERENCES manager(id), amountKopecks INTEGER NOT NULL, currency TEXT NOT NULL,
                    category TEXT, region TEXT, segment TEXT, source TEXT, pipelineId TEXT NOT NULL, stageId TEXT NOT NULL,
                    status TEXT NOT NULL, isRepeatSale INTEGER NOT NULL, problem INTEGER NOT NULL, problemComment TEXT,
                    lossReason TEXT, expectedCloseDate TEXT, createdAt TEXT NOT NULL, closedAt TEXT, version INTEGER NOT NULL,
                    FOREIGN KEY (pipelineId, stageId) REFERENCES stage(pipelineId, id)
                );
                CREATE INDEX deal_manager ON deal(managerId, status);
                CREATE INDEX deal_client ON deal(clientId, status);
                CREATE TABLE deal_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, dealId TEXT NOT NULL REFERENCES deal(id), at TEXT NOT NULL,
                    authorId TEXT, kind TEXT NOT NULL, fromStageId TEXT, toStageId TEXT, fromStatus TEXT, toStatus TEXT,
                    fromManagerId TEXT, toManagerId TEXT, fromAmount INTEGER, toAmount INTEGER, comment TEXT
                );
                CREATE INDEX deal_history_deal ON deal_history(dealId, id);
                CREATE TABLE task (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, assigneeId TEXT NOT NULL REFERENCES manager(id),
                    dealId TEXT REFERENCES deal(id), clientId TEXT REFERENCES client(id), dueAt TEXT NOT NULL,
                    status TEXT NOT NULL, completedAt TEXT, overdueNotified INTEGER NOT NULL, createdAt TEXT NOT NULL
                );
                CREATE INDEX task_due ON task(status, overdueNotified, dueAt);
                CREATE TABLE invoice (
                    id TEXT PRIMARY KEY, dealId TEXT NOT NULL REFERENCES deal(id), number TEXT NOT NULL UNIQUE,
                    issuedOn TEXT NOT NULL, dueOn TEXT NOT NULL, amountKopecks INTEGER NOT NULL, currency TEXT NOT NULL,
                    createdAt TEXT NOT NULL
                );
                CREATE TABLE instalment (
                    dealId TEXT NOT NULL REFERENCES deal(id), invoiceId TEXT REFERENCES invoice(id), position INTEGER NOT NULL,
                    dueOn TEXT NOT NULL, amountKopecks INTEGER NOT NULL, PRIMARY KEY (dealId, position)
                );
                CREATE TABLE lead (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, email TEXT, source TEXT, region TEXT, segment TEXT,
                    managerId TEXT REFERENCES manager(id), assignedRule TEXT, createdAt TEXT NOT NULL
                );
                CREATE TABLE lead_rotation (key TEXT PRIMARY KEY, lastManagerId TEXT NOT NULL);
                CREATE TABLE approval (
                    id TEXT PRIMARY KEY, dealId TEXT NOT NULL REFERENCES deal(id), requesterId TEXT NOT NULL,
                    subject TEXT NOT NULL, amountKopecks INTEGER NOT NULL, attachmentName TEXT, attachment BLOB,
                    status TEXT NOT NULL, comment TEXT, deciderId TEXT, createdAt TEXT NOT NULL, decidedAt TEXT
                );
                """)
            try PipelineRecord(id: "sales", name: "Продажи").insert(db)
            let stages: [(String, String, Int, String, StageKind)] = [
                ("new", "Новая", 10, "sales", .open),
                ("qualified", "Квалификация", 20, "sales", .open),
                ("proposal", "КП отправлено", 40, "sales", .open),
                ("negotiation", "Переговоры", 60, "sales", .open),
                ("contract", "Договор", 80, "legal", .open),
                ("won", "Успешно", 100, "sales", .won),
                ("lost", "Проиграна", 0, "sales", .lost),
            ]
            for (index, stage) in stages.enumerated() {
                try StageRecord(pipelineId: "sales", id: stage.0, name: stage.1, position: index + 1, probability: stage.2,
                                department: stage.3, kind: stage.4).insert(db)
            }
            for (id, name) in [("price", "Цена"), ("competitor", "Выбрали конкурента"), ("no_budget", "Нет бюджета"),
                               ("no_response", "Не выходит на связь"), ("not_qualified", "Нецелевой"), ("other", "Другое")] {
                try db.execute(sql: "INSERT INTO loss_reason(id, name) VALUES (?, ?)", arguments: [id, name])
            }
        }
        migrator.registerMigration("deals.v2-import") { db in
            // Deals imported from another CRM keep its id, so importing the same file again
            // finds them instead of creating copies.
            try db.execute(sql: """
                ALTER TABLE deal ADD COLUMN externalId TEXT;
                CREATE UNIQUE INDEX deal_external ON deal(externalId) WHERE externalId IS NOT NULL;
                """)
            try db.execute(sql: RejectedInput.tableSQL)
        }
    }
}
