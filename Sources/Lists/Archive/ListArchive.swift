import Core
import Foundation
import MIME
import NIOPosix
import SQLKit

/// A list's archive: every accepted post's list copy as a message file under `directory`,
/// indexed in `list_archive`; listed, searched and read by the web pages, exported as mbox.
public struct ListArchive: Sendable {
    public let lists: MailingLists
    public let directory: String

    public init(lists: MailingLists, directory: String) {
        self.lists = lists
        self.directory = directory
    }

    var database: Database { lists.database }

    /// At most this much of a post's text is searchable.
    static let searchTextLimit = 64 * 1024

    /// The archive's page for `list`, and a post's (the `List-Archive` and `Archived-At` URLs).
    public static func indexURL(webBase: String, list: MailingList) -> String { "\(webBase)/lists/archive/\(list.address)" }
    public static func messageURL(webBase: String, list: MailingList, key: String) -> String {
        indexURL(webBase: webBase, list: list) + "/m/\(key)"
    }

    /// Whether `reader` (a mail address, nil for nobody logged in) may read `list`'s archive:
    /// anyone a public one, members, owners and moderators a private one.
    public func mayRead(_ list: MailingList, reader: String?) async throws -> Bool {
        switch list.archive {
        case .none: return false
        case .public: return true
        case .private:
            guard let reader, let address = try? MailAddress(parsing: reader) else { return false }
            return try await database.withConnection { db in
                for role in ListRole.allCases
                where try await MailingLists.member(listID: list.id, key: address.key, role: role, in: db) != nil {
                    return true
                }
                return false
            }
        }
    }

    /// Writes the post's file (durable); its row goes in with the post's copies (`ArchiveKeep.insert`).
    func keep(_ body: [UInt8], key: String, deliveryKey: String, facts: PostFacts) async throws -> ArchiveKeep {
        let name = key
        let path = "\(directory)/\(name)"
        let directory = directory
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let file = try DurableFile(creating: path + ".tmp")
            do {
                try file.write(body)
                try file.commit(to: path)
            } catch {
                file.discard()
                throw error
            }
        }
        let text = PostFacts.plainText(MIMEMessage(body)) ?? ""
        let search = [
            facts.subject, facts.senderName, facts.sender?.description ?? "", String(text.prefix(Self.searchTextLimit)),
        ]
        .joined(separator: "\n").lowercased()
        let header = MIMEMessage(body).header
        // The parent is the post replied to; failing that, the nearest ancestor the archive has.
        let parents =
            MessageIDList.parse(header["In-Reply-To"]).prefix(1) + MessageIDList.parse(header["References"]).reversed()
        return ArchiveKeep(
            key: key, deliveryKey: deliveryKey, path: path, size: Int64(body.count),
            messageID: String((MessageIDList.parse(facts.messageID).first ?? facts.messageID).prefix(500)),
            parents: Array(parents.filter { $0.count <= 500 }.prefix(20)),
            subject: String(facts.subject.prefix(500)), sender: facts.sender?.description ?? "",
            senderName: String(facts.senderName.prefix(200)), search: search)
    }

    /// A page of `list`'s archive, newest first, of the posts whose subject, author or text
    /// holds `query` (every post when nil); with the number of posts matching.
    public func posts(_ list: MailingList, query: String? = nil, page: Int = 1, pageSize: Int = 50) async throws
        -> (posts: [ArchivedPost], total: Int)
    {
        let page = min(max(page, 1), 1_000_000)
        let pattern = query.map { "%" + Self.likeEscaped($0.lowercased().prefix(200)) + "%" }
        return try await database.withConnection { db in
            func filtered(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
                var query = query.where("list_id", .equal, list.id)
                if let pattern {
                    let like: SQLQueryString = "search_text LIKE \(bind: pattern) ESCAPE '\\'"
                    query = query.where(like)
                }
                return query
            }
            let total =
                try await filtered(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("list_archive"))
                .first(decodingColumn: "n", as: Int64.self) ?? 0
            let rows = try await filtered(Self.query(db)).orderBy("id", .descending).limit(pageSize)
                .offset((page - 1) * pageSize).all()
            return (try rows.map(Self.decode), Int(total))
        }
    }

    /// One post of `list`'s archive and its bytes.
    public func post(_ list: MailingList, key: String) async throws -> (post: ArchivedPost, bytes: [UInt8])? {
        guard ListCookie.isWellFormed(key) else { return nil }
        guard
            let post = try await database.withConnection({ db in
                try await Self.query(db).where("list_id", .equal, list.id).where("archive_key", .equal, key).first()
                    .map(Self.decode)
            })
        else { return nil }
        return (post, try await ListTransport.read("\(directory)/\(post.key)"))
    }

    /// The archive as an mbox (mboxrd: `From ` lines quoted with `>`), oldest first, a post at a
    /// time: each chunk is read when the previous one was taken.
    public func mbox(_ list: MailingList) -> AsyncThrowingStream<[UInt8], any Error> {
        let cursor = MboxCursor(archive: self, listID: list.id)
        return AsyncThrowingStream(unfolding: { try await cursor.next() })
    }

    static func mboxEntry(_ post: ArchivedPost, _ bytes: [UInt8]) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE MMM dd HH:mm:ss yyyy"
        let date = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(post.archivedAt)))
        var out = Array("From \(post.sender.isEmpty ? "MAILER-DAEMON" : post.sender) \(date)\n".utf8)
        var text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        if !text.hasSuffix("\n") { text += "\n" }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.drop(while: { $0 == ">" }).hasPrefix("From ") { out.append(UInt8(ascii: ">")) }
            out += Array(line.utf8) + [10]
        }
        return out + [10]
    }

    /// The text a reader sees of an archived post: its first text/plain part, else its first
    /// HTML part as text; at most 1 MiB.
    public static func readableText(_ bytes: [UInt8]) -> String {
        PostFacts.plainText(MIMEMessage(bytes), html: true).map { String($0.prefix(1 << 20)) } ?? "(This post has no text.)"
    }

    static func likeEscaped(_ text: Substring) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    static func query(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(
                "id", "archive_key", "subject", "sender", "sender_name", "message_id", "archived_at", "size", "parent_key",
                "thread_key"
            )
            .from("list_archive")
    }

    static func decode(_ row: any SQLRow) throws -> ArchivedPost {
        ArchivedPost(
            id: try row.decode(column: "id", as: Int64.self), key: try row.decode(column: "archive_key", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            sender: try row.decode(column: "sender", as: String.self),
            senderName: try row.decode(column: "sender_name", as: String.self),
            messageID: try row.decode(column: "message_id", as: String.self),
            archivedAt: try row.decode(column: "archived_at", as: Int64.self),
            size: try row.decode(column: "size", as: Int64.self),
            parentKey: try row.decode(column: "parent_key", as: String.self),
            threadKey: try row.decode(column: "thread_key", as: String.self))
    }
}

/// A post's archive file written; its row waits for the transaction that queues the copies.
struct ArchiveKeep: Sendable {
    var key: String
    var deliveryKey: String
    var path: String
    var size: Int64
    var messageID: String
    /// Message-IDs of the posts this one answers, nearest first.
    var parents: [String]
    var subject: String
    var sender: String
    var senderName: String
    var search: String

    func insert(listID: Int64, in db: any SQLDatabase) async throws {
        var parentKey = ""
        var threadKey = key
        if !parents.isEmpty {
            let rows = try await db.select().columns("archive_key", "thread_key", "message_id").from("list_archive")
                .where("list_id", .equal, listID).where("message_id", .in, SQLBind.group(parents)).orderBy("id").all()
            var found: [String: (key: String, thread: String)] = [:]
            // The first post with a Message-ID keeps it: a later post copying the id (to draw
            // replies under it) takes nobody's place.
            for row in rows {
                let messageID = try row.decode(column: "message_id", as: String.self)
                guard found[messageID] == nil else { continue }
                found[messageID] = (
                    try row.decode(column: "archive_key", as: String.self),
                    try row.decode(column: "thread_key", as: String.self)
                )
            }
            if let parent = parents.lazy.compactMap({ found[$0] }).first {
                parentKey = parent.key
                threadKey = parent.thread.isEmpty ? parent.key : parent.thread
            }
        }
        try await db.insert(into: "list_archive")
            .columns(
                "list_id", "archive_key", "delivery_key", "message_id", "subject", "sender", "sender_name", "archived_at", "size",
                "file", "search_text", "parent_key", "thread_key"
            )
            .values(
                SQLBind(listID), SQLBind(key), SQLBind(deliveryKey), SQLBind(messageID), SQLBind(subject), SQLBind(sender),
                SQLBind(senderName), SQLBind(UnixTime.now()), SQLBind(size), SQLBind(key), SQLBind(search), SQLBind(parentKey),
                SQLBind(threadKey)
            ).run()
    }
}

/// The mbox export's position: the next 50 posts after the last id sent. Used by one stream,
/// whose unfolding calls come one after the other.
private final class MboxCursor: @unchecked Sendable {
    let archive: ListArchive
    let listID: Int64
    var lastID: Int64 = 0
    var batch: [ArchivedPost] = []
    var done = false

    init(archive: ListArchive, listID: Int64) {
        self.archive = archive
        self.listID = listID
    }

    func next() async throws -> [UInt8]? {
        if batch.isEmpty && !done {
            let (listID, after) = (self.listID, lastID)
            batch = try await archive.database.withConnection { db in
                try await ListArchive.query(db).where("list_id", .equal, listID).where("id", .greaterThan, after)
                    .orderBy("id").limit(50).all().map(ListArchive.decode)
            }
            done = batch.count < 50
        }
        guard !batch.isEmpty else { return nil }
        let post = batch.removeFirst()
        lastID = post.id
        guard let bytes = try? await ListTransport.read("\(archive.directory)/\(post.key)") else { return [] }
        return ListArchive.mboxEntry(post, bytes)
    }
}
