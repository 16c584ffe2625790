import Core
import Filter
import Logging
import Queue
import SMTP

extension PostaServer {
    /// The content filtering `[filter]` describes; nil when it is empty.
    static func filtering(_ site: Site, logger: Logger) -> ReceiverFiltering? {
        let settings = site.config.filter
        guard !settings.isEmpty else { return nil }
        return ReceiverFiltering(
            chain: FilterChain(
                settings: settings, maxMessageSize: Int(clamping: site.config.limits.maxMessageSize.bytes), logger: logger),
            quarantine: quarantine(site), external: settings.external != nil,
            spamSettings: SpamSettingsStore(database: site.database))
    }

    /// The quarantine of held messages: `<data_dir>/spool/quarantine/`.
    public static func quarantine(_ site: Site) -> QuarantineStore {
        QuarantineStore(database: site.database, directory: site.queue.spoolDirectory + "/quarantine")
    }

    /// Hands mail to `[filter.external]`, when configured.
    static func contentFilter(_ config: PostaConfig, logger: Logger) -> ContentFilterTransport? {
        config.filter.external.map {
            ContentFilterTransport(
                host: $0.host, port: $0.port, heloName: config.hostname, timeouts: SMTPClientTimeouts(config.delivery.timeouts),
                logger: logger)
        }
    }
}
