/// What one check found: a status, a short text and performance data, printed as the single line
/// the guidelines ask for ("Plugin Output"): `POSTA QUEUE WARNING - 1734 messages | total=1734;…`.
public struct PluginResult: Sendable, Equatable {
    /// The service name in upper case (`SMTP`, `QUEUE`).
    public var service: String
    public var status: PluginStatus
    /// One line of text for people; `|` and line breaks are replaced (they would end the text).
    public var text: String
    public var perfdata: [Perfdata]

    /// Longest text kept: Nagios keeps about 8 KB of plugin output, NRPE 1 KB; one line is enough.
    static let maxTextLength = 512

    public init(service: String, status: PluginStatus, text: String, perfdata: [Perfdata] = []) {
        self.service = service
        self.status = status
        self.text = text
        self.perfdata = perfdata
    }

    /// The status line, without a line break.
    public var line: String {
        var clean = String(
            text.map { c -> Character in
                c == "|" ? "/" : (c.isNewline || (c.isASCII && c.asciiValue! < 0x20)) ? " " : c
            })
        if clean.count > Self.maxTextLength { clean = String(clean.prefix(Self.maxTextLength - 3)) + "..." }
        var line = "POSTA \(service.uppercased()) \(status.word) - \(clean)"
        if !perfdata.isEmpty { line += " | " + perfdata.map(\.description).joined(separator: " ") }
        return line
    }

    /// The process exit status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    public var exitCode: Int32 { status.rawValue }

    /// An UNKNOWN result for a check that could not run (bad option, internal error, timeout).
    public static func unknown(_ service: String, _ text: String) -> PluginResult {
        PluginResult(service: service, status: .unknown, text: text)
    }
}
