/// A search filter (RFC 4511 §4.5.1.7), built in code or parsed from its RFC 4515 string form.
///
/// Assertion values are raw bytes: whatever they hold, they stay values, and `description`
/// escapes them, so no value can change the filter's structure.
public indirect enum LDAPFilter: Sendable, Hashable {
    case and([LDAPFilter])
    case or([LDAPFilter])
    case not(LDAPFilter)
    case equality(String, [UInt8])
    /// `initial*any*…*final` (§4.5.1.7.2); at least one piece must be present to encode.
    case substrings(String, initial: [UInt8]?, any: [[UInt8]], final: [UInt8]?)
    case greaterOrEqual(String, [UInt8])
    case lessOrEqual(String, [UInt8])
    case present(String)
    case approx(String, [UInt8])
    /// A MatchingRuleAssertion (§4.5.1.7.7): a rule, an attribute, or both.
    case extensible(rule: String?, attribute: String?, value: [UInt8], dnAttributes: Bool)
}

extension LDAPFilter: CustomStringConvertible {
    /// The RFC 4515 string form, values escaped by `escape(_:)`.
    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        text += "("
        switch self {
        case .and(let items):
            text += "&"
            for item in items { item.write(to: &text) }
        case .or(let items):
            text += "|"
            for item in items { item.write(to: &text) }
        case .not(let item):
            text += "!"
            item.write(to: &text)
        case .equality(let attribute, let value):
            text += attribute + "=" + Self.escape(value)
        case .substrings(let attribute, let initial, let any, let final):
            text += attribute + "=" + (initial.map(Self.escape) ?? "") + "*"
            for piece in any { text += Self.escape(piece) + "*" }
            text += final.map(Self.escape) ?? ""
        case .greaterOrEqual(let attribute, let value):
            text += attribute + ">=" + Self.escape(value)
        case .lessOrEqual(let attribute, let value):
            text += attribute + "<=" + Self.escape(value)
        case .present(let attribute):
            text += attribute + "=*"
        case .approx(let attribute, let value):
            text += attribute + "~=" + Self.escape(value)
        case .extensible(let rule, let attribute, let value, let dnAttributes):
            text += (attribute ?? "") + (dnAttributes ? ":dn" : "") + (rule.map { ":" + $0 } ?? "") + ":=" + Self.escape(value)
        }
        text += ")"
    }

    /// RFC 4515 §3 value encoding: `*`, `(`, `)`, `\`, NUL and every byte outside printable
    /// ASCII (0x20–0x7E) become `\xx` (lowercase hex), so the result is plain ASCII whatever
    /// the value holds (UTF-8 text is escaped too: RFC 4515 permits that).
    public static func escape(_ value: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        for byte in value {
            switch byte {
            case 0x2a, 0x28, 0x29, 0x5c, 0x00, ..<0x20, 0x7f...:
                out += [0x5c, hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
