/// A check's verdict, as the Monitoring Plugins development guidelines define plugin return codes
/// (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Return Codes"): the process exit
/// status is the raw value, and the status word starts the one line of output.
public enum PluginStatus: Int32, Sendable, Comparable, CaseIterable {
    /// The service works as it should.
    case ok = 0
    /// Above a warning threshold, or working but with a problem.
    case warning = 1
    /// Not working, or above a critical threshold.
    case critical = 2
    /// The check itself could not run: bad arguments, a timeout, an internal failure.
    case unknown = 3

    /// The word Nagios shows: `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    public var word: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// Worse first: CRITICAL > WARNING > UNKNOWN > OK when several findings are merged into one verdict
    /// (the order check_disk and friends use: a known problem beats an unknown state).
    var severity: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }

    /// Reads `ok`, `warning`, `critical`, `unknown` (any case), as `--timeout-state` takes them.
    public init?(word: String) {
        guard let status = Self.allCases.first(where: { $0.word == word.uppercased() }) else { return nil }
        self = status
    }

    public static func < (lhs: PluginStatus, rhs: PluginStatus) -> Bool { lhs.severity < rhs.severity }
}
