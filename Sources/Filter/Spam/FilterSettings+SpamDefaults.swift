extension FilterSettings {
    /// The spam settings a recipient without its own (nor its domain's) gets: those of
    /// `[filter.spamassassin]`, else `[filter.rspamd]`; nil when no spam scanner is configured. A
    /// nil `junkThreshold` means the scanner's own threshold (`required_score`).
    public var spamDefaults: SpamPreferences? {
        guard let thresholds = spamAssassin?.thresholds ?? rspamd?.thresholds else { return nil }
        return SpamPreferences(
            junkThreshold: thresholds.junk, rejectThreshold: thresholds.reject, junk: thresholds.junkFolder)
    }
}
