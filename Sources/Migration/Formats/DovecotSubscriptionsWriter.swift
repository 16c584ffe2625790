extension DovecotSubscriptions {
    /// The file as Dovecot 2.3 writes it (subscription-file.c): `V<TAB>2`, an empty line, then one mailbox a
    /// line, its levels (stored names, modified UTF-7) tab-escaped (`str_append_tabescaped`) and joined by TAB.
    /// Always version 2, whatever ``version`` says.
    public func serialized() -> [UInt8] {
        var out = "V\t2\n\n"
        for levels in mailboxes {
            out += levels.map(Self.tabEscape).joined(separator: "\t") + "\n"
        }
        return Array(out.utf8)
    }

    /// `str_append_tabescaped` (src/lib/strescape.c): `\x01` → `\x01 1`, TAB → `\x01 t`, CR → `\x01 r`,
    /// LF → `\x01 n`.
    static func tabEscape(_ level: String) -> String {
        var out = ""
        for scalar in level.unicodeScalars {
            switch scalar {
            case "\u{01}": out += "\u{01}1"
            case "\t": out += "\u{01}t"
            case "\r": out += "\u{01}r"
            case "\n": out += "\u{01}n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension DovecotSubscriptions {
    /// Subscriptions to write: each mailbox as its stored levels.
    public init(mailboxes: [[String]]) {
        self.init(version: 2, mailboxes: mailboxes)
    }
}
