import Core

/// One step of the filter chain: a scanner daemon or a built-in rule set.
public protocol ContentScanner: Sendable {
    /// Shown in logs and in `451` replies, e.g. `clamav`.
    var name: String { get }
    /// Longest this step may take.
    var timeout: Duration { get }
    /// What an error thrown by `scan` (unreachable, too slow, garbled reply) means.
    var onFailure: FilterSettings.FailurePolicy { get }
    /// Looks at the message; throws when the scanner cannot give an answer.
    func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict
}

/// Why a scanner gave no answer.
public enum ScannerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(String)
    case timedOut
    case malformedReply(String)
    /// The scanner answered, but with an error of its own (e.g. clamd's size limit).
    case scannerFailed(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): return "unreachable: \(reason)"
        case .timedOut: return "no answer in time"
        case .malformedReply(let reason): return "malformed reply: \(reason)"
        case .scannerFailed(let reason): return "scanner error: \(reason)"
        }
    }
}
