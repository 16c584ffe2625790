import Core

/// `[store]`: upkeep of the mail store.
public struct StoreSettings: Sendable, Equatable {
    /// `orphan_age`: message files outside the index (left by crashes) are removed once this old
    /// (1s...30d, default 1h). It must be longer than any append's or COPY's window between writing a
    /// file and committing its index row.
    public var orphanAge: ConfigDuration = .hours(1)
    /// `sweep_interval`: how often `posta serve` looks for such files, after once at start (1s...7d,
    /// default 1h).
    public var sweepInterval: ConfigDuration = .hours(1)
    /// `undelete_retention`: expunged messages and the messages of deleted mailboxes are kept this
    /// long for `posta undelete` (0...365d, 0 keeps nothing; default 14d). The purge runs every
    /// `sweep_interval`.
    public var undeleteRetention: ConfigDuration = .days(14)

    public init() {}
}

extension PostaConfig {
    /// `[store]`.
    public var store: StoreSettings {
        get { sections[StoreSettings.self] }
        set { sections[StoreSettings.self] = newValue }
    }
}

extension StoreSettings: ConfigSection {
    package static let name = "store"

    static let keys = ["orphan_age", "sweep_interval", "undelete_retention"]

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> StoreSettings
    {
        var settings = StoreSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let value = reader.duration("orphan_age", in: entries, at: path, range: 1...(30 * 86400)) {
            settings.orphanAge = value
        }
        if let value = reader.duration("sweep_interval", in: entries, at: path, range: 1...(7 * 86400)) {
            settings.sweepInterval = value
        }
        if let value = reader.duration("undelete_retention", in: entries, at: path, range: 0...(365 * 86400)) {
            settings.undeleteRetention = value
        }
        return settings
    }
}
