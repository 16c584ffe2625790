/// The state of an Authenticated Received Chain (RFC 8617 §4.4): what a sealer writes in `cv=`
/// and what validating a chain gives (`arc=` in Authentication-Results, §10.1).
public enum ARCChainStatus: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// There is no chain (no ARC Sets at all).
    case none
    /// Every ARC-Seal and the newest ARC-Message-Signature validated.
    case pass
    /// The chain is broken: structure, a seal, the newest message signature, or a sealer's `cv=fail`.
    case fail

    public var description: String { rawValue }
}
