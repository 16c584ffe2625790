/// Maildir++ paths (the Courier/Dovecot layout): `<root>/<domain>/<local part>/` holds INBOX
/// (`cur/ new/ tmp/`); each other mailbox is a folder `.<Name>/` beside them with its own
/// `cur/ new/ tmp/` and an empty `maildirfolder` file.
enum MaildirPath {
    /// The account's maildir relative to the mail root: `<domain>/<local part>`, each part
    /// lower-cased and encoded by `component`, so no address can name a path outside the root.
    static func accountDirectory(address: String) throws(StoreError) -> String {
        guard let at = address.lastIndex(of: "@") else { throw .invalidAddress(address) }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { throw .invalidAddress(address) }
        return component(domain) + "/" + component(local)
    }

    /// One safe path component: lower-cased; bytes outside `[a-z0-9._+-]` percent-encoded
    /// (`/`, NUL, controls, `%`, non-ASCII…), and a leading dot too, so the result is never
    /// `.`/`..`, never hidden and never mistaken for a Maildir++ folder. Injective on
    /// lower-cased input (the `%` itself is encoded).
    static func component(_ text: some StringProtocol) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for (index, byte) in text.lowercased().utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                out.append(byte)
            case UInt8(ascii: ".") where index > 0:
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a stored relative path is plainly inside its base (no empty, `.` or `..` parts,
    /// not absolute): checked before anything is deleted.
    static func isContained(_ relative: String) -> Bool {
        guard !relative.isEmpty, !relative.hasPrefix("/") else { return false }
        return relative.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".." && !$0.utf8.contains(0)
        }
    }

    /// The folder `provision` gives a default mailbox: `""` (the maildir itself) for INBOX,
    /// `.Sent`, `.Drafts`… for the special-use ones.
    static func readableFolder(for name: String) -> String? {
        if name == "INBOX" { return "" }
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes.allSatisfy(isReadableFolderByte) else { return nil }
        return "." + name
    }

    /// A folder for a mailbox whose name does not make a readable one (or whose readable one
    /// is taken): `.~<uidvalidity>`, unique because UIDVALIDITY is unique per account and `~`
    /// never appears in readable folders.
    static func numberedFolder(uidValidity: UInt32) -> String { ".~\(uidValidity)" }

    private static func isReadableFolderByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// The IMAP name of INBOX is case-insensitive (RFC 9051 §5.1); other names are not.
    static func canonicalMailboxName(_ name: String) -> String {
        name.utf8.count == 5 && name.lowercased() == "inbox" && name.unicodeScalars.allSatisfy(\.isASCII) ? "INBOX" : name
    }
}
