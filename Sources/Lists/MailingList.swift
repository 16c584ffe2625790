import Core

/// Who may post, as Mailman's list styles say it.
public enum ListStyle: String, Sendable, Codable, CaseIterable {
    /// Only owners and moderators post; members receive.
    case announce
    /// Members post; other senders are held for a moderator.
    case discussion
    /// Anyone posts.
    case open
}

/// What the posting pipeline does with a post (Mailman's moderation actions).
public enum ModerationAction: String, Sendable, Codable, CaseIterable {
    /// Posted to the members at once: the later checks (commands, destination, recipients,
    /// size, subject) are skipped.
    case accept
    /// No decision here: the later checks decide (Mailman's default for members).
    case `defer`
    /// Kept for a moderator to approve, reject or discard.
    case hold
    /// Refused: the sender gets a delivery status notification with the reason.
    case reject
    /// Dropped without telling the sender.
    case discard
}

/// Where replies to a post go.
public enum ReplyToPolicy: String, Sendable, Codable, CaseIterable {
    /// The post's own Reply-To (or From), untouched.
    case leave
    /// The list's posting address.
    case list
    /// `MailingList.replyToAddress`.
    case explicit
}

/// What a post from a domain that publishes DMARC `p=quarantine` or `p=reject` becomes, so that
/// members' servers do not refuse it (the list changes the message and breaks the author's DKIM).
public enum DMARCMitigation: String, Sendable, Codable, CaseIterable {
    /// Posted as it is.
    case none
    /// From: becomes the list's address with "Name via List" as the name; the author goes to Reply-To (or Cc).
    case munge
    /// The post goes inside a new message from the list (`message/rfc822`).
    case wrap
}

/// How the members' copies are made.
public enum DeliveryStyle: String, Sendable, Codable, CaseIterable {
    /// A copy per member: its own one-click unsubscribe link (RFC 8058) and VERP sender, so its
    /// bounces are attributed to it.
    case personalised
    /// One copy for up to `ListTransport.bulkRecipients` members, signed once: no one-click link
    /// (List-Unsubscribe is the `-leave` address only) and no bounce attribution.
    case bulk
}

/// One mailing list and its settings.
public struct MailingList: Sendable, Hashable, Codable {
    public var id: Int64
    /// The posting address, as the admin wrote it.
    public var address: String
    public var displayName: String
    public var description: String
    public var style: ListStyle
    /// Put in front of each post's subject, e.g. `[dept]`; "" for none.
    public var subjectPrefix: String
    public var replyTo: ReplyToPolicy
    public var replyToAddress: String
    /// For posts from members (unless the member has its own moderation setting).
    public var memberAction: ModerationAction
    /// For posts from addresses that are not members.
    public var nonmemberAction: ModerationAction
    /// Every post is held, whoever sends it.
    public var emergency: Bool
    /// Posts larger than this are held (bytes; 0: no limit).
    public var maxSize: Int64
    /// Posts with more To/Cc addresses than this are held (0: no limit).
    public var maxRecipients: Int
    /// Posts that name neither the list in To or Cc are held.
    public var requireExplicitDestination: Bool
    /// Posts that look like commands ("unsubscribe") are held.
    public var administrivia: Bool
    public var dmarcMitigation: DMARCMitigation
    /// Mitigate every post, not only those from domains with a strict DMARC policy.
    public var dmarcAlways: Bool
    /// Appended to each post (plain text); "" for none.
    public var footer: String
    /// Permanent bounces (on different days) after which a member's delivery is disabled (0: never).
    public var bounceThreshold: Int
    /// How requests to join (by mail to `-join`/`-request`, or the web page) are granted.
    public var subscribePolicy: SubscriptionPolicy
    /// How requests to leave are granted (one-click unsubscribe always works at once).
    public var unsubscribePolicy: SubscriptionPolicy
    /// A digest goes out once the collected posts pass this many bytes (0: only by period).
    public var digestSizeThreshold: Int64
    /// A digest goes out this long after the last one, when posts are waiting.
    public var digestPeriod: DigestPeriod
    /// The volume and issue the next digest gets: a new volume each calendar month, issues
    /// counted within it (Mailman's numbering).
    public var digestVolume: Int
    public var digestIssue: Int
    /// When the last digest went out (nil: never).
    public var digestLastSentAt: Int64?
    /// Who reads the archive of accepted posts (`none`: no archive).
    public var archive: ArchivePolicy
    /// Where members come from besides those added by hand (nil: only by hand).
    public var memberSource: MemberSource?
    /// Warnings a member disabled by bounces gets, a week apart, before it is removed (0: never removed).
    public var bounceWarnings: Int
    /// One copy per member, or one copy for many (`bulk`).
    public var deliveryStyle: DeliveryStyle
    /// Held posts no moderator decided on are discarded after this many days (0: kept until decided).
    public var holdDays: Int
    public var createdAt: Int64

    /// The posting address.
    public var postingAddress: MailAddress {
        (try? MailAddress(parsing: address)) ?? MailAddress(localPart: "list", domain: "invalid")
    }

    /// RFC 2919 §2: the list identifier, `dept.example.org` for `dept@example.org`.
    public var listID: String {
        let address = postingAddress
        return ListIdentifier.make(localPart: address.localPart, domain: address.domain)
    }
}

/// A list with its settings, as created; every setting has Mailman's default or a safer one.
public struct ListSettings: Sendable, Hashable {
    public var displayName = ""
    public var description = ""
    public var style = ListStyle.discussion
    public var subjectPrefix: String?
    public var replyTo = ReplyToPolicy.leave
    public var replyToAddress = ""
    public var memberAction = ModerationAction.defer
    public var nonmemberAction = ModerationAction.hold
    public var emergency = false
    public var maxSize: Int64 = 1 << 20
    public var maxRecipients = 10
    public var requireExplicitDestination = true
    public var administrivia = true
    public var dmarcMitigation = DMARCMitigation.munge
    public var dmarcAlways = false
    public var footer = ""
    public var bounceThreshold = 5
    public var subscribePolicy = SubscriptionPolicy.confirm
    public var unsubscribePolicy = SubscriptionPolicy.confirm
    public var digestSizeThreshold: Int64 = 30 * 1024
    public var digestPeriod = DigestPeriod.daily
    public var archive = ArchivePolicy.private
    public var memberSource: MemberSource?
    public var bounceWarnings = 3
    public var deliveryStyle = DeliveryStyle.personalised
    public var holdDays = 30

    public init() {}
}

/// RFC 2919 list identifiers.
enum ListIdentifier {
    /// `local.domain`, the local part's characters outside `dot-atom-text` replaced by `-`
    /// (RFC 2919 §2: list-label is a dot-atom-text).
    static func make(localPart: String, domain: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~.")
        let label = String(localPart.lowercased().map { allowed.contains($0) ? $0 : "-" })
        return label + "." + domain
    }
}
