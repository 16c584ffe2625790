/// The free-text formats, tried in this order; the first that finds an address decides. Specific formats
/// (recognised by the MTA's own wording) come before the generic phrase matches, and delay warnings before
/// failures, since a warning also says the message "could not be delivered" yet.
extension BounceTextFormat {
    static let all: [BounceTextFormat] = [
        qmail, yahoo, postfix, eximWarning, exim, sendmailWarning, sendmail, exchange, lotus, aol, qmailLike,
        simpleWarning, simpleMatch,
    ]

    /// qmail-send: "Hi. This is the qmail-send program at …", then `<address>:` lines, each followed by the
    /// remote reason (qmail's own documentation of bounce messages, "QSBMF").
    /// Providers change the greeting but keep qmail's closing line, "--- Below this line is a copy of the message."
    static let qmail = BounceTextFormat(
        detector: .qmail,
        signatures: [
            "this is the qmail-send program", "wasn't able to deliver your message to the following addresses",
            "below this line is a copy of the message",
        ],
        placement: .lineStart)

    /// qmail's recipient lines without any of its phrases (Sina and other rebranded qmails): `<address>:` alone
    /// on a line.
    static let qmailLike = BounceTextFormat(detector: .qmail, placement: .alone)

    /// Yahoo's MTA (a qmail descendant) with its own greeting.
    static let yahoo = BounceTextFormat(
        detector: .yahoo,
        signatures: ["message from yahoo.com", "message from  yahoo.com"],
        starts: ["unable to deliver message to the following address", "unable to deliver your message to the following"],
        placement: .lineStart)

    /// Postfix without DSN: "This is the Postfix program at host …" / "This is the mail system at host …",
    /// then `<address>: reason` lines.
    static let postfix = BounceTextFormat(
        detector: .postfix,
        signatures: ["this is the postfix program", "this is the mail system at host"],
        starts: ["this is the postfix program", "this is the mail system at host"],
        placement: .lineStart)

    /// Exim's delay warning: "… has not yet been delivered to one or more of its recipients".
    static let eximWarning = BounceTextFormat(
        detector: .exim,
        signatures: ["created automatically by mail delivery software"],
        starts: ["has not yet been delivered to one or more of its", "has not yet been delivered to all"],
        placement: .lineStart, permanent: false, endsAtEmptyLineAfterAddress: true)

    /// Exim: "This message was created automatically by mail delivery software. A message that you sent
    /// could not be delivered to one or more of its recipients…", then indented `address:` lines.
    static let exim = BounceTextFormat(
        detector: .exim,
        signatures: ["created automatically by mail delivery software"],
        starts: [
            "could not be delivered to one or more of its", "could not be delivered to all of its",
            "following address(es) failed", "following addresses failed",
        ],
        placement: .lineStart)

    /// Sendmail's warning: "The following addresses had transient non-fatal errors".
    static let sendmailWarning = BounceTextFormat(
        detector: .sendmail,
        starts: ["had transient non-fatal errors"],
        ends: ["transcript of session follows"],
        permanent: false, endsAtEmptyLineAfterAddress: true)

    /// Sendmail: "----- The following addresses had permanent fatal errors -----".
    static let sendmail = BounceTextFormat(
        detector: .sendmail,
        starts: ["had permanent fatal errors"],
        ends: ["transcript of session follows"],
        endsAtEmptyLineAfterAddress: true)

    /// Microsoft Exchange and Outlook: "Your message did not reach some or all of the intended recipients",
    /// "The following recipient(s) could not be reached:", "Delivery has failed to these recipients or groups:".
    static let exchange = BounceTextFormat(
        detector: .exchange,
        starts: [
            "following recipient(s) could not be reached", "did not reach the following recipient",
            "delivery has failed to these recipients", "could not be delivered to the following recipient",
        ],
        blockLines: 30)

    /// Lotus Domino and Novell GroupWise: "was not delivered to: … because: …".
    static let lotus = BounceTextFormat(
        detector: .lotus,
        starts: ["was not delivered to:", "was undeliverable to the following", "the following users were not"],
        ends: ["because:"],
        blockLines: 20, endsAtEmptyLineAfterAddress: true)

    /// AOL: "Your mail to the following recipients could not be delivered because they are not accepting
    /// mail from …".
    static let aol = BounceTextFormat(
        detector: .aol,
        signatures: ["not accepting mail from"],
        starts: ["not accepting mail from"], readsStartLine: false, placement: .localPart(domain: "aol.com"),
        blockLines: 10, endsAtEmptyLineAfterAddress: true)

    /// Phrases of a notice that says delivery goes on: the addresses it names are delayed, not failed.
    static let delayPhrases = [
        "this is a warning message only", "will continue to try", "will continue trying", "will keep trying",
        "will be retried", "still being tried", "still being retried", "delivery attempts will continue",
        "you do not need to resend", "do not resend your original message", "has not yet been delivered",
        "has been delayed", "delivery is delayed", "message delayed", "delivery delayed",
    ]

    /// A delay warning in no known format: every address of the notice.
    static let simpleWarning = BounceTextFormat(
        detector: .simpleWarning, signatures: delayPhrases, permanent: false, blockLines: 200)

    /// A failure phrase, then the address on the same line or soon after.
    static let simpleMatch = BounceTextFormat(
        detector: .simpleMatch,
        signatures: [
            "deliver", "fail", "reject", "unknown", "invalid", "not valid", "error", "problem", "returned",
            "does not exist", "no such", "quota", "did not exactly match",
        ],
        starts: [
            "following address", "following recipient", "following destination", "could not be delivered",
            "couldn't be delivered", "was not delivered", "undeliverable", "undelivered", "permanent fatal error",
            "permanent error", "user unknown", "unknown user", "no such user", "user not found", "does not exist",
            "doesn't exist", "mailbox unavailable", "mailbox not found", "invalid recipient", "unknown recipient",
            "no such recipient", "recipient address rejected", "delivery failed", "failed to deliver", "unable to deliver",
            "not be delivered", "no such address", "bad address", "account is disabled", "account has been disabled",
            "unrouteable", "not a valid mailbox", "failed permanently", "delivery to the following",
            "failed addresses follow", "mailbox is full", "quota violation", "quota exceeded", "invalid final delivery",
            "error-for:", "error description", "delivery problems", "originally addressed to", "no longer valid",
            "your message to", "was automatically rejected", "delivery failure", "intended recipient",
            "the address to which your message was addressed", "did not exactly match",
        ],
        blockLines: 10, endsAtEmptyLineAfterAddress: true)
}
