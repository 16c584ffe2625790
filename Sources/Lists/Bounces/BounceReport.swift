import Core

/// What a bounce message says about the recipients it reports on: the addresses that failed for good
/// (a list scores members on these only) and the ones only delayed (warnings; delivery goes on).
public struct BounceReport: Sendable, Hashable {
    /// Recipients that failed permanently: DSN `Action: failed` (RFC 3464 §2.3.3) or a text bounce that
    /// does not say it will retry. In the order found, without duplicates (compared by `MailAddress.key`).
    public var permanent: [MailAddress]
    /// Recipients delayed or failed temporarily: DSN `Action: delayed` or a `4.x.x` status (RFC 3463 §3.1)
    /// without an action, or a text warning ("will keep trying"). Never also in `permanent`.
    public var temporary: [MailAddress]
    /// The format that recognised the message; nil when none did (not a bounce, or not understood).
    public var detector: BounceDetector?
    /// True when a limit of `BounceParser.Limits` cut the reading short, so more recipients may be named.
    public var truncated: Bool

    public init(
        permanent: [MailAddress] = [], temporary: [MailAddress] = [], detector: BounceDetector? = nil,
        truncated: Bool = false
    ) {
        self.permanent = permanent
        self.temporary = temporary
        self.detector = detector
        self.truncated = truncated
    }

    /// No recipient found.
    public var isEmpty: Bool { permanent.isEmpty && temporary.isEmpty }
}

/// The bounce formats `BounceParser` recognises, by the name reports and the CLI show.
public enum BounceDetector: String, Sendable, Hashable, CaseIterable, Codable {
    /// A delivery status notification: multipart/report with message/delivery-status (RFC 3464, RFC 6522).
    case dsn
    /// qmail-send's "Hi. This is the qmail-send program" and its relatives (Yahoo's old MTA).
    case qmail
    /// Postfix before DSN support: "This is the Postfix program at host …" with `<address>: reason` lines.
    case postfix
    /// Exim: "A message that you sent could not be delivered to one or more of its recipients".
    case exim
    /// Sendmail: "----- The following addresses had permanent fatal errors -----".
    case sendmail
    /// Microsoft Exchange and Outlook non-delivery reports.
    case exchange
    /// Yahoo's own failure notices.
    case yahoo
    /// AOL's "could not be delivered because they are not accepting mail from".
    case aol
    /// Lotus Domino and Novell GroupWise reports.
    case lotus
    /// Any other text that names the failed address next to a failure phrase (IMail/SMTP32's one-line
    /// "Delivery failed" notices among them).
    case simpleMatch = "simple-match"
    /// Any other text that says delivery is delayed and will be retried.
    case simpleWarning = "simple-warning"
}
