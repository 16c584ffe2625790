import Hummingbird
import Webmail

/// The list's and the message page's buttons: mark, flag, delete, move; "always show remote
/// content from this sender".
extension MailPages {
    func act(_ call: MailCall) async throws -> Response {
        let folder = call.form["folder"] ?? "INBOX"
        let uids = call.form.all("uid").compactMap { UInt32($0.trimmingWhitespace()) }
        // The move button names its target in `to`; the others name the action.
        if call.form["action"] == "move" || call.form["action"] == nil, let target = call.form.text("to") {
            let moved = try await webmail.move(call.account, folder: folder, uids: uids, to: target)
            return back(
                call, .success, moved == 1 ? "Moved 1 message." : "Moved \(moved) messages.", to: afterRemoval(call, folder))
        }
        guard let action = call.form["action"].flatMap(MessageAction.init(rawValue:)) else {
            throw WebmailError.invalid("Choose what to do with the selected messages.")
        }
        let count = try await webmail.apply(action, call.account, folder: folder, uids: uids)
        let noun = count == 1 ? "1 message" : "\(count) messages"
        switch action {
        case .delete: return back(call, .success, "Deleted \(noun).", to: afterRemoval(call, folder))
        case .markRead: return back(call, .success, "Marked \(noun) as read.")
        case .markUnread:
            // Leaving a message page marked unread: back to its folder, or reading it would mark it read again.
            let to = call.form["back"]?.hasPrefix("/mail/message?") == true ? MailViews.folderLink(folder) : nil
            return back(call, .success, "Marked \(noun) as unread.", to: to)
        case .flag: return back(call, .success, "Flagged \(noun).")
        case .unflag: return back(call, .success, "Removed the flag from \(noun).")
        }
    }

    /// After a message left the folder: its folder's list when the form came from its page.
    private func afterRemoval(_ call: MailCall, _ folder: String) -> String? {
        call.form["back"]?.hasPrefix("/mail/message?") == true ? MailViews.folderLink(folder) : nil
    }

    func trustSender(_ call: MailCall) async throws -> Response {
        let sender = call.form.text("sender") ?? ""
        try await webmail.trustRemoteContent(call.account, from: sender)
        return back(call, .success, "Remote content from \(sender) will be shown from now on.")
    }

    // MARK: Folders

    func folderPage(_ call: MailCall) async throws -> Response {
        try await page(call, "mail_folders", title: "Folders", current: nil, [:])
    }

    func createFolder(_ call: MailCall) async throws -> Response {
        let parent = call.form.text("parent") ?? ""
        let name = call.form["name"] ?? ""
        let full = parent.isEmpty ? name : parent + "/" + name.trimmingWhitespace()
        try await webmail.createFolder(call.account, name: full)
        return back(call, .success, "Folder \"\(full.trimmingWhitespace())\" created.", to: "/mail/folders")
    }

    func renameFolder(_ call: MailCall) async throws -> Response {
        let old = call.form["folder"] ?? ""
        let new = call.form["name"] ?? ""
        try await webmail.renameFolder(call.account, from: old, to: new)
        return back(call, .success, "Folder renamed to \"\(new.trimmingWhitespace())\".", to: "/mail/folders")
    }

    func deleteFolder(_ call: MailCall) async throws -> Response {
        let name = call.form["folder"] ?? ""
        try await webmail.deleteFolder(call.account, name: name)
        return back(call, .success, "Folder \"\(name)\" deleted.", to: "/mail/folders")
    }

    // MARK: Settings

    func settingsPage(_ call: MailCall) async throws -> Response {
        let settings = try await webmail.settings(call.account)
        return try await page(
            call, "mail_settings", title: "Settings", current: nil,
            [
                "displayName": settings.displayName, "signature": settings.signature, "replyTo": settings.replyTo,
                "pageSizes": [25, 50, 100, 200].map { ["size": $0, "selected": $0 == settings.pageSize] },
            ])
    }

    func saveSettings(_ call: MailCall) async throws -> Response {
        var settings = WebmailSettings()
        settings.displayName = call.form["displayName"] ?? ""
        settings.signature = (call.form["signature"] ?? "").replacingCRLF()
        settings.replyTo = call.form["replyTo"] ?? ""
        settings.pageSize = Int(call.form["pageSize"] ?? "") ?? 50
        try await webmail.saveSettings(call.account, settings)
        return back(call, .success, "Settings saved.", to: "/mail/settings")
    }
}

extension String {
    /// Line breaks as one LF each (browsers send CRLF in textareas, HTML §4.10.11).
    func replacingCRLF() -> String {
        var out = ""
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                out += "\n"
                previousCR = true
                continue
            }
            if scalar == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
