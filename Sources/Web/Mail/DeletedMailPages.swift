import Core
import Hummingbird
import Store
import Webmail

/// `/mail/deleted`: the user's recently deleted messages the site still keeps
/// (`[store] undelete_retention`), with a folder filter and a restore of the ticked ones or of
/// a whole folder (`Webmail.recentlyDeleted` / `restoreDeleted`).
extension MailPages {
    func deletedPage(_ call: MailCall) async throws -> Response {
        let folder = call.query.text("folder")
        let deleted = try await webmail.recentlyDeleted(call.account, folder: folder)
        let now = UnixTime.now()
        let rows: [[String: Any]] = deleted.items.map { item in
            let summary = item.summary
            return [
                "id": String(item.message.id), "folder": item.message.mailboxName,
                "from": summary.fromName.isEmpty ? "(no sender)" : summary.fromName,
                "subject": summary.subject.isEmpty ? "(no subject)" : summary.subject,
                "date": MailViews.shortDate(item.message.deletedAt, now: now),
                "fullDate": Format.time(item.message.deletedAt), "size": Format.bytes(item.message.size),
                "folderDeleted": item.message.folderDeleted,
            ]
        }
        return try await page(
            call, "mail_deleted", title: "Recently deleted", current: nil,
            [
                "messages": rows, "empty": rows.isEmpty, "truncated": deleted.truncated, "shown": rows.count,
                "folder": folder ?? "", "filtered": folder != nil,
                "folderOptions": deleted.folders.map { ["name": $0, "selected": $0 == folder] },
                "retention": ConsolePages.retentionText(deleted.retention), "keeps": deleted.retention > 0,
                "back": "/mail/deleted" + (folder.map { "?folder=" + FormData.encode($0) } ?? ""),
            ])
    }

    /// Restores the ticked messages (`id` repeated), or with `scope=folder` every kept message of `folder`.
    func restoreDeleted(_ call: MailCall) async throws -> Response {
        let restored: [RestoredMessage]
        if call.form["scope"] == "folder" {
            restored = try await webmail.restoreDeleted(call.account, folder: call.form.text("folder") ?? "")
        } else {
            let ids = call.form.all("id").compactMap { Int64($0.trimmingWhitespace()) }
            restored = try await webmail.restoreDeleted(call.account, ids: ids)
        }
        return back(call, .success, ConsolePages.restoredText(restored))
    }
}
