import Core

/// Everything the site asks its administrator to publish in DNS for one domain
/// (`posta dns records DOMAIN`).
///
/// Extension point: each mail-authentication feature adds one `Provider` to `providers`, and
/// nothing else changes. DKIM keys are there now; DMARC (`_dmarc`), MTA-STS (`_mta-sts`, and the
/// `mta-sts` host) and TLS-RPT (`_smtp._tls`) records are to be added by their features.
public enum SiteDNSRecords {
    /// What a provider may use to work out its records.
    public struct Context: Sendable {
        public var database: Database
        /// The site's host name (the MX name that MTA-STS policies list).
        public var hostname: String
        /// The MTA-STS policy the site serves; nil: none, no `_mta-sts` record.
        public var mtaSTSPolicy: MTASTSPolicy?
        /// The `rua` URIs of the site's `_smtp._tls` record; empty: no record.
        public var tlsReportURIs: [String]

        public init(database: Database, hostname: String, mtaSTSPolicy: MTASTSPolicy? = nil, tlsReportURIs: [String] = []) {
            self.database = database
            self.hostname = hostname
            self.mtaSTSPolicy = mtaSTSPolicy
            self.tlsReportURIs = tlsReportURIs
        }
    }

    /// The records one feature asks to publish for a domain.
    public typealias Provider = @Sendable (_ domain: String, _ context: Context) async throws -> [PublishedDNSRecord]

    /// Every feature's records, in the order they are printed.
    public static let providers: [Provider] = [
        { domain, context in try await DKIMKeyStore(database: context.database).publishedRecords(domain: domain) },
        { domain, context in
            guard let policy = context.mtaSTSPolicy else { return [] }
            return [
                PublishedDNSRecord(
                    name: MTASTSRecord.name(for: domain), text: MTASTSRecord(id: policy.id).text,
                    comment: "MTA-STS (RFC 8461); also point mta-sts.\(domain) at \(context.hostname) with a certificate for it")
            ]
        },
        { domain, context in
            guard !context.tlsReportURIs.isEmpty else { return [] }
            return [
                PublishedDNSRecord(
                    name: TLSRPTRecord.name(for: domain),
                    text: "v=TLSRPTv1; rua=" + context.tlsReportURIs.joined(separator: ","), comment: "TLS-RPT (RFC 8460)")
            ]
        },
    ]

    /// All records for `domain`, provider by provider.
    public static func records(for domain: String, context: Context) async throws -> [PublishedDNSRecord] {
        var records: [PublishedDNSRecord] = []
        for provider in providers { records += try await provider(domain.lowercased(), context) }
        return records
    }
}
