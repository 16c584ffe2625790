@testable import LDAP

/// Random LDAP values for property tests, from a seeded generator.
struct RandomLDAP {
    var rng: SplitMix64

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }

    mutating func bytes(_ count: ClosedRange<Int> = 0...8) -> [UInt8] {
        (0..<int(count)).map { _ in
            // Mostly the bytes filters must escape, plus anything.
            bool() ? [0x2a, 0x28, 0x29, 0x5c, 0x00, 0x25, 0x40, 0x61, 0xff][int(0...8)] : UInt8.random(in: 0...255, using: &rng)
        }
    }

    mutating func string() -> String {
        ["", "cn=admin,dc=example,dc=org", "Zoë", "日本", "a\u{0}b", "uid=x", "1.2.3"][int(0...6)]
    }

    mutating func attribute() -> String {
        ["cn", "mail", "uid", "objectClass", "cn;lang-en", "1.3.6.1.4.1.1466.0", "x-Attr-2"][int(0...6)]
    }

    mutating func optional<T>(_ make: (inout RandomLDAP) -> T) -> T? { bool() ? make(&self) : nil }

    /// A filter whose RFC 4515 string form parses back to it (non-empty lists and pieces).
    mutating func filter(depth: Int = 0) -> LDAPFilter {
        let choice = depth >= 4 ? int(3...10) : int(0...10)
        switch choice {
        case 0: return .and((0..<int(1...3)).map { _ in filter(depth: depth + 1) })
        case 1: return .or((0..<int(1...3)).map { _ in filter(depth: depth + 1) })
        case 2: return .not(filter(depth: depth + 1))
        case 3: return .equality(attribute(), bytes())
        case 4:
            var initial = optional { $0.bytes(1...4) }
            let any = (0..<int(0...2)).map { _ in bytes(1...4) }
            let final = optional { $0.bytes(1...4) }
            if initial == nil && any.isEmpty && final == nil { initial = bytes(1...4) }
            return .substrings(attribute(), initial: initial, any: any, final: final)
        case 5: return .greaterOrEqual(attribute(), bytes())
        case 6: return .lessOrEqual(attribute(), bytes())
        case 7: return .present(attribute())
        case 8: return .approx(attribute(), bytes())
        default:
            let rule = optional { ["caseExactMatch", "2.4.6.8.10", "dnMatch"][$0.int(0...2)] }
            return .extensible(
                rule: rule, attribute: rule == nil ? attribute() : optional { $0.attribute() }, value: bytes(),
                dnAttributes: bool())
        }
    }

    mutating func result() -> LDAPResult {
        LDAPResult(
            code: LDAPResultCode(rawValue: [0, 4, 10, 32, 49, 53, 80, 4096][int(0...7)]), matchedDN: string(),
            diagnosticMessage: string(),
            referral: bool() ? [] : (0..<int(1...2)).map { _ in "ldap://h\(int(0...9))/" })
    }

    mutating func control() -> LDAPControl {
        LDAPControl(
            oid: ["1.2.840.113556.1.4.319", "1.3.6.1.4.1.42.2.27.8.5.1", "2.5"][int(0...2)], critical: bool(),
            value: optional { $0.bytes() })
    }

    mutating func op() -> LDAPProtocolOp {
        switch int(0...12) {
        case 0: return .bindRequest(version: int(1...127), name: string(), password: bytes())
        case 1: return .bindResponse(result())
        case 2: return .unbindRequest
        case 3:
            return .searchRequest(
                LDAPSearchRequest(
                    base: string(), scope: LDAPSearchScope(rawValue: int(0...2))!,
                    derefAliases: LDAPDerefAliases(rawValue: int(0...3))!,
                    sizeLimit: Int32(int(0...Int(Int32.max))), timeLimit: Int32(int(0...1000)), typesOnly: bool(),
                    filter: filter(),
                    attributes: (0..<int(0...3)).map { _ in attribute() }))
        case 4:
            return .searchResultEntry(
                LDAPEntry(
                    dn: string(),
                    attributes: (0..<int(0...3)).map { _ in
                        LDAPAttribute(type: attribute(), values: (0..<int(0...3)).map { _ in bytes() })
                    }))
        case 5: return .searchResultReference((0..<int(1...3)).map { _ in "ldap://r\(int(0...99))/" })
        case 6: return .searchResultDone(result())
        case 7: return .compareRequest(dn: string(), attribute: attribute(), value: bytes())
        case 8: return .compareResponse(result())
        case 9: return .abandonRequest(Int32(int(0...Int(Int32.max))))
        case 10: return .extendedRequest(name: LDAPExtendedOperation.whoAmI, value: optional { $0.bytes() })
        case 11: return .extendedResponse(result(), name: optional { _ in "1.2.3" }, value: optional { $0.bytes() })
        default: return .intermediateResponse(name: optional { _ in "1.2.3" }, value: optional { $0.bytes() })
        }
    }

    mutating func message() -> LDAPMessage {
        LDAPMessage(messageID: Int32(int(0...Int(Int32.max))), op: op(), controls: (0..<int(0...2)).map { _ in control() })
    }
}
