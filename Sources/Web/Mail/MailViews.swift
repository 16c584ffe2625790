import Core
import Foundation
import Webmail

/// The webmail's values as template contexts.
enum MailViews {
    /// A folder's page: `/mail/list?folder=…`.
    static func folderLink(_ name: String) -> String { "/mail/list?folder=" + FormData.encode(name) }

    static func messageLink(_ folder: String, _ uid: UInt32) -> String {
        "/mail/message?folder=\(FormData.encode(folder))&uid=\(uid)"
    }

    static func label(_ folder: WebFolder) -> String {
        folder.name == "INBOX" ? "Inbox" : folder.label
    }

    static func folders(_ folders: [WebFolder], current: String?) -> [[String: Any]] {
        folders.map { folder in
            [
                "name": folder.name, "label": label(folder), "link": folderLink(folder.name),
                "unseen": Format.count(folder.unseen),
                "hasUnseen": folder.unseen > 0, "total": folder.total,
                "totalText": Format.count(folder.total, "message"), "current": folder.name == current,
                "icon": icon(folder), "indent": min(folder.depth, 6), "system": folder.isSystem,
            ]
        }
    }

    /// The icon class of a folder (CSS draws it).
    static func icon(_ folder: WebFolder) -> String {
        if folder.name == "INBOX" { return "inbox" }
        switch folder.specialUse {
        case .drafts: return "drafts"
        case .sent: return "sent"
        case .junk: return "junk"
        case .trash: return "trash"
        case .archive: return "archive"
        case nil: return "folder"
        }
    }

    static func item(_ item: MessageListItem, folder: String, now: Int64) -> [String: Any] {
        var context: [String: Any] = [
            "uid": Int(item.uid), "link": messageLink(folder, item.uid),
            "from": item.fromName.isEmpty ? "(no sender)" : item.fromName, "fromAddress": item.fromAddress,
            "to": item.to, "subject": item.subject.isEmpty ? "(no subject)" : item.subject,
            "date": shortDate(item.sentAt, now: now), "fullDate": Format.time(item.sentAt),
            "size": Format.bytes(item.size), "unread": !item.isSeen, "flagged": item.isFlagged,
            "answered": item.isAnswered, "forwarded": item.isForwarded, "attachment": item.hasAttachment,
            "conversation": item.conversationCount, "hasConversation": item.conversationCount > 1,
        ]
        // Mustache shows a section for any value that is present: a link only when there is one.
        if item.conversationCount > 1 {
            context["conversationLink"] = "/mail/conversation?folder=\(FormData.encode(folder))&uid=\(item.uid)"
        }
        return context
    }

    /// `14:05` today, `3 Dec` this year, `2025-12-03` before (UTC).
    static func shortDate(_ seconds: Int64, now: Int64) -> String {
        let full = Format.time(seconds)  // 2026-12-03 16:20 UTC
        let day = String(full.prefix(10))
        if day == String(Format.time(now).prefix(10)) { return String(full.dropFirst(11).prefix(5)) }
        if full.prefix(4) == Format.time(now).prefix(4) {
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            let month = Int(full.dropFirst(5).prefix(2)) ?? 1
            let dayNumber = Int(full.dropFirst(8).prefix(2)) ?? 1
            return "\(dayNumber) \(months[(month - 1 + 12) % 12])"
        }
        return day
    }

    static func addresses(_ list: [MessageAddress]) -> [[String: Any]] {
        list.map { ["name": $0.name, "address": $0.address, "display": $0.display, "hasName": !$0.name.isEmpty] }
    }

    /// Plain text as lines of runs, links made clickable (`http`, `https`, `mailto` and bare
    /// addresses); everything else stays text (escaped by the template).
    static func plainText(_ text: String) -> [[String: Any]] {
        PlainTextLinks.runs(String(text.prefix(2_000_000))).map { run in
            run.link.map { ["text": run.text, "link": $0] } ?? ["text": run.text]
        }
    }
}
