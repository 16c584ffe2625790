/// Bounds on the work one DMARC evaluation does and on what it accepts from DNS. The defaults are
/// the RFC's numbers where it gives one, and otherwise far above what legitimate mail needs.
public struct DMARCLimits: Sendable, Hashable {
    /// DNS queries of one tree walk (RFC 9989 §4.10: eight). Names with more labels are
    /// shortened to seven labels after the first query, so no walk makes more.
    public var treeWalkQueries: Int
    /// Distinct DKIM signing domains (of passing signatures) checked for alignment; the others
    /// are not considered, so a message with hundreds of signatures costs no more than this many
    /// tree walks.
    public var dkimDomains: Int
    /// Distinct RFC5322.From domains evaluated (RFC 9989 §11.5 recommends a limit); a message with
    /// more is a `permerror`.
    public var authorDomains: Int
    /// Octets of one DMARC record (TXT strings concatenated); a longer record is unusable.
    public var recordLength: Int
    /// Tag=value pairs of one record; a record with more is unusable.
    public var recordTags: Int
    /// Reporting URIs kept from one `rua` or `ruf` tag (RFC 9990 §3.5 lets the receiver limit
    /// them); the others are ignored.
    public var reportURIs: Int

    public init(
        treeWalkQueries: Int = 8, dkimDomains: Int = 5, authorDomains: Int = 4, recordLength: Int = 2048, recordTags: Int = 32,
        reportURIs: Int = 8
    ) {
        self.treeWalkQueries = treeWalkQueries
        self.dkimDomains = dkimDomains
        self.authorDomains = authorDomains
        self.recordLength = recordLength
        self.recordTags = recordTags
        self.reportURIs = reportURIs
    }
}
