/// One problem found in the site configuration file, located as precisely as possible.
///
/// `description` is the line `posta config check` prints, e.g.
/// `posta.toml:12: listener[1].address: expected "host:port" with a port 1...65535, got "0.0.0.0:70000"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read (missing, unreadable, not UTF-8).
        case unreadable
        /// The text is not valid TOML; `line` and `column` come from the TOML parser.
        case syntax
        /// A key the schema does not know.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// The value has the wrong TOML type (a string where an integer is expected, …).
        case wrongType
        /// The value has the right type but is impossible (out of range, malformed, contradictory).
        case invalidValue
    }

    /// The configuration file, as given to `parse`/`load`.
    public var path: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, only for syntax errors.
    public var column: Int?
    /// The dotted key path, e.g. `database.url`, `listener[1].tls` (listener indexes are 0-based).
    public var key: String?
    /// What is wrong, as a sentence (without the location prefix).
    public var message: String
    /// The accepted form, when there is one (also part of `message`).
    public var expected: String?
    /// The category of the problem.
    public var kind: Kind

    public init(
        path: String, line: Int? = nil, column: Int? = nil, key: String? = nil, message: String,
        expected: String? = nil, kind: Kind = .invalidValue
    ) {
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.expected = expected
        self.kind = kind
    }

    public var description: String {
        var location = path
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        // Unknown/missing key messages already name the key in their sentence.
        switch kind {
        case .unknownKey, .missingKey, .unreadable, .syntax:
            return "\(location): \(message)"
        case .wrongType, .invalidValue:
            if let key { return "\(location): \(key): \(message)" }
            return "\(location): \(message)"
        }
    }
}

/// Every problem found in one configuration file, ordered by line.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    public init(errors: [ConfigError]) {
        self.errors = errors
    }

    /// One line per error.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
