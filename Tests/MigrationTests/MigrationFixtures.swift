import Foundation

/// The fixtures under Fixtures/, read from the source tree. The Dovecot ones were made by Dovecot 2.3 itself
/// (see Fixtures/README.md).
enum MigrationFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(path)))
    }

    static func lines(_ path: String) throws -> [String] {
        String(decoding: try bytes(path), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A stand-in for IMAP's ModifiedUTF7.decode, which this test target does not import: the names the
    /// fixtures use, and `nil` (not modified UTF-7) for anything else with `&`.
    static func decodeModifiedUTF7(_ name: String) -> String? {
        let known = ["Entw&APw-rfe": "Entwürfe", "&-": "&"]
        if let decoded = known[name] { return decoded }
        return name.contains("&") || name.unicodeScalars.contains { $0.value > 0x7E } ? nil : name
    }
}
