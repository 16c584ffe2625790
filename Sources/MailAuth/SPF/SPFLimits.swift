/// Processing limits of RFC 7208 §4.6.4; the defaults are the RFC's numbers.
public struct SPFLimits: Sendable, Hashable {
    /// Terms that query DNS (include, a, mx, ptr, exists, redirect) per check; beyond: permerror.
    public var dnsTerms: Int
    /// Lookups answered NXDOMAIN or with no records; beyond: permerror.
    public var voidLookups: Int
    /// MX names one `mx` mechanism may look up addresses for; more MX records: permerror.
    public var mxNames: Int
    /// PTR names one `ptr` mechanism or `%{p}` validates; the others are ignored.
    public var ptrNames: Int

    public init(dnsTerms: Int = 10, voidLookups: Int = 2, mxNames: Int = 10, ptrNames: Int = 10) {
        self.dnsTerms = dnsTerms
        self.voidLookups = voidLookups
        self.mxNames = mxNames
        self.ptrNames = ptrNames
    }
}
