import Core

/// The addresses of a list (Mailman's naming): `dept@` takes posts, `dept-owner@` reaches the
/// owners and moderators, `dept-request@` takes commands (`subscribe`, `unsubscribe`,
/// `confirm COOKIE`, `help`), `dept-join@`/`dept-leave@` are subscribe and unsubscribe
/// requests, `dept-confirm+COOKIE@` answers a confirmation or moderator notice, and
/// `dept-bounces+TOKEN@` (VERP) takes the delivery status notifications of a member's copies.
public enum ListAddressRole: Sendable, Hashable {
    case post
    case owner
    case request
    case join
    case leave
    /// A reply to a notice; `cookie` names the pending request (nil: look in the Subject).
    case confirm(cookie: String?)
    /// A bounce; `token` names the member whose copy bounced (in lower case; nil: no VERP).
    case bounces(token: String?)
}

/// A recipient address taken apart into the list it names and the role.
public struct ListAddress: Sendable, Hashable {
    /// The posting address's key (lower case), to find the list by.
    public var listKey: String
    public var role: ListAddressRole

    static let ownerSuffix = "-owner"
    static let requestSuffix = "-request"
    static let joinSuffix = "-join"
    static let leaveSuffix = "-leave"
    static let confirmSuffix = "-confirm"
    static let bouncesSuffix = "-bounces"

    /// Every suffix a list's companion addresses add to its local part.
    static let suffixes = [ownerSuffix, requestSuffix, joinSuffix, leaveSuffix, confirmSuffix, bouncesSuffix]

    /// The candidates an address may stand for, most specific first: itself as a posting address,
    /// then as one of the companion addresses. Nothing here is looked up.
    public static func candidates(_ address: MailAddress) -> [ListAddress] {
        let local = address.localPart.lowercased()
        var out = [ListAddress(listKey: "\(local)@\(address.domain)", role: .post)]
        let plain: [(String, ListAddressRole)] = [
            (ownerSuffix, .owner), (requestSuffix, .request), (joinSuffix, .join), (leaveSuffix, .leave),
            (confirmSuffix, .confirm(cookie: nil)), (bouncesSuffix, .bounces(token: nil)),
        ]
        for (suffix, role) in plain where local.hasSuffix(suffix) && local.count > suffix.count {
            out.append(ListAddress(listKey: "\(local.dropLast(suffix.count))@\(address.domain)", role: role))
        }
        // `dept-confirm+COOKIE@…`, `dept-bounces+TOKEN@…`: the text after the first "+".
        let parts = local.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].isEmpty {
            let base = parts[0]
            let detail = String(parts[1])
            if base.hasSuffix(confirmSuffix), base.count > confirmSuffix.count {
                out.append(
                    ListAddress(
                        listKey: "\(base.dropLast(confirmSuffix.count))@\(address.domain)", role: .confirm(cookie: detail)))
            }
            if base.hasSuffix(bouncesSuffix), base.count > bouncesSuffix.count {
                out.append(
                    ListAddress(listKey: "\(base.dropLast(bouncesSuffix.count))@\(address.domain)", role: .bounces(token: detail))
                )
            }
        }
        return out
    }

    /// The companion address of `list` with `suffix` (and `+detail`).
    static func companion(_ list: MailAddress, _ suffix: String, detail: String? = nil) -> MailAddress {
        MailAddress(localPart: list.localPart + suffix + (detail.map { "+" + $0 } ?? ""), domain: list.domain)
    }
}

/// Variable envelope return paths: the member's secret token in the local part of the list's
/// bounce address, `dept-bounces+TOKEN@example.org`, so a bounce names the member that failed
/// whatever its format, and nobody who lacks the token can make a member look undeliverable.
public enum VERP {
    /// The bounce address of `list` for the member with `token`; the plain bounce address when
    /// the local part would pass RFC 5321 §4.5.3.1.1's 64 octets.
    public static func encode(list: MailAddress, token: String) -> MailAddress {
        let verp = ListAddress.companion(list, ListAddress.bouncesSuffix, detail: token.lowercased())
        return verp.localPart.utf8.count <= 64 ? verp : ListAddress.companion(list, ListAddress.bouncesSuffix)
    }
}
