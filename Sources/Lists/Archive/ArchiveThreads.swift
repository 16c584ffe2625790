import Core
import SQLKit

/// A thread of an archive: posts joined by In-Reply-To/References (RFC 5322 §3.6.4), named by
/// its first post.
public struct ArchiveThread: Sendable, Hashable, Encodable {
    /// The first post (the thread's key is its key).
    public var first: ArchivedPost
    public var posts: Int
    /// When its latest post was archived.
    public var lastAt: Int64
}

/// A post in a thread's page, with its depth under the first post.
public struct ThreadedPost: Sendable, Hashable, Encodable {
    public var post: ArchivedPost
    public var depth: Int
}

extension ListArchive {
    /// The most posts one thread page shows.
    public static let threadPageLimit = 1000

    /// A page of `list`'s threads, the one with the latest post first; with the number of threads.
    public func threads(_ list: MailingList, page: Int = 1, pageSize: Int = 50) async throws
        -> (threads: [ArchiveThread], total: Int)
    {
        let page = min(max(page, 1), 1_000_000)
        return try await database.withConnection { db in
            let total =
                try await db.raw(
                    "SELECT COUNT(DISTINCT thread_key) AS n FROM list_archive WHERE list_id = \(bind: list.id)"
                ).first(decodingColumn: "n", as: Int64.self) ?? 0
            let groups = try await db.raw(
                """
                SELECT thread_key, COUNT(*) AS n, MAX(id) AS last_id, MAX(archived_at) AS last_at FROM list_archive
                WHERE list_id = \(bind: list.id) GROUP BY thread_key ORDER BY last_id DESC
                LIMIT \(bind: pageSize) OFFSET \(bind: (page - 1) * pageSize)
                """
            ).all().map { row in
                (
                    key: try row.decode(column: "thread_key", as: String.self),
                    count: try row.decode(column: "n", as: Int64.self),
                    lastAt: try row.decode(column: "last_at", as: Int64.self)
                )
            }
            guard !groups.isEmpty else { return ([], Int(total)) }
            let firsts = try await Self.query(db).where("list_id", .equal, list.id)
                .where("archive_key", .in, SQLBind.group(groups.map(\.key))).all().map(Self.decode)
            let byKey = Dictionary(firsts.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            let threads = groups.compactMap { group in
                byKey[group.key].map { ArchiveThread(first: $0, posts: Int(group.count), lastAt: group.lastAt) }
            }
            return (threads, Int(total))
        }
    }

    /// The posts of the thread `key` in `list`, each under the post it answers (replies in the
    /// order they came); empty when there is no such thread.
    public func thread(_ list: MailingList, key: String) async throws -> [ThreadedPost] {
        guard ListCookie.isWellFormed(key) else { return [] }
        let posts = try await database.withConnection { db in
            try await Self.query(db).where("list_id", .equal, list.id).where("thread_key", .equal, key).orderBy("id")
                .limit(Self.threadPageLimit).all().map(Self.decode)
        }
        return Self.arrange(posts)
    }

    /// Depth-first from the roots: each post followed by its replies. A post whose parent is
    /// not among `posts` is a root; every post is shown once.
    static func arrange(_ posts: [ArchivedPost]) -> [ThreadedPost] {
        let keys = Set(posts.map(\.key))
        var children: [String: [ArchivedPost]] = [:]
        var roots: [ArchivedPost] = []
        for post in posts {
            if !post.parentKey.isEmpty, post.parentKey != post.key, keys.contains(post.parentKey) {
                children[post.parentKey, default: []].append(post)
            } else {
                roots.append(post)
            }
        }
        var out: [ThreadedPost] = []
        var seen: Set<String> = []
        func walk(from root: ArchivedPost) {
            var stack = [(root, 0)]
            while let (post, depth) = stack.popLast() {
                guard seen.insert(post.key).inserted else { continue }
                out.append(ThreadedPost(post: post, depth: depth))
                stack += (children[post.key] ?? []).reversed().map { ($0, depth + 1) }
            }
        }
        for root in roots { walk(from: root) }
        // Parent links that go round in a circle (never written so, but read from a database)
        // leave posts unreached: each is shown from where the circle is entered.
        for post in posts where !seen.contains(post.key) { walk(from: post) }
        return out
    }
}
