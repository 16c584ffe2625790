import Core

/// `[filter]`: content filtering of accepted mail before the final reply (see docs/config.md).
public struct FilterSettings: Sendable, Equatable {
    /// What a scanner that cannot be reached or does not answer in time means (`on_failure`).
    public enum FailurePolicy: String, Sendable, Equatable, CaseIterable {
        /// `451 4.7.1`: the client keeps the message and retries (fail closed).
        case tempfail
        /// The message is accepted unscanned (fail open).
        case accept
    }

    /// What happens to a message a scanner condemns (`action`).
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// `554 5.7.1` at the end of data.
        case reject
        /// Accepted and held in the quarantine (`posta quarantine`).
        case quarantine
    }

    /// Where a scanner daemon listens: `host:port` or a Unix socket path.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    /// `[filter.clamav]`: clamd, INSTREAM.
    public struct ClamAV: Sendable, Equatable {
        public var endpoint: Endpoint
        public var timeout: ConfigDuration = .seconds(30)
        public var onFailure: FailurePolicy = .tempfail
        public var action: Action = .reject

        public init(endpoint: Endpoint) { self.endpoint = endpoint }
    }

    /// Score thresholds shared by SpamAssassin and rspamd; a threshold of nil is not used.
    public struct SpamThresholds: Sendable, Equatable {
        /// At or above: delivered to the recipient's Junk folder (when `junk`), else flagged only.
        public var junk: Double? = 5
        /// At or above: quarantined.
        public var quarantine: Double?
        /// At or above: refused with `554 5.7.1`.
        public var reject: Double?
        /// Deliver spam into Junk rather than INBOX.
        public var junkFolder = true

        public init() {}
    }

    /// `[filter.spamassassin]`: spamd, SPAMC/1.5.
    public struct SpamAssassin: SpamScannerSettings {
        public var endpoint: Endpoint
        public var timeout: ConfigDuration = .seconds(30)
        public var onFailure: FailurePolicy = .tempfail
        public var thresholds = SpamThresholds()
        /// The `User:` spamd scans for (its per-user preferences); nil sends none.
        public var user: String?

        public init(endpoint: Endpoint) { self.endpoint = endpoint }
    }

    /// `[filter.rspamd]`: rspamd's HTTP `/checkv2`.
    public struct Rspamd: SpamScannerSettings {
        public var endpoint: Endpoint
        public var timeout: ConfigDuration = .seconds(30)
        public var onFailure: FailurePolicy = .tempfail
        public var thresholds = SpamThresholds()
        /// Optional `Password:` header for rspamd's controller.
        public var password: String?

        public init(endpoint: Endpoint) { self.endpoint = endpoint }
    }

    /// `[filter.external]`: an SMTP content filter (Postfix `content_filter` style).
    public struct External: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// `timeout`: the whole chain's budget.
    public var timeout: ConfigDuration = .seconds(60)
    /// `header_checks`: refuse messages without From/Date or with malformed MIME structure.
    public var headerChecks = false
    /// `blocked_extensions`: attachment file name extensions refused (lower case, without dot).
    public var blockedExtensions: [String] = []
    /// `blocked_types`: attachment MIME types refused (lower case `type/subtype`).
    public var blockedTypes: [String] = []
    /// `mime_limit_action`: what happens to a message whose MIME structure exceeds the parser's limits
    /// (nesting, part count, header size), so that the attachment rules could not see all of it.
    public var mimeLimitAction: Action = .reject
    /// `trusted_networks`: client addresses (CIDR) whose mail is not scanned.
    public var trustedNetworks: [String] = []
    /// `skip_authenticated`: mail from authenticated senders is not scanned.
    public var skipAuthenticated = false
    /// `sender_authentication`: SPF, DKIM and DMARC of mail received on port 25, with the DMARC
    /// policy applied at the end of data (docs/dmarc.md).
    public var senderAuthentication = false
    /// `trusted_arc_sealers`: domains whose passing ARC chain (the newest ARC-Seal's `d=`, or a
    /// name below) lets mail through that fails DMARC (RFC 8617 §7.2, docs/arc.md).
    public var trustedARCSealers: [String] = []
    /// `dmarc_whitelist`: domains (SPF-passed MAIL FROM domain or `d=` of a passing DKIM signature)
    /// and client networks (CIDR) whose mail is delivered when it fails DMARC (docs/dmarc.md).
    public var dmarcWhitelist: [String] = []
    public var clamAV: ClamAV?
    public var spamAssassin: SpamAssassin?
    public var rspamd: Rspamd?
    public var external: External?

    public init() {}

    /// Whether anything is configured at all.
    public var isEmpty: Bool {
        !headerChecks && blockedExtensions.isEmpty && blockedTypes.isEmpty && clamAV == nil && spamAssassin == nil
            && rspamd == nil && external == nil
    }
}

/// What `[filter.spamassassin]` and `[filter.rspamd]` have in common: where the daemon listens, how
/// long to wait, what to do when it fails, and the score thresholds.
public protocol SpamScannerSettings: Sendable, Equatable {
    var endpoint: FilterSettings.Endpoint { get set }
    var timeout: ConfigDuration { get set }
    var onFailure: FilterSettings.FailurePolicy { get set }
    var thresholds: FilterSettings.SpamThresholds { get set }
    init(endpoint: FilterSettings.Endpoint)
}
