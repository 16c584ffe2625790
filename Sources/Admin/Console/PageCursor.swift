import Foundation

/// The opaque cursors of `Page`: base64url (RFC 4648 §5, no padding) of the last key shown.
enum PageCursor {
    /// Longest cursor accepted (a key is an address or a number).
    static let maxLength = 1024

    static func encode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The key of a cursor a client sent back; `AdminError.invalid` for anything else.
    static func decode(_ cursor: String) throws(AdminError) -> String {
        guard cursor.count <= maxLength else { throw .invalid("cursor too long") }
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text), let key = String(data: data, encoding: .utf8) else {
            throw .invalid("invalid cursor")
        }
        return key
    }

    static func decodeID(_ cursor: String) throws(AdminError) -> Int64 {
        guard let id = Int64(try decode(cursor)) else { throw .invalid("invalid cursor") }
        return id
    }

    /// A page size within 1...500.
    static func limit(_ requested: Int) -> Int { min(max(requested, 1), 500) }
}
