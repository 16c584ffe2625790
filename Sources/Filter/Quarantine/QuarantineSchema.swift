import Core

/// The quarantine's table: one row per held message; its file is `<spool>/quarantine/<id>`.
public enum QuarantineSchema {
    public static let migrations: [Migration] = [
        Migration("filter.1-quarantine") { _ in
            [
                """
                CREATE TABLE quarantine (
                  id TEXT PRIMARY KEY,
                  held_at BIGINT NOT NULL,
                  reason TEXT NOT NULL,
                  reverse_path TEXT NOT NULL,
                  recipients TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  client_ip TEXT NOT NULL,
                  envelope TEXT NOT NULL)
                """
            ]
        },
        // The console's listing pages newest first on (held_at, id).
        Migration("filter.2-quarantine-held-index") { _ in
            ["CREATE INDEX quarantine_held ON quarantine (held_at, id)"]
        },
    ]
}
