/// Why the key store refused an operation; each says what to do instead.
public enum DKIMKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidDomain(String)
    case invalidSelector(String)
    case duplicateSelector(domain: String, selector: String)
    case activeKeyExists(domain: String, algorithm: DKIMAlgorithm, selector: String)
    case unknownKey(domain: String, selector: String)
    case noActiveKey(domain: String)
    case notActive(domain: String, selector: String, state: DKIMKeyState)
    case stillPublished(domain: String, selector: String, until: Int64)
    case invalidKey(String)

    public var description: String {
        switch self {
        case .invalidDomain(let name): "invalid domain '\(name)'"
        case .invalidSelector(let name):
            "invalid selector '\(name)' (letters, digits, '-' and '_' in dot-separated labels)"
        case .duplicateSelector(let domain, let selector):
            "selector '\(selector)' is already used for \(domain) (selectors are never reused)"
        case .activeKeyExists(let domain, let algorithm, let selector):
            "\(domain) already has an active \(algorithm.shortName) key (selector '\(selector)'); use 'posta dkim rotate \(domain)'"
        case .unknownKey(let domain, let selector): "no DKIM key '\(selector)' for \(domain)"
        case .noActiveKey(let domain): "\(domain) has no active DKIM key; make one with 'posta dkim keygen \(domain)'"
        case .notActive(let domain, let selector, let state):
            "DKIM key '\(selector)' of \(domain) is \(state.rawValue), not active"
        case .stillPublished(let domain, let selector, let until):
            "DKIM key '\(selector)' of \(domain) must stay published until \(until) (seconds since 1970) for mail it signed; add --force to retire it now"
        case .invalidKey(let why): "invalid key: \(why)"
        }
    }
}
