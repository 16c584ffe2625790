import Core
import Foundation

/// Outlook's "Autodiscover v2" JSON lookup, which newer Outlook versions try before the POX
/// POST (`AutodiscoverRequest`): `GET /autodiscover/autodiscover.json?Email=jo@example.org&Protocol=AutodiscoverV1`
/// or `GET /autodiscover/autodiscover.json/v1.0/jo@example.org?Protocol=AutodiscoverV1`, answered
/// as Exchange answers it with the URL of the protocol asked for. The site speaks only the XML
/// autodiscover protocol ("AutodiscoverV1", [MS-OXDSCLI]); any other protocol (ActiveSync, EWS,
/// REST…) gets Exchange's 400 `InvalidProtocol`, so the client moves on to what it can use.
public enum AutodiscoverJSON {
    public static let contentType = "application/json; charset=utf-8"
    /// The one protocol the site offers: the XML autodiscover of `AutodiscoverResponse`.
    static let protocolName = "AutodiscoverV1"

    /// The JSON lookup's paths (lower case; the router also takes the `Autodiscover/Autodiscover.json`
    /// spelling): the query form and the `v1.0/<address>` form.
    static let basePath = "/autodiscover/autodiscover.json"

    /// Whether `path` is one of the JSON lookup's (either spelling): the plain-HTTP listener
    /// serves these too, like the XML autodiscover.
    public static func isLookupPath(_ path: String) -> Bool {
        // Exactly the two routed spellings: the base path, or one address segment after /v1.0/.
        let lower = path.lowercased()
        guard lower != basePath else { return true }
        let prefix = basePath + "/v1.0/"
        guard lower.hasPrefix(prefix) else { return false }
        let address = lower.dropFirst(prefix.count)
        return !address.isEmpty && !address.contains("/")
    }

    /// What to answer: the status and the JSON body.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    /// The answer to a lookup of `email` (the path's address, else the `Email` query parameter)
    /// for `protocolValue` (the `Protocol` query parameter): the protocol is checked first (as
    /// Exchange does), then the address, then whether the site receives its domain's mail (404
    /// for other domains, like the XML autodiscover). `isLocalDomain` failing is a 503.
    public static func answer(email: String?, protocolValue: String?, site: AutoconfigSite) async -> Answer {
        guard let protocolValue, protocolValue.caseInsensitiveCompare(protocolName) == .orderedSame else {
            let given = String((protocolValue ?? "").prefix(64))
            return error(
                400, code: "InvalidProtocol",
                message: "The given protocol value '\(given)' is invalid. Supported values are '\(protocolName)'")
        }
        guard let email, let address = try? MailAddress(parsing: email) else {
            return error(400, code: "InvalidRequest", message: "Email is not a mail address")
        }
        do {
            guard try await site.isLocalDomain(address.domain) else {
                return error(404, code: "NotFound", message: "No configuration for this domain")
            }
        } catch {
            return Self.error(503, code: "ServiceUnavailable", message: "Try again later")
        }
        return Answer(status: 200, body: json(["Protocol": protocolName, "Url": xmlURL(site: site)]))
    }

    /// Where the XML autodiscover is served: the site's host name (the name its certificate is
    /// sure to hold) on its HTTPS port.
    static func xmlURL(site: AutoconfigSite) -> String {
        "https://\(site.hostname)" + (site.httpsPort == 443 ? "" : ":\(site.httpsPort)") + "/autodiscover/autodiscover.xml"
    }

    static func error(_ status: Int, code: String, message: String) -> Answer {
        Answer(status: status, body: json(["ErrorCode": code, "ErrorMessage": message]))
    }

    /// A flat JSON object of strings, keys sorted, `/` unescaped (as Exchange writes URLs).
    static func json(_ object: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a dictionary of strings cannot fail.
        return (try? String(decoding: encoder.encode(object), as: UTF8.self)) ?? "{}"
    }
}
