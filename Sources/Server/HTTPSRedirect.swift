import Core
import Hummingbird
import Web

/// The plain-HTTP listener's responder when the site has an HTTPS listener: `/healthz`,
/// `/metrics`, the MTA-STS policy and client autoconfiguration are answered here (monitoring, MTAs
/// and mail clients look for them on plain HTTP; they hold nothing secret), every other request is redirected to the same path on HTTPS, so that the console's
/// cookies (`Secure`) and passwords never cross the network in clear.
struct HTTPSRedirect<Next: HTTPResponder<WebRequestContext>>: HTTPResponder {
    typealias Context = WebRequestContext
    /// The paths served on plain HTTP (and Outlook's Autodiscover v2 lookups, `AutodiscoverJSON.isLookupPath`).
    static var plainPaths: Set<String> {
        [
            "/healthz", "/metrics", "/.well-known/mta-sts.txt", "/.well-known/autoconfig/mail/config-v1.1.xml",
            "/mail/config-v1.1.xml", "/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml",
        ]
    }

    let next: Next
    /// The HTTPS listener's port (omitted from the location when 443).
    let httpsPort: Int
    /// Used when the request's Host is missing, not a host name, or not one of the site's.
    let hostname: String
    /// Whether a name is one of the site's mail domains (`Directory.isLocalDomain`).
    let isLocalDomain: @Sendable (String) async -> Bool

    func respond(to request: Request, context: Context) async throws -> Response {
        if Self.plainPaths.contains(request.uri.path) || AutodiscoverJSON.isLookupPath(request.uri.path) {
            return try await next.respond(to: request, context: context)
        }
        var host = request.head.authority.flatMap(HTTPSLocation.hostWithoutPort)
        if let name = host, await !HTTPSLocation.isSiteName(name, hostname: hostname, isLocalDomain: isLocalDomain) {
            host = nil
        }
        let location = HTTPSLocation.make(
            host: host, fallback: hostname, port: httpsPort, pathAndQuery: request.uri.string)
        // RFC 9110 §15.4.9: 308 keeps the method and body (a POST stays a POST); 301 would not.
        return Response(
            status: .permanentRedirect,
            headers: [.location: location, .contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: .init(string: "use \(location)\n")))
    }
}

/// Where a plain-HTTP request is sent on HTTPS.
enum HTTPSLocation {
    /// `https://host[:port]/path?query`: the client's Host (RFC 9110 §7.2) without its port when it
    /// is a valid host name or address literal, else `fallback`. The caller passes only a host on
    /// the site's allow-list (`isSiteName`).
    static func make(host: String?, fallback: String, port: Int, pathAndQuery: String) -> String {
        var name = fallback
        if let host, let parsed = hostWithoutPort(host) { name = parsed }
        let path = pathAndQuery.hasPrefix("/") ? pathAndQuery : "/" + pathAndQuery
        return "https://\(name)" + (port == 443 ? "" : ":\(port)") + path
    }

    /// Whether the redirect may name `host`: the server's own name, `localhost`, an address literal
    /// (the client reached that address already), or a name in one of the site's mail domains
    /// (`mail.example.org` for `example.org`). Any other Host, however well-formed, is replaced by
    /// the server's name, so the redirect never sends a browser to a host of the client's choosing.
    static func isSiteName(
        _ host: String, hostname: String, isLocalDomain: @Sendable (String) async -> Bool
    ) async -> Bool {
        let name = host.lowercased()
        if name == hostname.lowercased() || name == "localhost" || name.hasPrefix("[") { return true }
        if name.allSatisfy({ $0.isNumber || $0 == "." }) { return true }
        // The name and its parents down to two labels; at most 7 lookups.
        var labels = Array(name.split(separator: ".", omittingEmptySubsequences: false).suffix(8))
        while labels.count >= 2 {
            if await isLocalDomain(labels.joined(separator: ".")) { return true }
            labels.removeFirst()
        }
        return false
    }

    /// The host part of a Host header value, or nil when it is not a plain name or literal.
    static func hostWithoutPort(_ value: String) -> String? {
        if value.hasPrefix("[") {
            // An IPv6 literal, RFC 3986 §3.2.2.
            guard let close = value.firstIndex(of: "]") else { return nil }
            let literal = String(value[value.startIndex...close])
            let inner = literal.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            return literal
        }
        let name = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !name.isEmpty, name.count <= 253,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { return nil }
        return name
    }
}
