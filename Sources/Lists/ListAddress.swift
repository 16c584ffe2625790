import Core

/// The addresses of a list (Mailman's naming): `dept@` takes posts, `dept-owner@` reaches the
/// owners and moderators, and `dept-bounces@` (with `+member=domain` for VERP) takes the
/// delivery status notifications of the members' copies.
public enum ListAddressRole: Sendable, Hashable {
    case post
    case owner
    /// A bounce; `member` is the VERP-encoded member address when the bounce came back to one.
    case bounces(member: MailAddress?)
}

/// A recipient address taken apart into the list it names and the role.
public struct ListAddress: Sendable, Hashable {
    /// The posting address's key (lower case), to find the list by.
    public var listKey: String
    public var role: ListAddressRole

    static let ownerSuffix = "-owner"
    static let bouncesSuffix = "-bounces"

    /// The candidates an address may stand for, most specific first: itself as a posting address,
    /// then as an `-owner` or `-bounces` address. Nothing here is looked up.
    public static func candidates(_ address: MailAddress) -> [ListAddress] {
        let local = address.localPart.lowercased()
        var out = [ListAddress(listKey: "\(local)@\(address.domain)", role: .post)]
        if local.hasSuffix(ownerSuffix), local.count > ownerSuffix.count {
            out.append(ListAddress(listKey: "\(local.dropLast(ownerSuffix.count))@\(address.domain)", role: .owner))
        }
        // `dept-bounces+alice=example.net@…`: the member after the first "+" (VERP).
        let base = local.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        if base[0].hasSuffix(bouncesSuffix), base[0].count > bouncesSuffix.count {
            let member = base.count == 2 ? VERP.decode(String(base[1])) : nil
            out.append(
                ListAddress(listKey: "\(base[0].dropLast(bouncesSuffix.count))@\(address.domain)", role: .bounces(member: member))
            )
        }
        return out
    }
}

/// Variable envelope return paths: a member's address in the local part of the list's bounce
/// address, `dept-bounces+alice=example.net@example.org`, so a bounce names the member that
/// failed whatever its format.
public enum VERP {
    /// The bounce address of `list` for `member`.
    public static func encode(list: MailAddress, member: MailAddress) -> MailAddress {
        MailAddress(
            localPart: list.localPart + ListAddress.bouncesSuffix + "+" + member.localPart + "=" + member.domain,
            domain: list.domain)
    }

    /// The member in the text after the `+`, or nil when it does not hold one.
    static func decode(_ text: String) -> MailAddress? {
        guard let equals = text.lastIndex(of: "=") else { return nil }
        return try? MailAddress(parsing: String(text[..<equals]) + "@" + String(text[text.index(after: equals)...]))
    }
}
