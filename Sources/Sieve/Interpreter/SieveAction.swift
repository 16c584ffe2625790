/// What a script asks to be done with the message (RFC 5228 §4 and extensions).
public enum SieveAction: Sendable, Equatable {
    /// RFC 5228 §4.3: file into the user's INBOX, with RFC 5232 flags.
    case keep(flags: [String])
    /// RFC 5228 §4.1, RFC 5232 §5, RFC 5490 §3.2: file into a mailbox (creating it when `create`).
    case fileinto(mailbox: String, flags: [String], create: Bool)
    /// RFC 5228 §4.2: forward to an address (validated `local@domain`).
    case redirect(address: String)
    /// RFC 5228 §4.4: an explicit discard (only cancels the implicit keep).
    case discard
    /// RFC 5429: refuse the message; `extended` for ereject (refuse in protocol whenever possible).
    case reject(reason: String, extended: Bool)
    /// RFC 5230: an auto-reply, still to be checked with `SieveVacation.responseBlocked` and tracked.
    case vacation(SieveVacation)
}

/// RFC 5230 §4: a vacation response request.
public struct SieveVacation: Sendable, Equatable {
    /// The reply's text, or a MIME entity (header and body) when `mime`.
    public var reason: String
    /// RFC 5230 §4.8: `reason` is a MIME entity.
    public var mime: Bool
    /// RFC 5230 §4.3: the subject; nil means "Auto: " and the original subject.
    public var subject: String?
    /// RFC 5230 §4.3: the From of the reply; nil means the recipient.
    public var from: String?
    /// RFC 5230 §4.5: the user's other addresses.
    public var addresses: [String]
    /// RFC 5230 §4.1, RFC 6131: the minimum time between two replies to one sender, clamped to the limits.
    public var seconds: Int
    /// RFC 5230 §4.2: what identifies this response for tracking (given, or derived from reason, subject,
    /// from and mime).
    public var handle: String

    /// A vacation request.
    public init(
        reason: String, mime: Bool = false, subject: String? = nil, from: String? = nil, addresses: [String] = [],
        seconds: Int = 7 * 86_400, handle: String
    ) {
        self.reason = reason
        self.mime = mime
        self.subject = subject
        self.from = from
        self.addresses = addresses
        self.seconds = seconds
        self.handle = handle
    }
}

/// RFC 7352: a duplicate-tracking entry to record once the delivery succeeded.
public struct SieveDuplicateID: Sendable, Hashable {
    /// The id: the handle and the unique value, combined.
    public var id: String
    /// How long the entry is remembered.
    public var seconds: Int

    /// An entry.
    public init(id: String, seconds: Int) {
        self.id = id
        self.seconds = seconds
    }
}

/// The outcome of one run.
public struct SieveResult: Sendable {
    /// Explicit actions in order, then `.keep` when the implicit keep applies (RFC 5228 §2.10.2), with the
    /// internal flags (RFC 5232 §3).
    public var actions: [SieveAction]
    /// RFC 5293: header changes to make before filing, in order (`SieveHeaderEdit.apply`).
    public var headerEdits: [SieveHeaderEdit]
    /// RFC 7352: ids to track once the delivery succeeded.
    public var duplicateIDs: [SieveDuplicateID]
    /// When set the run failed (RFC 5228 §2.10.6): the caller ignores `actions` and keeps in INBOX.
    public var runtimeError: String?
    /// Whether the implicit keep applies (RFC 5228 §2.10.2); then `actions` ends with its `.keep`.
    public var implicitKeep: Bool
    /// The internal flags variable at the end of the run (RFC 5232 §3), which the implicit keep uses.
    public var implicitKeepFlags: [String]

    /// A result.
    public init(
        actions: [SieveAction] = [], headerEdits: [SieveHeaderEdit] = [], duplicateIDs: [SieveDuplicateID] = [],
        runtimeError: String? = nil, implicitKeep: Bool = true, implicitKeepFlags: [String] = []
    ) {
        self.actions = actions
        self.headerEdits = headerEdits
        self.duplicateIDs = duplicateIDs
        self.runtimeError = runtimeError
        self.implicitKeep = implicitKeep
        self.implicitKeepFlags = implicitKeepFlags
    }
}
