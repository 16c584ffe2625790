/// What changed in a mailbox since a modseq: the basis of IMAP's untagged EXISTS, EXPUNGE,
/// VANISHED and FETCH FLAGS updates and of CONDSTORE/QRESYNC resynchronisation (RFC 7162).
public struct MailboxChanges: Sendable, Hashable {
    /// The mailbox's HIGHESTMODSEQ when read.
    public var highestModSeq: Int64
    /// The mailbox's UIDNEXT when read.
    public var uidNext: UInt32
    /// Messages added or whose flags changed after the modseq, by UID.
    public var changed: [MessageState]
    /// UIDs removed after the modseq, ascending.
    public var expunged: [UInt32]

    public init(highestModSeq: Int64, uidNext: UInt32, changed: [MessageState], expunged: [UInt32]) {
        self.highestModSeq = highestModSeq
        self.uidNext = uidNext
        self.changed = changed
        self.expunged = expunged
    }
}

/// Where COPY or MOVE put messages: the UIDPLUS `COPYUID` data (RFC 4315 §3).
public struct CopyResult: Sendable, Hashable {
    public var destinationID: Int64
    public var uidValidity: UInt32
    /// Source UIDs copied, ascending, and the destination UID each got (same order).
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]

    public init(destinationID: Int64, uidValidity: UInt32, sourceUIDs: [UInt32], destinationUIDs: [UInt32]) {
        self.destinationID = destinationID
        self.uidValidity = uidValidity
        self.sourceUIDs = sourceUIDs
        self.destinationUIDs = destinationUIDs
    }
}
