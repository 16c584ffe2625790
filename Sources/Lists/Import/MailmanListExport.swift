import Core
import MIME

/// A list as exported from Mailman (3 or 2.1), already translated into Posta's terms: the
/// settings a new list gets (Posta's defaults where Mailman said nothing), its members, owners and
/// moderators, and a line for every Mailman setting or member detail that did not carry over.
/// Plain values: nothing here touches the database (`AdminConsole.importList` writes them).
public struct MailmanListExport: Sendable, Hashable {
    public var settings: ListSettings
    /// Every role; an address may appear once per role.
    public var members: [ImportedListMember]
    /// "not imported: NAME = VALUE" and other notes, in the order met; never empty of a setting
    /// that was dropped.
    public var warnings: [String]

    public init(settings: ListSettings = ListSettings(), members: [ImportedListMember] = [], warnings: [String] = []) {
        self.settings = settings
        self.members = members
        self.warnings = warnings
    }

    /// Adds `more`, keeping the first of two entries for one address in one role (a warning
    /// names the second).
    mutating func add(_ more: [ImportedListMember]) {
        var seen = Set(members.map { MemberKey(address: $0.address.lowercased(), role: $0.role) })
        for member in more {
            guard seen.insert(MemberKey(address: member.address.lowercased(), role: member.role)).inserted else {
                warnings.append("duplicate \(member.role.rawValue) \(member.address): the first entry kept")
                continue
            }
            members.append(member)
        }
    }

    private struct MemberKey: Hashable {
        var address: String
        var role: ListRole
    }
}

/// One address in one role, as a Mailman export names it.
public struct ImportedListMember: Sendable, Hashable, Encodable {
    public var address: String
    public var displayName: String
    public var role: ListRole
    public var mode: DeliveryMode
    /// nil: delivery on.
    public var disabled: DeliveryDisabled?
    /// nil: the list's action applies.
    public var moderation: ModerationAction?

    public init(
        address: String, displayName: String = "", role: ListRole = .member, mode: DeliveryMode = .regular,
        disabled: DeliveryDisabled? = nil, moderation: ModerationAction? = nil
    ) {
        self.address = address
        self.displayName = displayName
        self.role = role
        self.mode = mode
        self.disabled = disabled
        self.moderation = moderation
    }
}

/// Why an export could not be read. The input is an administrator's file but treated as
/// hostile all the same: every parser is bounded and says where it stopped.
public struct MailmanImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The text member rosters both Mailmans print: `mailman members LIST` (3) and
/// `list_members -f LIST` (2.1), one `Name <address>` or bare `address` a line; the name may be a
/// quoted string (`"Doe, Jane" <jane@example.org>`) or RFC 2047 encoded words (Python's
/// `formataddr`).
public enum MailmanMemberText {
    /// At most this many octets of roster text.
    public static let maxLength = 64 << 20
    /// At most this many lines.
    public static let maxLines = 1_000_000

    /// Each line's address and name, in `role` with `mode`; blank lines and `#` comments are
    /// skipped; a line naming no valid address is an error with its number.
    public static func parse(
        _ bytes: [UInt8], role: ListRole = .member, mode: DeliveryMode = .regular
    ) throws -> [ImportedListMember] {
        guard bytes.count <= maxLength else { throw MailmanImportError("member list larger than \(maxLength) octets") }
        var members: [ImportedListMember] = []
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            guard number <= maxLines else { throw MailmanImportError("member list longer than \(maxLines) lines") }
            let text = String(decoding: line, as: UTF8.self).mailmanTrimmed()
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let (address, name) = entry(text) else {
                throw MailmanImportError("line \(number): not an address: \(String(text.prefix(200)))")
            }
            members.append(ImportedListMember(address: address, displayName: name, role: role, mode: mode))
        }
        return members
    }

    /// `Name <address>`, `"Quoted, Name" <address>`, `<address>` or `address`.
    static func entry(_ text: String) -> (address: String, name: String)? {
        var name = ""
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            name = unquote(String(text[..<open]).mailmanTrimmed())
        }
        guard let parsed = try? MailAddress(parsing: address) else { return nil }
        return (parsed.description, EncodedWord.decode(name))
    }

    /// The content of an RFC 5322 quoted-string (backslash escapes undone), or `text` as it is.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        var out = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// Addresses only, lower-cased (for the digest and no-mail rosters that mark members).
    public static func addresses(_ bytes: [UInt8]) throws -> Set<String> {
        Set(try parse(bytes).map { $0.address.lowercased() })
    }
}

/// The rosters of addresses that mark some members of a text roster: Mailman's
/// `members --digest`/`list_members -d` (digests), `--nomail`/`-n` (delivery off) and the
/// moderated members (addresses in lower case).
public struct MailmanRosterMarks: Sendable {
    public var digest: Set<String> = []
    public var plainDigest: Set<String> = []
    public var nomail: Set<String> = []
    public var moderated: Set<String> = []

    public init() {}

    /// Marks `members` (role member) and returns a warning per marked address that is no member.
    func mark(_ members: inout [ImportedListMember], digestMode: DeliveryMode, moderation: ModerationAction) -> [String] {
        for index in members.indices where members[index].role == .member {
            let key = members[index].address.lowercased()
            if plainDigest.contains(key) {
                members[index].mode = .plainDigest
            } else if digest.contains(key) {
                members[index].mode = digestMode
            }
            if nomail.contains(key) { members[index].disabled = .user }
            if moderated.contains(key) { members[index].moderation = moderation }
        }
        let known = Set(members.filter { $0.role == .member }.map { $0.address.lowercased() })
        return digest.union(plainDigest).union(nomail).union(moderated).sorted().filter { !known.contains($0) }.map {
            "not imported: \($0) is in a digest, no-mail or moderated roster but is not a member"
        }
    }
}

extension ListSettings {
    /// The settings of `list` (its address, id, counters and member source aside).
    public init(_ list: MailingList) {
        self.init()
        displayName = list.displayName
        description = list.description
        style = list.style
        subjectPrefix = list.subjectPrefix
        replyTo = list.replyTo
        replyToAddress = list.replyToAddress
        memberAction = list.memberAction
        nonmemberAction = list.nonmemberAction
        emergency = list.emergency
        maxSize = list.maxSize
        maxRecipients = list.maxRecipients
        requireExplicitDestination = list.requireExplicitDestination
        administrivia = list.administrivia
        dmarcMitigation = list.dmarcMitigation
        dmarcAlways = list.dmarcAlways
        footer = list.footer
        bounceThreshold = list.bounceThreshold
        subscribePolicy = list.subscribePolicy
        unsubscribePolicy = list.unsubscribePolicy
        digestSizeThreshold = list.digestSizeThreshold
        digestPeriod = list.digestPeriod
        archive = list.archive
        memberSource = list.memberSource
        bounceWarnings = list.bounceWarnings
    }

    /// Gives `list` these settings (an import's; the list's member source stays).
    public func apply(to list: inout MailingList) {
        list.displayName = displayName
        list.description = description
        list.style = style
        if let subjectPrefix { list.subjectPrefix = subjectPrefix }
        list.replyTo = replyTo
        list.replyToAddress = replyToAddress
        list.memberAction = memberAction
        list.nonmemberAction = nonmemberAction
        list.emergency = emergency
        list.maxSize = maxSize
        list.maxRecipients = maxRecipients
        list.requireExplicitDestination = requireExplicitDestination
        list.administrivia = administrivia
        list.dmarcMitigation = dmarcMitigation
        list.dmarcAlways = dmarcAlways
        list.footer = footer
        list.bounceThreshold = bounceThreshold
        list.subscribePolicy = subscribePolicy
        list.unsubscribePolicy = unsubscribePolicy
        list.digestSizeThreshold = digestSizeThreshold
        list.digestPeriod = digestPeriod
        list.archive = archive
        list.bounceWarnings = bounceWarnings
    }

    /// Each setting as `posta list set` names it, with its value (for dry runs and diffs).
    public var lines: [(name: String, value: String)] {
        [
            ("name", displayName), ("description", description), ("style", style.rawValue),
            ("subject-prefix", subjectPrefix ?? "(default)"), ("reply-to", replyTo.rawValue),
            ("reply-to-address", replyToAddress), ("member-action", memberAction.rawValue),
            ("nonmember-action", nonmemberAction.rawValue), ("emergency", "\(emergency)"), ("max-size", "\(maxSize)"),
            ("max-recipients", "\(maxRecipients)"), ("require-explicit-destination", "\(requireExplicitDestination)"),
            ("administrivia", "\(administrivia)"), ("dmarc-mitigation", dmarcMitigation.rawValue),
            ("dmarc-always", "\(dmarcAlways)"), ("footer", footer), ("bounce-threshold", "\(bounceThreshold)"),
            ("subscribe-policy", subscribePolicy.rawValue), ("unsubscribe-policy", unsubscribePolicy.rawValue),
            ("digest-size-threshold", "\(digestSizeThreshold)"), ("digest-period", digestPeriod.rawValue),
            ("archive", archive.rawValue), ("bounce-warnings", "\(bounceWarnings)"),
        ]
    }
}

extension String {
    /// Without leading and trailing white space and line ends (no Foundation needed).
    func mailmanTrimmed() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
