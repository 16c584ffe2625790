/// How STORE combines the given flags with a message's flags (RFC 9051 §6.4.6).
public enum FlagOperation: Sendable, Hashable {
    /// `FLAGS`: replace all flags.
    case replace
    /// `+FLAGS`: add.
    case add
    /// `-FLAGS`: remove.
    case remove

    public func apply(_ given: [String], to current: [String]) -> [String] {
        let lowered = Set(given.map { $0.lowercased() })
        switch self {
        case .replace: return given
        case .add: return current + given.filter { flag in !current.contains { $0.lowercased() == flag.lowercased() } }
        case .remove: return current.filter { !lowered.contains($0.lowercased()) }
        }
    }
}

/// A message's flags and modseq as the index holds them.
public struct MessageState: Sendable, Hashable {
    public var uid: UInt32
    public var flags: [String]
    public var modSeq: Int64

    public init(uid: UInt32, flags: [String], modSeq: Int64) {
        self.uid = uid
        self.flags = flags
        self.modSeq = modSeq
    }
}

/// What a flag change did.
public struct FlagStoreResult: Sendable, Hashable {
    /// Every requested message that exists, with its flags and modseq after the change
    /// (changed or not), by UID.
    public var messages: [MessageState]
    /// The UIDs whose flags this call changed.
    public var changed: Set<UInt32>
    /// UIDs refused because their modseq was above `unchangedSince` (RFC 7162 §3.1.3 MODIFIED).
    public var modified: [UInt32]

    public init(messages: [MessageState], changed: Set<UInt32>, modified: [UInt32]) {
        self.messages = messages
        self.changed = changed
        self.modified = modified
    }
}
