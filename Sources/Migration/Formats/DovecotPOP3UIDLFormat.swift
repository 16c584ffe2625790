/// Dovecot's `pop3_uidl_format`: how POP3 UIDLs are made for messages whose `dovecot-uidlist` record has no
/// `P` field. Computing them at import time, and storing them with the message, keeps a POP3 client's UIDL
/// list unchanged (RFC 1939 §7: the UIDL must persist across sessions).
///
/// Dovecot 2.3 documentation, "pop3_uidl_format" (doc.dovecot.org/2.3/settings/core/#pop3-uidl-format), default
/// `%08Xu%08Xv`; variables `%u`/`%{uid}` IMAP UID, `%v`/`%{uidvalidity}` UIDVALIDITY, `%f`/`%{filename}` the
/// Maildir file name, `%g`/`%{guid}` the message GUID, `%m`/`%{md5}` an MD5 of the header (mbox only: not
/// supported here). Modifiers follow `src/lib/var-expand.c`: `0` pads with zeros to the width, a width alone
/// keeps that many leading characters, `X` turns a decimal number into lowercase hexadecimal, `L`/`U` change
/// case.
public enum DovecotPOP3UIDLFormat {
    /// The default of Dovecot 2.x.
    public static let defaultFormat = "%08Xu%08Xv"

    public enum ExpandError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The format uses a variable this importer cannot compute (`%m`) or does not know.
        case unsupportedVariable(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unsupportedVariable(let name): "pop3_uidl_format variable \(name) is not supported"
            case .malformed(let format): "pop3_uidl_format \(ASCII.quoted(format)) is malformed"
            }
        }
    }

    /// The UIDL of one message. `fileName` is the base name; `guid` defaults to it, as in Dovecot.
    public static func expand(
        _ format: String, uid: UInt32, uidValidity: UInt32, fileName: String, guid: String? = nil
    ) -> Result<String, ExpandError> {
        var out = ""
        var chars = Substring(format)
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%" else {
                out.append(c)
                continue
            }
            var zeroPad = false
            if chars.first == "0" {
                zeroPad = true
                chars = chars.dropFirst()
            }
            let widthText = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars[widthText.endIndex...]
            let width = widthText.isEmpty ? nil : Int(widthText.prefix(4))
            var modifiers: [Character] = []
            while let m = chars.first, "XLU".contains(m) {
                modifiers.append(m)
                chars = chars.dropFirst()
            }
            guard let key = chars.first else { return .failure(.malformed(format)) }
            chars = chars.dropFirst()
            var name = String(key)
            if key == "{" {
                guard let close = chars.firstIndex(of: "}") else { return .failure(.malformed(format)) }
                name = String(chars[..<close])
                chars = chars[chars.index(after: close)...]
            }
            var value: String
            switch name {
            case "%":
                out.append("%")
                continue
            case "u", "uid": value = String(uid)
            case "v", "uidvalidity": value = String(uidValidity)
            case "f", "filename": value = fileName
            case "g", "guid": value = guid ?? fileName
            default: return .failure(.unsupportedVariable("%" + (name.count == 1 ? name : "{\(name)}")))
            }
            for modifier in modifiers {
                switch modifier {
                case "X":
                    // var-expand.c m_str_hex: the decimal value as hex; a non-number stays as it is.
                    if let number = UInt64(value) { value = String(number, radix: 16) }
                case "L": value = value.lowercased()
                default: value = value.uppercased()
                }
            }
            if let width {
                if zeroPad {
                    if value.count < width { value = String(repeating: "0", count: width - value.count) + value }
                } else {
                    value = String(value.prefix(width))
                }
            }
            out += value
        }
        return .success(out)
    }
}
