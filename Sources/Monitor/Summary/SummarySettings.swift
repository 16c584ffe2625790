import Core

/// `[summary]`: the daily summary mail and the counts behind it and the dashboard's charts
/// (docs/summary.md, docs/config.md).
public struct SummarySettings: Sendable, Equatable {
    /// `send`: mail the summary of each UTC day (default false: counts are kept all the same and
    /// `posta summary show` prints them).
    public var send = false
    /// `to`: the recipients (default postmaster@<hostname>).
    public var to: [String] = []
    /// `send_at`: the UTC time of day, `HH:MM`, after which the previous day's summary goes out
    /// (default 06:00), as seconds after midnight.
    public var sendAt: Int64 = 6 * 3600
    /// `top`: rows in each list (1...100, default 10).
    public var top = 10
    /// `retention`: days of counts kept (7d...3650d, default 400d).
    public var retention: ConfigDuration = .days(400)
    /// `minute_retention`: how long the dashboard's per-minute counts are kept (1h...30d, default 48h).
    public var minuteRetention: ConfigDuration = .hours(48)
    /// `hour_retention`: how long the dashboard's per-hour counts are kept (1d...3650d, default 90d).
    public var hourRetention: ConfigDuration = .days(90)

    public init() {}

    /// The recipients: `to`, else postmaster@hostname.
    public func recipients(hostname: String) -> [String] {
        to.isEmpty ? ["postmaster@\(hostname)"] : to
    }

    static let keys = ["send", "to", "send_at", "top", "retention", "minute_retention", "hour_retention"]

    /// `HH:MM` → seconds after midnight; nil unless 00:00...23:59.
    static func timeOfDay(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int64(parts[0]), let minutes = Int64(parts[1]), (0...23).contains(hours), (0...59).contains(minutes)
        else { return nil }
        return hours * 3600 + minutes * 60
    }
}

extension PostaConfig {
    /// `[summary]`.
    public var summary: SummarySettings {
        get { sections[SummarySettings.self] }
        set { sections[SummarySettings.self] = newValue }
    }
}

extension SummarySettings: ConfigSection {
    package static let name = "summary"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> SummarySettings
    {
        var settings = SummarySettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        settings.send = reader.boolean("send", in: entries, at: path) ?? false
        settings.to = reader.strings(
            "to", in: entries, at: path, expected: "a list of mail addresses",
            valid: { (try? MailAddress(parsing: $0)) != nil })
        if let text = reader.string("send_at", in: entries, at: path, expected: "a UTC time HH:MM") {
            if let seconds = timeOfDay(text) {
                settings.sendAt = seconds
            } else if let node = ConfigReader.value("send_at", in: entries) {
                reader.invalid(path.appending("send_at"), node, expected: "a UTC time HH:MM (00:00...23:59)")
            }
        }
        if let top = reader.integer("top", in: entries, at: path, range: 1...100) { settings.top = Int(top) }
        if let value = reader.duration("retention", in: entries, at: path, range: 7 * 86_400...3650 * 86_400) {
            settings.retention = value
        }
        if let value = reader.duration("minute_retention", in: entries, at: path, range: 3600...30 * 86_400) {
            settings.minuteRetention = value
        }
        if let value = reader.duration("hour_retention", in: entries, at: path, range: 86_400...3650 * 86_400) {
            settings.hourRetention = value
        }
        return settings
    }
}
