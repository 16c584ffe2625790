import Core

/// Per-account and per-domain spam settings (`posta filter settings`).
public enum SpamSettingsSchema {
    public static let migrations: [Migration] = [
        // scope: an account address (`alice@example.org`) or a domain (`@example.org`), lower
        // case; NULL columns inherit (account → domain → `[filter]`).
        Migration("filter.2-spam-settings") { _ in
            [
                """
                CREATE TABLE filter_spam_settings (
                  scope TEXT PRIMARY KEY,
                  junk_threshold DOUBLE PRECISION,
                  reject_threshold DOUBLE PRECISION,
                  junk BOOLEAN)
                """
            ]
        }
    ]
}
