import Foundation

/// LDIF content records (RFC 2849): the entries of an LDAP export (`slapcat`, `ldapsearch -L`).
///
/// Handled: the optional `version: 1` line; records separated by empty lines, each starting with `dn:`;
/// folded lines (a line starting with one space continues the previous one, §2 note 2); `#` comment lines,
/// folded or not (note 3); `attr: value`, `attr:: base64` (note 7); attribute options (`cn;lang-de`, kept in
/// the name). Not handled, reported and skipped: `attr:< URL` values and change records (`changetype:`).
public struct LDIF: Sendable, Hashable {
    public var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        public var dn: String
        /// In file order; an attribute may occur several times (one element per value).
        public var attributes: [Attribute]
        /// The line of the `dn:` line.
        public var line: Int

        /// The values of an attribute (name compared case-insensitively, options included), as text; values
        /// that are not UTF-8 are left out.
        public func values(_ name: String) -> [String] {
            attributes.filter { $0.name.lowercased() == name.lowercased() }.compactMap(\.text)
        }

        /// The first value of an attribute, as text.
        public func value(_ name: String) -> String? { values(name).first }
    }

    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var bytes: [UInt8]
        /// The value as UTF-8 text, or `nil` for binary values.
        public var text: String? { String(validating: bytes, as: UTF8.self) }
    }

    /// Attribute values and records larger than this are skipped (folding could otherwise build lines of
    /// any size from short ones).
    public static let maxRecordBytes = 1 << 20

    private enum Logical {
        case line(Int, String)
        case end
        /// A line that could not be read: the record it is in is skipped.
        case broken(Int)
    }

    public static func parse(_ bytes: [UInt8]) -> MigrationParse<LDIF> {
        var log = ProblemLog()
        var result = LDIF(entries: [])
        // Unfold first: logical lines with the number of their first physical line.
        var logical: [Logical] = []
        var lines = TextLines(bytes)
        var current: (number: Int, text: String, isComment: Bool)?
        var tooLong = false
        func flush() {
            if let line = current {
                if tooLong {
                    log.add(line.number, "folded line longer than \(maxRecordBytes) bytes")
                    logical.append(.broken(line.number))
                } else if !line.isComment {
                    logical.append(.line(line.number, line.text))
                }
            }
            current = nil
            tooLong = false
        }
        while let (number, text) = lines.next() {
            guard let text else {
                flush()
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                logical.append(.broken(number))
                continue
            }
            if text.hasPrefix(" "), current != nil {
                if current!.text.utf8.count + text.utf8.count > maxRecordBytes {
                    tooLong = true
                } else if !current!.isComment {
                    current!.text += text.dropFirst()
                }
                continue
            }
            flush()
            if text.isEmpty {
                logical.append(.end)
            } else {
                current = (number, String(text), text.hasPrefix("#"))
            }
        }
        flush()
        logical.append(.end)

        var entry: Entry?
        var skipping = false  // the rest of the record, up to the next empty line, is skipped
        var sawFirst = false
        func skipRecord(_ why: String) {
            if let skipped = entry { log.add(skipped.line, "entry \(ASCII.quoted(skipped.dn)) \(why): skipped") }
            entry = nil
            skipping = true
        }
        for item in logical {
            switch item {
            case .end:
                if let finished = entry { result.entries.append(finished) }
                entry = nil
                skipping = false
            case .broken:
                if !skipping { skipRecord("has an unreadable line") }
            case .line(let number, let text):
                if skipping { continue }
                if !sawFirst {
                    sawFirst = true
                    if text.lowercased().hasPrefix("version:") {
                        let version = text.dropFirst(8).trimmingCharacters(in: .whitespaces)
                        if version != "1" {
                            log.add(number, "LDIF version \(ASCII.quoted(version)) is not 1: read as version 1")
                        }
                        continue
                    }
                }
                guard let attribute = parseAttribute(text, number: number, log: &log) else {
                    if entry == nil { skipping = true } else { skipRecord("has an unreadable attribute") }
                    continue
                }
                let name = attribute.name.lowercased()
                if entry == nil {
                    guard name == "dn", let dn = attribute.text else {
                        log.add(number, "record does not start with a dn: line: skipped")
                        skipping = true
                        continue
                    }
                    entry = Entry(dn: dn, attributes: [], line: number)
                } else if name == "changetype" {
                    skipRecord("is a change record, not content")
                } else if name == "control" {
                    skipRecord("has an LDIF control")
                } else {
                    entry!.attributes.append(attribute)
                }
            }
        }
        return MigrationParse(value: result, problems: log.all)
    }

    /// `attr: value`, `attr:: base64`, `attr:< url` (RFC 2849 `attrval-spec`).
    private static func parseAttribute(_ text: String, number: Int, log: inout ProblemLog) -> Attribute? {
        guard let colon = text.firstIndex(of: ":") else {
            log.add(number, "\(ASCII.quoted(text)) is not `attribute: value`")
            return nil
        }
        let name = text[..<colon]
        // AttributeDescription: a descr or OID with options; letters, digits, "-", ".", ";".
        guard !name.isEmpty,
            name.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2E || $0 == 0x3B
            })
        else {
            log.add(number, "attribute name \(ASCII.quoted(name)) is not valid")
            return nil
        }
        var rest = text[text.index(after: colon)...]
        if rest.first == ":" {
            rest = rest.dropFirst()
            let encoded = rest.trimmingCharacters(in: .whitespaces)
            guard let data = Data(base64Encoded: encoded) else {
                log.add(number, "the base64 value of \(name) is not valid base64")
                return nil
            }
            return Attribute(name: String(name), bytes: Array(data))
        }
        if rest.first == "<" {
            log.add(number, "the value of \(name) is a URL reference (:<), which is not read")
            return nil
        }
        // SAFE-STRING after optional spaces (note 4: a value with leading space is base64-encoded).
        return Attribute(name: String(name), bytes: Array(rest.drop { $0 == " " }.utf8))
    }
}

/// An account as an `inetOrgPerson` entry (RFC 2798) describes it.
public struct LDIFAccount: Sendable, Hashable {
    /// From `mail`.
    public var address: String
    /// From `userPassword`, `{SCHEME}` kept as written (RFC 2307 §5.3; a value without a scheme is
    /// cleartext, taken as `{PLAIN}` and reported).
    public var password: PasswordText?
    /// From `displayName`, else `cn`.
    public var displayName: String?
    /// Further `mail` values (aliases of the account in many directories).
    public var otherAddresses: [String]
    public var dn: String

    /// Maps an entry; `nil` with a problem when it has no `mail`. An unknown password scheme (per `isKnownScheme`,
    /// e.g. Directory's `PasswordScheme(name:) != nil`) is reported and the password left out: the caller decides
    /// whether to skip the account.
    public static func from(_ entry: LDIF.Entry, isKnownScheme: (String) -> Bool) -> MigrationParse<LDIFAccount?> {
        var problems: [MigrationProblem] = []
        let mails = entry.values("mail").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let address = mails.first else {
            return MigrationParse(
                value: nil,
                problems: [
                    MigrationProblem(line: entry.line, reason: "entry \(ASCII.quoted(entry.dn)) has no mail attribute: skipped")
                ])
        }
        var password: PasswordText?
        let passwords = entry.values("userPassword")
        if passwords.count > 1 {
            problems.append(
                MigrationProblem(
                    line: entry.line, reason: "\(address): \(passwords.count) userPassword values, the first is used"))
        }
        if let raw = passwords.first {
            if let parsed = PasswordText.parse(raw, defaultScheme: "PLAIN") {
                if parsed.schemeImplied {
                    problems.append(
                        MigrationProblem(
                            line: entry.line, reason: "\(address): userPassword has no {SCHEME}, taken as cleartext {PLAIN}"))
                }
                if let reason = parsed.unknownScheme(isKnown: isKnownScheme) {
                    problems.append(MigrationProblem(line: entry.line, reason: "\(address): \(reason)"))
                } else {
                    password = parsed
                }
            } else {
                problems.append(MigrationProblem(line: entry.line, reason: "\(address): userPassword has a broken {SCHEME}"))
            }
        } else if entry.attributes.contains(where: { $0.name.lowercased() == "userpassword" }) {
            problems.append(MigrationProblem(line: entry.line, reason: "\(address): userPassword is not text"))
        }
        let display = entry.value("displayName") ?? entry.value("cn")
        return MigrationParse(
            value: LDIFAccount(
                address: address, password: password, displayName: display, otherAddresses: Array(mails.dropFirst()),
                dn: entry.dn),
            problems: problems)
    }
}
