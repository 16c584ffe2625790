/// Why an `AdminConsole` operation failed, besides `AccessDenied`; the web maps these to HTTP
/// statuses and RFC 9457 problem details.
public enum AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such administrator, account, domain, alias, queue entry… (404).
    case notFound(String)
    /// The input is not acceptable; the text says why, for a person (400 / 422).
    case invalid(String)
    /// It exists already, or the state does not allow it (409).
    case conflict(String)

    public var description: String {
        switch self {
        case .notFound(let what): "not found: \(what)"
        case .invalid(let why): why
        case .conflict(let why): why
        }
    }
}
