import Core
import Directory
import Foundation
import SQLKit

/// A user's webmail settings.
public struct WebmailSettings: Sendable, Hashable {
    /// The name put in From: (empty: the account's address alone).
    public var displayName = ""
    /// Added below new messages after `-- ` (RFC 3676 §4.3 signature separator).
    public var signature = ""
    /// Reply-To: of new messages (empty: none).
    public var replyTo = ""
    public var pageSize = 50

    public init() {}

    public static let maxDisplayName = 100
    public static let maxSignature = 2000
}

extension Webmail {
    public func settings(_ account: Account) async throws -> WebmailSettings {
        let row = try await database.withConnection { db in
            try await db.select().columns("display_name", "signature", "reply_to", "page_size").from("webmail_settings")
                .where("account_id", .equal, account.id).first()
        }
        var settings = WebmailSettings()
        guard let row else { return settings }
        settings.displayName = try row.decode(column: "display_name", as: String.self)
        settings.signature = try row.decode(column: "signature", as: String.self)
        settings.replyTo = try row.decode(column: "reply_to", as: String.self)
        settings.pageSize = Int(try row.decode(column: "page_size", as: Int64.self))
        return settings
    }

    /// Saves the settings after checking them: lengths, no control characters in the name, a
    /// reply-to that is one address, a page size in `WebmailLimits.pageSizes`.
    public func saveSettings(_ account: Account, _ settings: WebmailSettings) async throws {
        var settings = settings
        settings.displayName = settings.displayName.trimmingCharacters(in: .whitespaces)
        settings.replyTo = settings.replyTo.trimmingCharacters(in: .whitespaces)
        guard settings.displayName.count <= WebmailSettings.maxDisplayName,
            !settings.displayName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw WebmailError.invalid("The display name has at most \(WebmailSettings.maxDisplayName) characters, on one line.")
        }
        guard settings.signature.count <= WebmailSettings.maxSignature else {
            throw WebmailError.invalid("The signature has at most \(WebmailSettings.maxSignature) characters.")
        }
        if !settings.replyTo.isEmpty, (try? MailAddress(parsing: settings.replyTo)) == nil {
            throw WebmailError.invalid("The reply-to address is not a mail address.")
        }
        guard WebmailLimits.pageSizes.contains(settings.pageSize) else {
            throw WebmailError.invalid(
                "Messages per page: \(WebmailLimits.pageSizes.lowerBound) to \(WebmailLimits.pageSizes.upperBound).")
        }
        let at = UnixTime.now()
        try await database.withConnection { [settings] db in
            try await db.raw(
                """
                INSERT INTO webmail_settings (account_id, display_name, signature, reply_to, page_size, updated_at)
                VALUES (\(bind: account.id), \(bind: settings.displayName), \(bind: settings.signature),
                  \(bind: settings.replyTo), \(bind: Int64(settings.pageSize)), \(bind: at))
                ON CONFLICT (account_id) DO UPDATE SET display_name = excluded.display_name,
                  signature = excluded.signature, reply_to = excluded.reply_to, page_size = excluded.page_size,
                  updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// Whether the user loads remote content of mail from `sender` without asking.
    public func trustsRemoteContent(_ account: Account, from sender: String) async throws -> Bool {
        guard !sender.isEmpty else { return false }
        return try await database.withConnection { db in
            try await db.select().column("sender").from("webmail_remote_sender").where("account_id", .equal, account.id)
                .where("sender", .equal, sender.lowercased()).first()
        } != nil
    }

    /// "Always show remote content from this sender."
    public func trustRemoteContent(_ account: Account, from sender: String) async throws {
        let sender = sender.lowercased()
        guard !sender.isEmpty, sender.utf8.count <= 320, sender.contains("@") else {
            throw WebmailError.invalid("That sender has no address.")
        }
        let at = UnixTime.now()
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO webmail_remote_sender (account_id, sender, created_at) VALUES (\(bind: account.id), \(bind: sender), \(bind: at))
                ON CONFLICT (account_id, sender) DO NOTHING
                """
            ).run()
        }
    }
}
