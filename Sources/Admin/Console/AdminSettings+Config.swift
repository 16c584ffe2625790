import Core

extension PostaConfig {
    /// `[admin]`.
    public var admin: AdminSettings {
        get { sections[AdminSettings.self] }
        set { sections[AdminSettings.self] = newValue }
    }
}

extension AdminSettings: ConfigSection {
    package static let name = "admin"

    /// The defaults.
    package init() {
        self.init(sessionIdle: .minutes(30))
    }
    static let keys = ["session_idle", "session_lifetime", "helpdesk_quota_ceiling"]
    static let idleRange: ClosedRange<Int64> = 300...86400
    static let lifetimeRange: ClosedRange<Int64> = 3600...(30 * 86400)
    /// 1 MiB ... 1 TiB.
    static let ceilingRange: ClosedRange<Int64> = (1 << 20)...(1 << 40)

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> AdminSettings
    {
        var settings = AdminSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let value = reader.duration("session_idle", in: entries, at: path, range: idleRange) { settings.sessionIdle = value }
        if let value = reader.duration("session_lifetime", in: entries, at: path, range: lifetimeRange) {
            settings.sessionLifetime = value
        }
        if let value = reader.size("helpdesk_quota_ceiling", in: entries, at: path, range: ceilingRange) {
            settings.helpdeskQuotaCeiling = value
        }
        return settings
    }
}
