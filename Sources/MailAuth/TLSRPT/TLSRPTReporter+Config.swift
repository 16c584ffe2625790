import Core

extension PostaConfig {
    /// Who the site says it is in the TLS reports it writes (RFC 8460 §4.4 `organization-name`,
    /// `contact-info`; §5.3 the submitter): the hostname and postmaster@hostname. The one identity
    /// of the mailed reports, `posta tlsrpt report-json` and the console's download.
    public var tlsReporter: TLSRPTReporter {
        TLSRPTReporter(organizationName: hostname, contactInfo: "postmaster@\(hostname)", submitter: hostname)
    }
}
