import Core

/// `[dmarc]`: aggregate reports, sent and received (docs/dmarc.md, docs/config.md). What DMARC
/// does to inbound mail is under `[filter]` (`sender_authentication`).
public struct DMARCSettings: Sendable, Equatable {
    /// `send_reports`: send a daily aggregate report (RFC 9990) to every domain whose record asks
    /// for one with `rua=`, from the results recorded for its mail (default false).
    public var sendReports = false
    /// `report_from`: the From, envelope sender and `<email>` of the reports Posta sends
    /// (default postmaster@<hostname>). Its domain's DKIM keys sign them.
    public var reportFrom: String?
    /// `org_name`: the reporting organization named in reports (default the hostname).
    public var orgName: String?
    /// `report_address`: a local address that receives other receivers' reports about the site's
    /// domains (the site's own `rua=`); what arrives there is imported (`posta dmarc reports`).
    public var reportAddress: String?
    /// `retention`: recorded results and imported reports older than this are deleted (1d...3650d,
    /// default 180d).
    public var retention: ConfigDuration = .days(180)

    public init() {}

    /// Who the site says it is in the reports it writes: `org_name` and `report_from`, else the
    /// hostname and postmaster@hostname.
    public func reporter(hostname: String, generator: String? = "Posta") -> DMARCReporter {
        DMARCReporter(
            orgName: orgName ?? hostname, email: reportFrom ?? "postmaster@\(hostname)", domain: hostname, generator: generator)
    }

    static let keys = ["send_reports", "report_from", "org_name", "report_address", "retention"]
}

extension PostaConfig {
    /// `[dmarc]`.
    public var dmarc: DMARCSettings {
        get { sections[DMARCSettings.self] }
        set { sections[DMARCSettings.self] = newValue }
    }

    /// Who the site says it is in the aggregate reports it writes (RFC 9990 §3.1.1.3): the one
    /// identity of the mailed reports, `posta dmarc report-xml` and the console's download.
    public var dmarcReporter: DMARCReporter {
        dmarc.reporter(hostname: hostname, generator: "Posta \(PostaVersion.string)")
    }
}

extension DMARCSettings: ConfigSection {
    package static let name = "dmarc"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> DMARCSettings
    {
        var settings = DMARCSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        settings.sendReports = reader.boolean("send_reports", in: entries, at: path) ?? false
        settings.reportFrom = reader.mailAddress("report_from", in: entries, at: path)
        settings.reportAddress = reader.mailAddress("report_address", in: entries, at: path)
        settings.orgName = reader.nonEmptyString("org_name", in: entries, at: path, expected: "a non-empty string")
        if let value = reader.duration("retention", in: entries, at: path, range: 86_400...3650 * 86_400) {
            settings.retention = value
        }
        return settings
    }
}
