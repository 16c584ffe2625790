/// A listener `address`: `"IPv4:port"`, `"[IPv6]:port"` or `"host:port"`.
package struct ListenAddress: Sendable, Equatable {
    package var host: String
    package var port: Int
    /// Equal for equal addresses however written (case, IPv6 compression).
    var identity: String

    package static let expectedForm = "\"IPv4:port\", \"[IPv6]:port\" or \"host:port\" with a port 1...65535"

    package enum Problem: Error, Equatable {
        /// Text describing what is wrong.
        case malformed(String)
    }

    package static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(.malformed("missing \"]\" after the IPv6 address"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { return .failure(.malformed("missing \":port\" after \"]\"")) }
            portText = rest.dropFirst()
            guard let groups = HostSyntax.parseIPv6(String(host)) else {
                return .failure(.malformed("\"\(host)\" is not an IPv6 address"))
            }
            guard let port = parsePort(portText) else { return .failure(portProblem(portText)) }
            let identity = "[" + groups.map { String($0, radix: 16) }.joined(separator: ":") + "]:\(port)"
            return .success(ListenAddress(host: String(host), port: port, identity: identity))
        }
        guard let colon = text.lastIndex(of: ":") else {
            return .failure(.malformed("missing \":port\""))
        }
        host = text[..<colon]
        portText = text[text.index(after: colon)...]
        if host.contains(":") {
            return .failure(.malformed("an IPv6 address must be written in brackets, like \"[::1]:25\""))
        }
        guard !host.isEmpty else { return .failure(.malformed("missing host before \":\"")) }
        let hostString = String(host)
        guard HostSyntax.isIPv4(hostString) || HostSyntax.isValidHostName(hostString) else {
            return .failure(.malformed("\"\(host)\" is neither an IPv4 address nor a host name"))
        }
        guard let port = parsePort(portText) else { return .failure(portProblem(portText)) }
        return .success(ListenAddress(host: hostString, port: port, identity: "\(hostString.lowercased()):\(port)"))
    }

    private static func parsePort(_ text: Substring) -> Int? {
        guard let value = parseDecimal(text.unicodeScalars), (1...65535).contains(value) else { return nil }
        return Int(value)
    }

    private static func portProblem(_ text: Substring) -> Problem {
        text.isEmpty ? .malformed("missing port after \":\"") : .malformed("port \(text) is not 1...65535")
    }
}
