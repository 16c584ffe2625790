import Admin
import Foundation
import Hummingbird
import Lists
import Logging

/// The list archives on the web: `/lists/archive/LIST` (newest first, 50 a page, `q` searches
/// subject, author and text; `view=threads` lists threads by their latest post),
/// `/lists/archive/LIST/t/KEY` (a thread), `/lists/archive/LIST/m/KEY` (one post, the
/// `Archived-At` URL) and
/// `/lists/archive/LIST/mbox` (the whole archive). A private archive is for the list's members,
/// owners and moderators logged in to webmail, and for administrators of its domain.
struct ListArchivePages: Sendable {
    let lists: MailingLists
    let archive: ListArchive
    let console: AdminConsole?
    let templates: ConsoleTemplates?
    let logger: Logger

    static let pageSize = 50

    func index(_ address: String, _ request: Request, _ context: WebRequestContext) async -> Response {
        await readable(address, request, context) { list in
            let query = FormData(urlEncoded: request.uri.query ?? "")
            let q = query.text("q").map { String($0.prefix(200)) }
            let page = Int(query["page"] ?? "") ?? 1
            // Threads, unless searching: a search lists the posts that match.
            let threaded = query["view"] == "threads" && q == nil
            let base = "/lists/archive/\(list.address)"
            let entries: [[String: Any]]
            let total: Int
            if threaded {
                let found = try await archive.threads(list, page: page, pageSize: Self.pageSize)
                total = found.total
                entries = found.threads.map { thread in
                    [
                        "href": "\(base)/t/\(thread.first.key)", "subject": Self.subject(thread.first),
                        "author": Self.author(thread.first, list: list), "date": Self.date(thread.lastAt),
                        "count": thread.posts == 1 ? "1 post" : "\(thread.posts) posts",
                    ] as [String: Any]
                }
            } else {
                let found = try await archive.posts(list, query: q, page: page, pageSize: Self.pageSize)
                total = found.total
                entries = found.posts.map { post in
                    [
                        "href": "\(base)/m/\(post.key)", "subject": Self.subject(post), "author": Self.author(post, list: list),
                        "date": Self.date(post.archivedAt),
                    ] as [String: Any]
                }
            }
            let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
            func link(_ page: Int) -> String {
                var items = ["page=\(page)"]
                if let q { items.append("q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
                if threaded { items.append("view=threads") }
                return base + "?" + items.joined(separator: "&")
            }
            var context: [String: Any] = [
                "title": "\(Self.name(list)) archive", "wide": true, "listName": Self.name(list), "listAddress": list.address,
                "base": base, "q": q ?? "", "total": total, "searching": q != nil, "threaded": threaded,
                "what": threaded ? "Threads" : "Posts", "posts": entries,
                "empty": entries.isEmpty, "page": min(max(page, 1), pages), "pages": pages,
            ]
            if page > 1 { context["previous"] = link(min(page, pages) - 1) }
            if page < pages { context["next"] = link(page + 1) }
            return render("list_archive", context)
        }
    }

    func message(_ address: String, key: String, _ request: Request, _ context: WebRequestContext) async -> Response {
        await readable(address, request, context) { list in
            guard let (post, bytes) = try await archive.post(list, key: key) else {
                return render("list_archive", ["title": "Not found", "missing": true], status: .notFound)
            }
            let text = ListArchive.readableText(bytes)
            let base = "/lists/archive/\(list.address)"
            return render(
                "list_archive_message",
                [
                    "title": Self.subject(post), "wide": true, "listName": Self.name(list), "base": base,
                    "author": Self.author(post, list: list), "date": Self.date(post.archivedAt), "text": text,
                    "thread": "\(base)/t/\(post.threadKey.isEmpty ? post.key : post.threadKey)",
                    "parent": post.parentKey.isEmpty ? "" : "\(base)/m/\(post.parentKey)",
                ])
        }
    }

    /// `/lists/archive/LIST/t/KEY`: a thread's posts, each under the one it answers.
    func thread(_ address: String, key: String, _ request: Request, _ context: WebRequestContext) async -> Response {
        await readable(address, request, context) { list in
            let posts = try await archive.thread(list, key: key)
            guard let first = posts.first else {
                return render("list_archive", ["title": "Not found", "missing": true], status: .notFound)
            }
            let base = "/lists/archive/\(list.address)"
            return render(
                "list_archive_thread",
                [
                    "title": Self.subject(first.post), "wide": true, "listName": Self.name(list), "base": base,
                    "count": posts.count == 1 ? "1 post" : "\(posts.count) posts",
                    "posts": posts.map { entry in
                        [
                            "href": "\(base)/m/\(entry.post.key)", "subject": Self.subject(entry.post),
                            "author": Self.author(entry.post, list: list), "date": Self.date(entry.post.archivedAt),
                            "depth": min(entry.depth, 8), "reply": entry.depth > 0,
                        ] as [String: Any]
                    },
                ])
        }
    }

    static func subject(_ post: ArchivedPost) -> String { post.subject.isEmpty ? "(no subject)" : post.subject }

    func mbox(_ address: String, _ request: Request, _ context: WebRequestContext) async -> Response {
        await readable(address, request, context) { list in
            let chunks = archive.mbox(list).map { ByteBuffer(bytes: $0) }
            let name = list.postingAddress.localPart.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/mbox",
                    .contentDisposition: "attachment; filename=\"\(name.isEmpty ? "list" : name).mbox\"",
                ], body: ResponseBody(asyncSequence: chunks))
        }
    }

    /// Runs `body` when the list exists, keeps an archive and the reader may see it.
    private func readable(
        _ address: String, _ request: Request, _ context: WebRequestContext,
        _ body: (MailingList) async throws -> Response
    ) async -> Response {
        do {
            guard let list = try? await lists.list(address), list.archive != .none else {
                return render("list_archive", ["title": "No archive", "missing": true], status: .notFound)
            }
            if list.archive == .private {
                let reader = try await reader(request, context)
                var mayRead = reader.admin?.may(.manageLists, in: list.postingAddress.domain) == true
                if !mayRead { mayRead = try await archive.mayRead(list, reader: reader.address) }
                guard mayRead else {
                    return render(
                        "list_archive",
                        [
                            "title": "\(Self.name(list)) archive", "private": true, "listName": Self.name(list),
                            "loggedIn": reader.address != nil,
                        ], status: .forbidden)
                }
            }
            var response = try await body(list)
            // A private archive's pages are the reader's: never stored by shared caches.
            response.headers[.cacheControl] = list.archive == .private ? "private, no-store" : "public, max-age=300"
            return response
        } catch {
            logger.error("list archive page failed", metadata: ["error": "\(error)"])
            return ConsoleHTTP.html("Try again later.\n", status: .serviceUnavailable)
        }
    }

    /// Who the request's webmail or console session is.
    private func reader(_ request: Request, _ context: WebRequestContext) async throws -> (address: String?, admin: Principal?) {
        guard let console, let token = request.cookies[ConsoleHTTP.sessionCookie]?.value, !token.isEmpty,
            let session = try await console.session(token: token, clientIP: context.clientIP)
        else { return (nil, nil) }
        if case .user(let account) = session.principal.identity { return (account.address, nil) }
        return (nil, session.principal)
    }

    /// The author as an archive shows it: the name, and the address with " at " (a harvester's
    /// regular expression does not take it; Mailman's pipermail does the same).
    static func author(_ post: ArchivedPost, list: MailingList) -> String {
        let address = post.sender.replacingOccurrences(of: "@", with: " at ")
        return post.senderName.isEmpty ? address : "\(post.senderName) (\(address))"
    }

    static func date(_ unix: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    static func name(_ list: MailingList) -> String { list.displayName.isEmpty ? list.address : list.displayName }

    private func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        ConsoleHTTP.html(templates?.render(template, context) ?? "", status: status)
    }
}
