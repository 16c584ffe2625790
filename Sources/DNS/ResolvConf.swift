#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a stub resolver takes from resolv.conf(5): `nameserver` lines and the `timeout:` and
/// `attempts:` options. Other keywords (search, domain, sortlist, …) do not apply to a mail
/// server, which only looks up fully qualified names.
public struct ResolvConf: Hashable, Sendable {
    public static let defaultPath = "/etc/resolv.conf"
    /// resolv.conf(5): "Up to MAXNS (currently 3) name servers may be listed".
    public static let maxNameservers = 3

    public var nameservers: [DNSNameserver]
    /// `options timeout:n`, seconds.
    public var timeout: Int?
    /// `options attempts:n`.
    public var attempts: Int?

    public init(nameservers: [DNSNameserver], timeout: Int? = nil, attempts: Int? = nil) {
        self.nameservers = nameservers
        self.timeout = timeout
        self.attempts = attempts
    }

    /// Parses the text of a resolv.conf. Lines starting with `#` or `;` are comments; a
    /// `nameserver` that is not an IP address (or has a zone index) is skipped. With no usable
    /// `nameserver` line the local machine is used, as resolv.conf(5) says.
    public init(parsing text: String) {
        var nameservers: [DNSNameserver] = []
        var timeout: Int? = nil
        var attempts: Int? = nil
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let keyword = words.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
            switch keyword {
            case "nameserver":
                guard words.count >= 2, nameservers.count < Self.maxNameservers,
                    let server = try? DNSNameserver(host: String(words[1]))
                else { continue }
                nameservers.append(server)
            case "options":
                for option in words.dropFirst() {
                    if option.hasPrefix("timeout:"), let value = Int(option.dropFirst(8)), value > 0 {
                        timeout = min(value, 30)
                    } else if option.hasPrefix("attempts:"), let value = Int(option.dropFirst(9)), value > 0 {
                        attempts = min(value, 5)
                    }
                }
            default:
                continue
            }
        }
        if nameservers.isEmpty {
            nameservers = [DNSNameserver(address: IPAddress("127.0.0.1")!)]
        }
        self.init(nameservers: nameservers, timeout: timeout, attempts: attempts)
    }

    /// Reads and parses a resolv.conf file (by default /etc/resolv.conf).
    public static func load(path: String = defaultPath) throws -> ResolvConf {
        ResolvConf(parsing: try readTextFile(path))
    }

    private static func readTextFile(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else {
            throw DNSError.unreachable("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { data.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
            guard data.count < 1 << 20 else { break }  // no resolv.conf is a megabyte
        }
        guard ferror(file) == 0 else { throw DNSError.unreachable("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
