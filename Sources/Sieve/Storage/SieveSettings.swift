import Core

/// `[sieve]`: limits of users' Sieve scripts (docs/sieve.md).
public struct SieveSettings: Sendable, Equatable {
    /// `max_scripts`: scripts per account (1...1000, default 20; ManageSieve `QUOTA/MAXSCRIPTS`).
    public var maximumScripts = 20
    /// `max_script_size`: bytes per script (1 KiB...1 MiB, default 256 KiB; `QUOTA/MAXSIZE`).
    public var maximumScriptSize = ByteSize(bytes: 256 << 10)
    /// `max_redirects_per_hour`: redirected copies an account's scripts may send per hour
    /// (0...10000, default 100); past it the message is kept instead.
    public var maximumRedirectsPerHour = 100
    /// `max_replies_per_hour`: vacation replies, and reject DSNs, an account's scripts may cause
    /// per hour, each (0...10000, default 100); past it the reply is not sent, the reject keeps.
    public var maximumRepliesPerHour = 100

    public init() {}
}

extension PostaConfig {
    /// `[sieve]`.
    public var sieve: SieveSettings {
        get { sections[SieveSettings.self] }
        set { sections[SieveSettings.self] = newValue }
    }
}

extension SieveSettings: ConfigSection {
    package static let name = "sieve"

    static let keys = ["max_scripts", "max_script_size", "max_redirects_per_hour", "max_replies_per_hour"]

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> SieveSettings
    {
        var settings = SieveSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let value = reader.integer("max_scripts", in: entries, at: path, range: 1...1000) { settings.maximumScripts = value }
        if let value = reader.size("max_script_size", in: entries, at: path, range: 1024...(1 << 20)) {
            settings.maximumScriptSize = value
        }
        if let value = reader.integer("max_redirects_per_hour", in: entries, at: path, range: 0...10_000) {
            settings.maximumRedirectsPerHour = value
        }
        if let value = reader.integer("max_replies_per_hour", in: entries, at: path, range: 0...10_000) {
            settings.maximumRepliesPerHour = value
        }
        return settings
    }
}
