import Core
import MailAuth

/// `[mta_sts]`: the site's own MTA-STS policy (RFC 8461), served by the HTTP listeners at
/// `/.well-known/mta-sts.txt`, and how Posta fetches other domains' policies for outbound mail.
/// TLS-RPT (RFC 8460) settings sit here too: reports are about the same connections.
public struct MTASTSSettings: Sendable, Equatable {
    /// The served policy's mode; nil: the site serves no policy (the table has no `mode`).
    public var mode: MTASTSMode?
    /// The served policy's `mx` patterns; empty: the site's host name.
    public var mx: [String] = []
    /// The served policy's `max_age` in seconds (RFC 8461 §3.2: at most 31557600).
    public var maxAge: Int64 = 604_800
    /// Apply recipient domains' MTA-STS policies to outbound mail.
    public var outbound = true
    /// The HTTPS port of `mta-sts.<domain>` hosts (443; another only for test set-ups).
    public var fetchPort = 443
    /// How long one policy fetch may take in all (connect, TLS, response).
    public var fetchTimeout: ConfigDuration = .seconds(20)
    /// Record outbound TLS outcomes per domain and day for TLS reports (RFC 8460).
    public var recordTLSReports = true
    /// Send the day's TLS reports to the domains that ask for them (`_smtp._tls` `rua=mailto:`).
    public var sendTLSReports = false
    /// The `rua` URIs of the site's own `_smtp._tls` record, as `posta dns records` prints it;
    /// empty: no record printed.
    public var reportURIs: [String] = []
    /// A local address that receives other senders' TLS reports about the site's domains (named
    /// in `report_uris`); what arrives there is stored (`posta tlsrpt reports`).
    public var tlsReportAddress: String?

    public init() {}

    /// The policy the site serves, with `hostname` as the MX when `mx` is empty; nil without `mode`.
    public func servedPolicy(hostname: String) -> MTASTSPolicy? {
        guard let mode else { return nil }
        let patterns = (mx.isEmpty ? [hostname] : mx).compactMap(MTASTSMXPattern.init)
        return MTASTSPolicy(mode: mode, mx: patterns, maxAge: maxAge)
    }

    static let keys = [
        "mode", "mx", "max_age", "outbound", "fetch_port", "fetch_timeout", "record_tls_reports", "send_tls_reports",
        "report_uris", "tls_report_address",
    ]
}

extension PostaConfig {
    /// `[mta_sts]`.
    public var mtaSTS: MTASTSSettings {
        get { sections[MTASTSSettings.self] }
        set { sections[MTASTSSettings.self] = newValue }
    }
}

extension MTASTSSettings: ConfigSection {
    package static let name = "mta_sts"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> MTASTSSettings
    {
        var settings = MTASTSSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let mode = reader.string("mode", in: entries, at: path, expected: "enforce, testing or none") {
            if let parsed = MTASTSMode(rawValue: mode) {
                settings.mode = parsed
            } else if let node = ConfigReader.value("mode", in: entries) {
                reader.invalid(path.appending("mode"), node, expected: "enforce, testing or none")
            }
        }
        settings.mx = reader.strings(
            "mx", in: entries, at: path, expected: "an array of MX host patterns, e.g. [\"mx1.example.com\", \"*.example.net\"]",
            valid: { MTASTSMXPattern($0) != nil })
        if let value = reader.integer("max_age", in: entries, at: path, range: 1...MTASTSLimits.maxAge) {
            settings.maxAge = Int64(value)
        }
        if let value = reader.boolean("outbound", in: entries, at: path) { settings.outbound = value }
        if let value = reader.integer("fetch_port", in: entries, at: path, range: 1...65535) { settings.fetchPort = Int(value) }
        if let value = reader.duration("fetch_timeout", in: entries, at: path, range: 1...300) { settings.fetchTimeout = value }
        if let value = reader.boolean("record_tls_reports", in: entries, at: path) { settings.recordTLSReports = value }
        if let value = reader.boolean("send_tls_reports", in: entries, at: path) { settings.sendTLSReports = value }
        settings.reportURIs = reader.strings(
            "report_uris", in: entries, at: path, expected: "an array of mailto: or https: URIs",
            valid: { $0.hasPrefix("mailto:") || $0.hasPrefix("https://") })
        settings.tlsReportAddress = reader.mailAddress("tls_report_address", in: entries, at: path)
        return settings
    }
}
