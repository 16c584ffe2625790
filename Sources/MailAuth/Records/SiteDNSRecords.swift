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

        public init(database: Database, hostname: String) {
            self.database = database
            self.hostname = hostname
        }
    }

    /// The records one feature asks to publish for a domain.
    public typealias Provider = @Sendable (_ domain: String, _ context: Context) async throws -> [PublishedDNSRecord]

    /// Every feature's records, in the order they are printed.
    public static let providers: [Provider] = [
        { domain, context in try await DKIMKeyStore(database: context.database).publishedRecords(domain: domain) }
    ]

    /// All records for `domain`, provider by provider.
    public static func records(for domain: String, context: Context) async throws -> [PublishedDNSRecord] {
        var records: [PublishedDNSRecord] = []
        for provider in providers { records += try await provider(domain.lowercased(), context) }
        return records
    }
}
