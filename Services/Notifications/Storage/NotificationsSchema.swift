import GRDB

/// Notifications stored before they are sent (with their idempotency key, attempts and state),
/// rule and template overrides, channel settings, and the replica of the directory and the day's
/// payments that messages and digests are written from.
enum NotificationsSchema {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("notifications.v1") { db in
            try db.execute(sql: """
                CREATE TABLE notification (
                    id TEXT PRIMARY KEY, idempotencyKey TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, recipient TEXT NOT NULL,
                    channel TEXT NOT NULL, address TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, urgent INTEGER NOT NULL,
                    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lastError TEXT, notBefore REAL NOT NULL,
                    createdAt REAL NOT NULL, sentAt REAL, cancelKey TEXT, position INTEGER NOT NULL
                );
                CREATE INDEX notification_due ON notification(status, notBefore) WHERE status = 'pending';
                CREATE INDEX notification_address ON notification(recipient, channel, address, position) WHERE status = 'pending';
                CREATE INDEX notification_position ON notification(position);
                CREATE INDEX notification_cancel ON notification(cancelKey) WHERE cancelKey IS NOT NULL;
                CREATE TABLE rule_override (rule TEXT PRIMARY KEY, json TEXT NOT NULL);
                CREATE TABLE template_override (key TEXT NOT NULL, locale TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (key, locale));
                CREATE TABLE channel_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
                CREATE TABLE dir_manager (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, email TEXT, telegramChatId TEXT,
                    active INTEGER NOT NULL);
                CREATE TABLE dir_client (id TEXT PRIMARY KEY, name TEXT NOT NULL, managerId TEXT);
                CREATE TABLE dir_deal (id TEXT PRIMARY KEY, title TEXT NOT NULL, clientId TEXT NOT NULL, managerId TEXT NOT NULL, amount INTEGER NOT NULL,
                    currency TEXT NOT NULL, stageId TEXT NOT NULL);
                CREATE TABLE day_payment (paymentId TEXT PRIMARY KEY, receivedOn TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,
                    clientId TEXT, managerId TEXT, payerName TEXT NOT NULL, revision INTEGER NOT NULL);
                CREATE INDEX day_payment_day ON day_payment(receivedOn);
                CREATE TABLE manager_kpi (managerId TEXT PRIMARY KEY, period TEXT NOT NULL, json TEXT NOT NULL);
                CREATE TABLE plan_status (planId TEXT PRIMARY KEY, status TEXT NOT NULL);
                CREATE TABLE digest_sent (key TEXT PRIMARY KEY, at REAL NOT NULL);
                """)
        }
        // A message handed to a channel is `sending` until its answer is recorded; one found so
        // after a restart is in doubt (see `InDoubtPolicy`).
        migrator.registerMigration("notifications.v2") { db in
            try db.execute(sql: """
                ALTER TABLE notification ADD COLUMN redelivery INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX notification_sending ON notification(id) WHERE status = 'sending';
                """)
        }
    }
}
