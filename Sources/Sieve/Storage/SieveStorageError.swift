/// Why a script operation was refused (mapped to ManageSieve response codes, RFC 5804 §1.3).
public enum SieveStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The script does not compile: one line per error.
    case invalidScript([String])
    /// Not a valid script name (RFC 5804 §1.6).
    case invalidName(String)
    case noSuchScript(String)
    case alreadyExists(String)
    /// The active script cannot be deleted (RFC 5804 §2.10).
    case activeScript(String)
    /// At most this many scripts per account (`QUOTA/MAXSCRIPTS`).
    case tooManyScripts(Int)
    /// A script is at most this many bytes (`QUOTA/MAXSIZE`).
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .invalidScript(let errors): errors.joined(separator: "\n")
        case .invalidName(let name): "'\(name)' is not a valid script name"
        case .noSuchScript(let name): "there is no script named '\(name)'"
        case .alreadyExists(let name): "a script named '\(name)' already exists"
        case .activeScript(let name): "'\(name)' is the active script: deactivate it first"
        case .tooManyScripts(let limit): "at most \(limit) scripts"
        case .tooLarge(let limit): "a script is at most \(limit) bytes"
        }
    }
}

/// One script of an account, as LISTSCRIPTS shows it.
public struct SieveScriptInfo: Sendable, Equatable, Encodable {
    public var name: String
    public var active: Bool
    public var size: Int
    /// The last runtime error at delivery (the message was kept in INBOX), and when (Unix time).
    public var lastError: String?
    public var lastErrorAt: Int64?

    public init(name: String, active: Bool, size: Int, lastError: String? = nil, lastErrorAt: Int64? = nil) {
        self.name = name
        self.active = active
        self.size = size
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }

    enum CodingKeys: String, CodingKey {
        case name, active, size
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
    }
}

/// Who a script belongs to.
public enum SieveOwner: Sendable, Hashable, CustomStringConvertible {
    case account(Int64)
    /// A domain's global scripts (`before`, `after`, `include :global` targets).
    case domain(String)
    /// The site's global scripts.
    case site

    /// The `sieve_script.owner` value.
    public var description: String {
        switch self {
        case .account(let id): "account:\(id)"
        case .domain(let name): "domain:\(name.lowercased())"
        case .site: "site"
        }
    }
}
