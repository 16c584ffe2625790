import Logging

/// `[log]`: how the server writes its log.
public struct LogSettings: Sendable, Equatable {
    /// `format`: line format on standard error.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// Human-readable lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// `format`, default `text`.
    public var format: Format
    /// `level`, default `info`: trace, debug, info, notice, warning, error, critical.
    public var level: Logger.Level

    public init(format: Format = .text, level: Logger.Level = .info) {
        self.format = format
        self.level = level
    }
}
