/// `[database]`: where accounts, queues and indexes live.
public struct DatabaseSettings: Sendable, Equatable {
    /// `url`, default `sqlite:posta.db` (inside `data_dir`).
    public var url: DatabaseURL
    /// `pool_size`: connections kept open, 1...256, default 8.
    public var poolSize: Int

    public init(url: DatabaseURL, poolSize: Int = 8) {
        self.url = url
        self.poolSize = poolSize
    }

    static let defaultURL = "sqlite:posta.db"
    static let poolSizeRange: ClosedRange<Int64> = 1...256
}

/// A parsed `database.url`.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file; the path is absolute (relative ones are resolved against `data_dir`).
    case sqlite(path: String)
    /// A PostgreSQL server. `password` and the user/database names are percent-decoded;
    /// `tls` is true for `sslmode=require`, false for `sslmode=disable` (the default).
    case postgres(host: String, port: Int, user: String, password: String?, database: String, tls: Bool)

    /// The accepted forms, for error messages.
    public static let expectedForm =
        "\"sqlite:path/to/file.db\" (relative to data_dir), \"sqlite:///absolute/path.db\" or "
        + "\"postgres://user[:password]@host[:port]/dbname[?sslmode=disable|require]\""

    /// The URL with everything resolved, password included: `sqlite:///abs/path.db` or
    /// `postgres://user:pass@host:port/db?sslmode=…` (components percent-encoded).
    public var connectionString: String {
        render(redacted: false)
    }

    /// The URL with the password replaced by `***`, safe for logs.
    public var description: String {
        render(redacted: true)
    }

    private func render(redacted: Bool) -> String {
        switch self {
        case .sqlite(let path):
            return "sqlite://" + path
        case .postgres(let host, let port, let user, let password, let database, let tls):
            var out = "postgres://" + PercentCoding.encode(user)
            if let password { out += ":" + (redacted ? "***" : PercentCoding.encode(password)) }
            out += "@" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)/" + PercentCoding.encode(database)
            return out + "?sslmode=" + (tls ? "require" : "disable")
        }
    }

    /// Parses `text`; relative SQLite paths are resolved against `dataDirectory`.
    /// On failure, returns what is wrong (without the expected forms).
    static func parse(_ text: String, dataDirectory: String) -> Result<DatabaseURL, DatabaseURLProblem> {
        let lower = text.lowercased()
        if lower.hasPrefix("sqlite:") {
            let rest = text.dropFirst("sqlite:".count)
            if rest.hasPrefix("//") {
                let path = rest.dropFirst(2)
                guard path.hasPrefix("/") else {
                    return .failure(DatabaseURLProblem("an SQLite URL has no host; write \"sqlite:///absolute/path.db\""))
                }
                guard path.count > 1 else { return .failure(DatabaseURLProblem("missing the database file name")) }
                return .success(.sqlite(path: ConfigPaths.normalize(String(path))))
            }
            guard !rest.isEmpty else { return .failure(DatabaseURLProblem("missing the database file name")) }
            return .success(.sqlite(path: ConfigPaths.resolve(String(rest), against: dataDirectory)))
        }
        for scheme in ["postgres://", "postgresql://"] where lower.hasPrefix(scheme) {
            return parsePostgres(text.dropFirst(scheme.count))
        }
        return .failure(DatabaseURLProblem("unsupported scheme"))
    }

    private static func parsePostgres(_ rest: Substring) -> Result<DatabaseURL, DatabaseURLProblem> {
        var main = rest
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            main = rest[..<question]
            query = rest[rest.index(after: question)...]
        }
        guard let slash = main.firstIndex(of: "/") else {
            return .failure(DatabaseURLProblem("missing \"/dbname\""))
        }
        let authority = main[..<slash]
        let databaseText = main[main.index(after: slash)...]
        guard !databaseText.isEmpty, !databaseText.contains("/") else {
            return .failure(DatabaseURLProblem("missing or malformed database name after \"/\""))
        }
        guard let at = authority.lastIndex(of: "@") else {
            return .failure(DatabaseURLProblem("missing \"user@\" before the host"))
        }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        var userText = userInfo
        var passwordText: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            userText = userInfo[..<colon]
            passwordText = userInfo[userInfo.index(after: colon)...]
        }
        guard let user = PercentCoding.decode(userText), !user.isEmpty else {
            return .failure(DatabaseURLProblem("missing or malformed user name"))
        }
        var password: String?
        if let passwordText {
            guard let decoded = PercentCoding.decode(passwordText) else {
                return .failure(DatabaseURLProblem("malformed percent-encoding in the password"))
            }
            password = decoded
        }
        guard let database = PercentCoding.decode(databaseText), !database.isEmpty else {
            return .failure(DatabaseURLProblem("malformed database name"))
        }

        // host[:port] or [v6][:port]
        var host: String
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                return .failure(DatabaseURLProblem("missing \"]\" after the IPv6 address"))
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            guard HostSyntax.isIPv6(host) else { return .failure(DatabaseURLProblem("\"\(host)\" is not an IPv6 address")) }
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return .failure(DatabaseURLProblem("unexpected text after \"]\"")) }
                portText = after.dropFirst()
            }
        } else {
            var hostText = hostPort
            if let colon = hostPort.firstIndex(of: ":") {
                hostText = hostPort[..<colon]
                portText = hostPort[hostPort.index(after: colon)...]
            }
            host = String(hostText)
            guard !host.isEmpty else { return .failure(DatabaseURLProblem("missing host")) }
            guard HostSyntax.isIPv4(host) || HostSyntax.isValidHostName(host) else {
                return .failure(DatabaseURLProblem("\"\(host)\" is not a valid host"))
            }
        }
        var port = 5432
        if let portText {
            guard let value = parseDecimal(portText.unicodeScalars), (1...65535).contains(value) else {
                return .failure(DatabaseURLProblem("port \"\(portText)\" is not 1...65535"))
            }
            port = Int(value)
        }

        var tls = false
        if !query.isEmpty {
            for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
                let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2, pair[0] == "sslmode" else {
                    return .failure(DatabaseURLProblem("unsupported parameter \"\(parameter)\" (only sslmode is allowed)"))
                }
                switch pair[1] {
                case "disable": tls = false
                case "require": tls = true
                default:
                    return .failure(DatabaseURLProblem("sslmode must be disable or require, got \"\(pair[1])\""))
                }
            }
        }
        return .success(.postgres(host: host, port: port, user: user, password: password, database: database, tls: tls))
    }
}

/// Why a `database.url` was refused.
struct DatabaseURLProblem: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// RFC 3986 percent-encoding for URL user, password and path components.
enum PercentCoding {
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let h = hexValue(high), let l = hexValue(low)
                else { return nil }
                bytes.append(h << 4 | l)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
