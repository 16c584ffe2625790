import Foundation

/// A sender's own `X-Spam-*` fields are left out at delivery when Posta adds its verdict, so
/// that a forged `X-Spam-Flag` never passes for Posta's (docs/filter.md). The spool file stays
/// as received: delivery writes the header section without them, then copies the rest.
enum ForgedSpamHeaders {
    /// Whether `added` (CRLF-ended fields Posta adds at delivery) carries a spam verdict.
    static func isVerdict(_ added: String) -> Bool {
        added.split(separator: "\r\n").contains { $0.lowercased().hasPrefix("x-spam-") }
    }

    /// The header section of the file at `path` without its `X-Spam-*` fields, and the offset of
    /// the rest (the empty line and body); nil when it has none (or a header over `HeaderSection.limit`).
    static func strip(path: String) throws -> (header: [UInt8], rest: Int64)? {
        guard let header = try HeaderSection.read(path: path) else { return nil }
        return strip(header: header).map { ($0, Int64(header.count)) }
    }

    /// `header` (CRLF-ended lines) without `X-Spam-*` fields and their continuation lines.
    static func strip(header: [UInt8]) -> [UInt8]? {
        HeaderSection.strip(header) { $0.hasPrefix("x-spam-") }
    }
}
