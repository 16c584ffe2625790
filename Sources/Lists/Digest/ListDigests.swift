import Core
import Foundation
import Logging
import NIOPosix
import Queue
import SQLKit

/// A post's list copy kept for the next digest: the file first (durable), its row in the
/// transaction that queues the post's regular copies.
struct DigestKeep: Sendable {
    var key: String
    var file: String
    var path: String
    var size: Int64

    func insert(listID: Int64, in db: any SQLDatabase) async throws {
        try await db.insert(into: "list_digest_entry").columns("list_id", "delivery_key", "file", "size", "added_at")
            .values(SQLBind(listID), SQLBind(key), SQLBind(file), SQLBind(size), SQLBind(UnixTime.now())).run()
    }
}

extension ListTransport {
    /// At most this many posts, or bytes, go into one issue; the rest wait for the next.
    static let digestMaxPosts = 200
    static let digestMaxBytes: Int64 = 10 << 20

    func keepForDigest(_ copy: ListCopy, key: String) async throws -> DigestKeep {
        let name = RandomToken.make(bytes: 16)
        let path = "\(settings.digestDirectory)/\(name)"
        let directory = settings.digestDirectory
        try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let file = try DurableFile(creating: path + ".tmp")
            do {
                try file.write(copy.body)
                try file.commit(to: path)
            } catch {
                file.discard()
                throw error
            }
        }
        return DigestKeep(key: key, file: name, path: path, size: Int64(copy.body.count))
    }

    /// Sends the digest of `list` when it is due: the posts waiting pass the size threshold or
    /// (unless `sizeOnly`) the period since the last digest is over. Errors are logged: the
    /// posts stay for the next try.
    func sendDigestIfDue(_ list: String, now: Int64, sizeOnly: Bool = false) async {
        do {
            let found = try await lists.list(list)
            let (count, size, oldest) = try await waiting(listID: found.id)
            guard count > 0 else { return }
            let bySize = found.digestSizeThreshold > 0 && size >= found.digestSizeThreshold
            let byPeriod =
                !sizeOnly && found.digestPeriod.seconds.map { now - (found.digestLastSentAt ?? oldest) >= $0 } == true
            if bySize || byPeriod { _ = try await sendDigest(found.address, now: now) }
        } catch {
            logger.error("list digest not sent", metadata: ["list": "\(list)", "error": "\(error)"])
        }
    }

    /// Sends every list's digest that is due (the periodic service's round).
    public func sendDueDigests(now: Int64) async {
        do {
            let ids = try await database.withConnection { db in
                try await db.select().distinct().column("list_id").from("list_digest_entry").all(
                    decodingColumn: "list_id", as: Int64.self)
            }
            for id in ids {
                guard let list = try await database.withConnection({ try await MailingLists.list(id: id, in: $0) }) else {
                    continue
                }
                await sendDigestIfDue(list.address, now: now)
            }
        } catch {
            logger.error("list digests not sent", metadata: ["error": "\(error)"])
        }
    }

    /// Sends the next issue of `list`'s digest now, with the posts waiting (up to the limits);
    /// returns its (volume, issue), or nil when no post was waiting. One copy per digest
    /// member (MIME or plain, personalised like a post), queued in the transaction that claims
    /// the posts and numbers the issue: sent once, even with two nodes trying at once.
    @discardableResult
    public func sendDigest(_ address: String, now: Int64 = UnixTime.now()) async throws -> (volume: Int, issue: Int)? {
        let list = try await lists.list(address)
        let entries = try await database.withConnection { db in
            try await db.select().columns("id", "file", "size").from("list_digest_entry").where("list_id", .equal, list.id)
                .orderBy("id").limit(Self.digestMaxPosts).all()
                .map {
                    (
                        id: try $0.decode(column: "id", as: Int64.self), file: try $0.decode(column: "file", as: String.self),
                        size: try $0.decode(column: "size", as: Int64.self)
                    )
                }
        }
        var chosen: [(id: Int64, file: String, size: Int64)] = []
        var total: Int64 = 0
        for entry in entries where chosen.isEmpty || total + entry.size <= Self.digestMaxBytes {
            chosen.append(entry)
            total += entry.size
        }
        guard let last = chosen.last else { return nil }
        var posts: [[UInt8]] = []
        for entry in chosen { posts.append(try await Self.read("\(settings.digestDirectory)/\(entry.file)")) }
        // A new volume each calendar month (UTC), issues numbered within it.
        let month = { (t: Int64) in
            Calendar(identifier: .gregorian).dateComponents(
                in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: TimeInterval(t))
            ).month
        }
        let newVolume = list.digestLastSentAt.map { month($0) != month(now) } ?? false
        let volume = newVolume ? list.digestVolume + 1 : list.digestVolume
        let issue = newVolume ? 1 : list.digestIssue
        let builder = DigestBuilder(
            list: list, volume: volume, issue: issue, posts: posts, date: Date(timeIntervalSince1970: TimeInterval(now)),
            hostname: settings.hostname)
        let readers = try await lists.members(list.address, role: .member).filter { $0.disabled == nil && $0.mode != .regular }
        let mime = builder.mime()
        let plain = builder.plain()
        var staged: [StagedMessage] = []
        for mode in [DeliveryMode.mimeDigest, .plainDigest] {
            let body = mode == .mimeDigest ? mime : plain
            staged += try await stage(
                body, to: readers.filter { $0.mode == mode }, list: list,
                body: body.contains { $0 >= 0x80 } ? .eightBitMIME : .sevenBit, smtpUTF8: false)
        }
        let claimed = chosen.count
        let (listID, lastID, previousIssue, previousVolume) = (list.id, last.id, list.digestIssue, list.digestVolume)
        try await queue.commit(staged: staged) { db in
            let gone = try await db.raw(
                "DELETE FROM list_digest_entry WHERE list_id = \(bind: listID) AND id <= \(bind: lastID) RETURNING id"
            ).all()
            guard gone.count == claimed else { throw ListError.invalid("the digest's posts were sent by another node") }
            let numbered = try await db.raw(
                """
                UPDATE mailing_list SET digest_volume = \(bind: Int64(volume)), digest_issue = \(bind: Int64(issue + 1)),
                  digest_last_sent_at = \(bind: now)
                WHERE id = \(bind: listID) AND digest_issue = \(bind: Int64(previousIssue))
                  AND digest_volume = \(bind: Int64(previousVolume))
                RETURNING id
                """
            ).all()
            guard numbered.count == 1 else { throw ListError.invalid("the digest was numbered by another node") }
        }
        for entry in chosen { unlink("\(settings.digestDirectory)/\(entry.file)") }
        logger.info(
            "list digest sent",
            metadata: [
                "list": "\(list.address)", "volume": "\(volume)", "issue": "\(issue)", "posts": "\(chosen.count)",
                "copies": "\(staged.count)",
            ])
        return (volume, issue)
    }

    /// Posts waiting for the digest of list `listID`: how many, their bytes, the oldest's time.
    func waiting(listID: Int64) async throws -> (count: Int, size: Int64, oldest: Int64) {
        try await database.withConnection { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS total, MIN(added_at) AS oldest
                    FROM list_digest_entry WHERE list_id = \(bind: listID)
                    """
                ).first()
            else { return (0, 0, 0) }
            return (
                Int(try row.decode(column: "n", as: Int64.self)), try row.decode(column: "total", as: Int64.self),
                try row.decode(column: "oldest", as: Int64?.self) ?? 0
            )
        }
    }
}
