import Core
import Hummingbird
import Webmail

/// The message list of a folder (sorted, paged, filtered, or by conversation), a conversation,
/// and search results.
extension MailPages {
    func list(_ call: MailCall) async throws -> Response {
        let settings = try await webmail.settings(call.account)
        var query = MessageListQuery(folder: call.query["folder"] ?? "INBOX")
        query.sort = call.query["sort"].flatMap(MessageSort.init(rawValue:)) ?? .date
        query.descending = call.query["dir"] != "asc"
        query.page = Self.pageIndex(call.query["page"])
        query.pageSize = settings.pageSize
        query.unreadOnly = call.query["filter"] == "unread"
        query.flaggedOnly = call.query["filter"] == "flagged"
        query.conversations = call.query["view"] == "conversations"
        let listing = try await webmail.list(call.account, query)
        let folder = listing.folder.name
        let now = UnixTime.now()
        /// This list with some parameters changed.
        func link(page: Int? = nil, sort: MessageSort? = nil, dir: String? = nil, filter: String?? = nil, view: String?? = nil)
            -> String
        {
            var parts = ["folder=" + FormData.encode(folder)]
            let sort = sort ?? query.sort
            if sort != .date { parts.append("sort=\(sort.rawValue)") }
            let dir = dir ?? (query.descending ? "desc" : "asc")
            if dir != "desc" { parts.append("dir=\(dir)") }
            let currentFilter: String? = query.unreadOnly ? "unread" : (query.flaggedOnly ? "flagged" : nil)
            if let value = filter ?? currentFilter { parts.append("filter=\(value)") }
            let currentView: String? = query.conversations ? "conversations" : nil
            if let value = view ?? currentView { parts.append("view=\(value)") }
            let page = page ?? query.page + 1
            if page > 1 { parts.append("page=\(page)") }
            return "/mail/list?" + parts.joined(separator: "&")
        }
        let sorts: [[String: Any]] = MessageSort.allCases.map { sort in
            let active = sort == query.sort
            let nextDir = active ? (query.descending ? "asc" : "desc") : (sort == .date || sort == .size ? "desc" : "asc")
            return [
                "label": sort.rawValue.prefix(1).uppercased() + sort.rawValue.dropFirst(),
                "link": link(page: 1, sort: sort, dir: nextDir),
                "active": active, "arrow": active ? (query.descending ? "↓" : "↑") : "",
            ]
        }
        let here = link()
        let noun = query.conversations ? "conversation" : "message"
        // While older mail is still being summarised the folder's own count is shown, like the
        // folder list's; the notice says how many of them are not listed yet.
        let filtered = query.unreadOnly || query.flaggedOnly || query.conversations
        var countText = Format.count(listing.unlisted > 0 && !filtered ? listing.folder.total : listing.total, noun)
        if listing.folder.unseen > 0 { countText += ", \(Format.count(listing.folder.unseen)) unread" }
        var data: [String: Any] = [
            "folder": folder, "folderLabel": MailViews.label(listing.folder),
            "items": listing.items.map { MailViews.item($0, folder: folder, now: now) },
            "empty": listing.items.isEmpty, "total": listing.total, "countText": countText,
            "page": query.page + 1, "pageCount": listing.pageCount, "sorts": sorts, "back": here,
            "all": link(page: 1, filter: .some(nil)), "unreadLink": link(page: 1, filter: "unread"),
            "flaggedLink": link(page: 1, filter: "flagged"),
            "filterAll": !query.unreadOnly && !query.flaggedOnly, "filterUnread": query.unreadOnly,
            "filterFlagged": query.flaggedOnly, "conversations": query.conversations,
            "messagesLink": link(page: 1, view: .some(nil)), "conversationsLink": link(page: 1, view: "conversations"),
        ]
        if query.page > 0 { data["previous"] = link(page: query.page) }
        if query.page + 1 < listing.pageCount { data["next"] = link(page: query.page + 2) }
        if listing.unlisted > 0 {
            data["unlistedText"] =
                "\(Format.count(listing.unlisted)) older messages of this folder are still being indexed and are not listed yet; "
                + "the list completes by itself in a moment."
        }
        return try await page(call, "mail_list", title: MailViews.label(listing.folder), current: folder, moveFrom: folder, data)
    }

    /// A page number from a query (1-based) as an index (0-based), within 0...999,999.
    static func pageIndex(_ text: String?) -> Int {
        min(max(text.flatMap { Int($0) } ?? 1, 1), 1_000_000) - 1
    }

    func conversation(_ call: MailCall) async throws -> Response {
        let folder = call.query["folder"] ?? "INBOX"
        guard let uid = call.query["uid"].flatMap(UInt32.init) else { throw WebmailError.noSuchMessage(0) }
        let items = try await webmail.conversation(call.account, folder: folder, uid: uid)
        guard let first = items.first else { throw WebmailError.noSuchMessage(uid) }
        let now = UnixTime.now()
        return try await page(
            call, "mail_list", title: first.subject.isEmpty ? "(no subject)" : first.subject, current: folder,
            moveFrom: folder,
            [
                "folder": folder, "items": items.map { MailViews.item($0, folder: folder, now: now) }, "empty": false,
                "total": items.count, "page": 1, "pageCount": 1, "isConversation": true,
                "back": "/mail/conversation?folder=\(FormData.encode(folder))&uid=\(uid)",
                "folderLink": MailViews.folderLink(folder),
            ])
    }

    func search(_ call: MailCall) async throws -> Response {
        let folder = call.query["folder"] ?? "INBOX"
        var terms = MessageSearch()
        terms.from = call.query.text("from") ?? ""
        terms.to = call.query.text("to") ?? ""
        terms.subject = call.query.text("subject") ?? ""
        terms.body = call.query.text("body") ?? ""
        terms.since = Format.parseDay(call.query.text("since"))
        terms.before = Format.parseDay(call.query.text("before")).map { $0 + 86400 }
        terms.hasAttachment = call.query["attachment"] == "1"
        let page = Self.pageIndex(call.query["page"])
        let settings = try await webmail.settings(call.account)
        var data: [String: Any] = [
            "folder": folder, "from": terms.from, "to": terms.to, "subject": terms.subject, "body": terms.body,
            "since": call.query.text("since") ?? "", "before": call.query.text("before") ?? "",
            "attachment": terms.hasAttachment, "searched": !terms.isEmpty,
        ]
        if !terms.isEmpty {
            let found = try await webmail.search(call.account, folder: folder, terms, page: page, pageSize: settings.pageSize)
            let now = UnixTime.now()
            var base = call.request.uri.query ?? ""
            base = base.split(separator: "&").filter { !$0.hasPrefix("page=") }.joined(separator: "&")
            let pageCount = max(1, (found.total + settings.pageSize - 1) / settings.pageSize)
            data["items"] = found.items.map { MailViews.item($0, folder: folder, now: now) }
            data["total"] = found.total
            data["empty"] = found.items.isEmpty
            data["truncated"] = found.truncated
            data["page"] = page + 1
            data["pageCount"] = pageCount
            data["back"] = "/mail/search?" + base + (page > 0 ? "&page=\(page + 1)" : "")
            if page > 0 { data["previous"] = "/mail/search?\(base)&page=\(page)" }
            if page + 1 < pageCount { data["next"] = "/mail/search?\(base)&page=\(page + 2)" }
        }
        return try await self.page(call, "mail_search", title: "Search", current: folder, moveFrom: folder, data)
    }
}
