/// What validating a message's Authenticated Received Chain gave (RFC 8617 §5.2).
public struct ARCResult: Sendable, Hashable {
    public var status: ARCChainStatus
    /// Why, for `fail`.
    public var reason: String?
    /// True when the chain failed only because a key lookup failed temporarily: a later try
    /// may pass (what the DMARC override of a trusted sealer needs to know, docs/dmarc.md).
    public var isTemporary: Bool
    /// The number of ARC Sets read.
    public var instances: Int
    /// `d=` of the newest ARC-Seal: the sealer whose word a receiver trusts or not (§7.2). Set
    /// whenever the sets could be read, also when the chain failed.
    public var sealer: String?
    /// §5.2 step 5: the oldest instance from which every ARC-Message-Signature up to the newest
    /// still validates; 0 when all of them do. Set for `pass`.
    public var oldestPass: Int?

    public init(
        status: ARCChainStatus, reason: String? = nil, isTemporary: Bool = false, instances: Int = 0, sealer: String? = nil,
        oldestPass: Int? = nil
    ) {
        self.status = status
        self.reason = reason
        self.isTemporary = isTemporary
        self.instances = instances
        self.sealer = sealer
        self.oldestPass = oldestPass
    }

    /// The `arc=` result of an `Authentication-Results` field with the properties RFC 8617 §10.1
    /// registers: `header.oldest-pass` (for `pass`) and `smtp.remote-ip`, the client that handed
    /// the message over; e.g. `arc=pass (i=2 d=lists.example) header.oldest-pass=0 smtp.remote-ip=192.0.2.1`.
    public func authenticationResultsClause(remoteIP: String?) -> String {
        var clause = "arc=\(status.rawValue)"
        if let reason, status == .fail {
            clause += " reason=" + SPFHeaderValue.quoted(reason)
        }
        if status != .none, let sealer {
            clause += " " + SPFHeaderValue.comment("i=\(instances) d=\(sealer)")
        }
        if status == .pass, let oldestPass { clause += " header.oldest-pass=\(oldestPass)" }
        if status != .none, let remoteIP { clause += " smtp.remote-ip=" + DKIMSignatureResult.token(remoteIP) }
        return clause
    }
}
