/// What checking one `DKIM-Signature` field gave, with what `Authentication-Results` reports
/// about it (RFC 8601 §2.7.1, RFC 6008).
public struct DKIMSignatureResult: Sendable, Hashable, Codable {
    public var result: DKIMResult
    /// Why, for everything but `pass`.
    public var reason: String?
    /// `d=` (`header.d`), when the signature could be read that far.
    public var domain: String?
    /// `s=` (`header.s`).
    public var selector: String?
    /// `i=` (`header.i`), when given.
    public var identity: String?
    /// `a=` (`header.a`).
    public var algorithm: String?
    /// `b=` without white space.
    public var signature: String?
    /// The shortest prefix of `b=`, at least 8 characters, that no other signature of the
    /// message shares (`header.b`, RFC 6008 §4).
    public var headerB: String?
    /// The size of the key that checked the signature.
    public var keyBits: Int?
    /// The key record says the domain is testing DKIM (`t=y`, RFC 6376 §3.6.1): the result must
    /// not make the message treated differently from unsigned mail.
    public var testing: Bool

    public init(
        result: DKIMResult, reason: String? = nil, domain: String? = nil, selector: String? = nil,
        identity: String? = nil, algorithm: String? = nil, signature: String? = nil, headerB: String? = nil,
        keyBits: Int? = nil, testing: Bool = false
    ) {
        self.result = result
        self.reason = reason
        self.domain = domain
        self.selector = selector
        self.identity = identity
        self.algorithm = algorithm
        self.signature = signature
        self.headerB = headerB
        self.keyBits = keyBits
        self.testing = testing
    }
}
