import Core
import Foundation
import Lists
import SQLKit

/// A held post as a moderator reads it before deciding: its row, its header fields and its
/// first text part, read from the first `AdminConsole.maxHeldPostBytes` of the file.
public struct HeldPostView: Sendable {
    public var post: HeldPost
    public var headers: [HeaderField]
    /// The first text/plain part (else the first HTML part as text); "" when it has none.
    public var text: String
    /// Whether the file was larger than what was read (the text may be cut short).
    public var truncated: Bool
}

extension AdminConsole {
    /// Most bytes of a held post read to show it (header and text alike): a moderator notice
    /// attaches the header alone above this size too.
    public static let maxHeldPostBytes = 256 * 1024

    /// Held post `id` to read (changes nothing, audits nothing): `notFound` when it is gone or
    /// in a list the principal may not manage (whether it exists elsewhere is not told).
    public func heldPostView(as principal: Principal, id: Int64) async throws -> HeldPostView {
        try principal.require(.manageLists)
        let listTransport = try requireListTransport()
        let post = try await heldPost(as: principal, id: id, in: listTransport)
        let file = try await database.withConnection { db in
            try await db.select().column("file").from("list_held").where("id", .equal, SQLBind(id))
                .first(decodingColumn: "file", as: String.self)
        }
        // The name is a random token the list transport chose; anything else is not read.
        guard let file, !file.isEmpty, !file.contains("/"), file != "..", file != "." else {
            throw AdminError.notFound("held post \(id)")
        }
        let path = listTransport.settings.heldDirectory + "/" + file
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AdminError.notFound("held post \(id)") }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: Self.maxHeldPostBytes + 1)) ?? Data())
        let truncated = bytes.count > Self.maxHeldPostBytes
        let kept = Array(bytes.prefix(Self.maxHeldPostBytes))
        let end = Self.headerEnd(kept)
        return HeldPostView(
            post: post, headers: Self.headerFields(String(decoding: kept[..<end], as: UTF8.self)),
            text: end < kept.count ? String(ListArchive.readableText(kept).prefix(Self.maxHeldPostBytes)) : "",
            truncated: truncated)
    }

    /// Where the header section of `bytes` ends: after the line before the first empty line
    /// (RFC 5322 §2.1: CRLF CRLF, or LF LF), or at the end.
    static func headerEnd(_ bytes: [UInt8]) -> Int {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 10, bytes[i + 1] == 10 { return i + 1 }
            if bytes[i] == 10, bytes[i + 1] == 13, i + 2 < bytes.count, bytes[i + 2] == 10 { return i + 1 }
            i += 1
        }
        return bytes.count
    }
}
