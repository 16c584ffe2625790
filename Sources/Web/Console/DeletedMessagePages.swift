import Admin
import Hummingbird
import Store

/// `/admin/account/deleted?address=`: an account's deleted messages kept for undelete
/// (docs/undelete.md), with a folder filter, and a restore of the ticked ones or of a whole
/// folder (`AdminConsole.keptMessages` / `restoreKept`).
extension ConsolePages {
    func deletedMessages(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard let address = call.query.text("address") ?? call.form.text("address") else {
            throw AdminError.notFound("account")
        }
        let folder = call.query.text("folder") ?? call.form.text("folder")
        let kept = try await console.keptMessages(as: call.principal, address: address, DeletedMessageFilter(mailbox: folder))
        let rows: [[String: Any]] = kept.items.map { item in
            [
                "id": String(item.message.id), "folder": item.message.mailboxName, "from": item.from,
                "subject": item.subject, "size": Format.bytes(item.message.size),
                "deleted": Format.time(item.message.deletedAt), "folderDeleted": item.message.folderDeleted,
            ]
        }
        let data: [String: Any] = [
            "address": address, "accountLink": "/admin/account?address=" + FormData.encode(address),
            "messages": rows, "empty": rows.isEmpty, "truncated": kept.truncated, "shown": rows.count,
            "folder": folder ?? "", "filtered": folder != nil,
            "clearLink": "/admin/account/deleted?address=" + FormData.encode(address),
            "folders": kept.folders.map { ["name": $0, "selected": $0 == folder] },
            "retention": Self.retentionText(kept.retention), "keeps": kept.retention > 0,
            "mayRestore": call.principal.may(.enableAccounts, in: Self.domain(of: address)),
        ]
        return page(call, "account_deleted", title: "Deleted messages of \(address)", section: "accounts", data, form: form)
    }

    /// Restores the ticked messages (`id` repeated), or with `scope=folder` every kept message
    /// of `folder`.
    func restoreDeletedMessages(_ call: ConsoleCall) async throws -> Response {
        guard let address = call.form.text("address") else { throw AdminError.notFound("account") }
        let filter: DeletedMessageFilter
        if call.form["scope"] == "folder" {
            guard let folder = call.form.text("folder") else { throw AdminError.invalid("Choose a folder to restore.") }
            filter = DeletedMessageFilter(mailbox: folder)
        } else {
            let ids = Self.tickedIDs(call).compactMap { Int64($0) }
            guard !ids.isEmpty else { throw AdminError.invalid("Tick at least one message.") }
            filter = DeletedMessageFilter(ids: ids)
        }
        let restored = try await console.restoreKept(as: call.principal, address: address, filter)
        return done(
            "/admin/account/deleted?address=" + FormData.encode(address), Self.restoredText(restored))
    }

    /// "Restored 2 messages to INBOX, Projects." — the confirmation line after a restore.
    static func restoredText(_ restored: [RestoredMessage]) -> String {
        guard !restored.isEmpty else { return "Nothing was restored: the messages were restored already or purged." }
        let folders = Array(Set(restored.map(\.mailboxName))).sorted().joined(separator: ", ")
        return "Restored \(restored.count) message\(restored.count == 1 ? "" : "s") to \(folders)."
    }

    /// `[store] undelete_retention` as a person reads it: "14 days", "12 hours", "30 minutes".
    static func retentionText(_ seconds: Int64) -> String {
        let units: [(Int64, String)] = [(86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        for (size, name) in units where seconds >= size && seconds % size == 0 {
            let count = seconds / size
            return "\(count) \(name)\(count == 1 ? "" : "s")"
        }
        return seconds <= 0 ? "not at all" : "\(seconds) seconds"
    }
}
