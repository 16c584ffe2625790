import Foundation
import Hummingbird
import Logging
import NIOCore

extension WebRoutes {
    /// Thunderbird autoconfig and Outlook autodiscover (docs/autoconfig.md), for the domains the
    /// site receives mail for (404 for any other); `site` says which hosts and ports to announce.
    /// The Apple profile (`MobileConfigProfile`) is served by the console to logged-in users.
    public static func addAutoconfig(to router: Router<WebRequestContext>, site: AutoconfigSite, logger: Logger) {
        let handlers = AutoconfigHandlers(site: site, logger: logger)
        // Thunderbird: the ISP lookup at autoconfig.<domain> and the well-known URL at <domain>.
        router.get("/mail/config-v1.1.xml") { request, _ in await handlers.thunderbird(request) }
        router.get("/.well-known/autoconfig/mail/config-v1.1.xml") { request, _ in await handlers.thunderbird(request) }
        // Outlook posts to https://<domain>/autodiscover/autodiscover.xml and to autodiscover.<domain>,
        // spelt either way.
        router.post("/autodiscover/autodiscover.xml") { request, _ in await handlers.outlook(request) }
        router.post("/Autodiscover/Autodiscover.xml") { request, _ in await handlers.outlook(request) }
        // Newer Outlook first asks the JSON "Autodiscover v2" lookup where the XML one is (`AutodiscoverJSON`).
        for base in ["/autodiscover/autodiscover.json", "/Autodiscover/Autodiscover.json"] {
            router.get(RouterPath(base)) { request, _ in
                await handlers.outlookJSON(request, email: request.uri.queryParameters.get("Email"))
            }
            router.get(RouterPath(base + "/v1.0/:email")) { request, context in
                await handlers.outlookJSON(request, email: context.parameters.get("email")?.removingPercentEncoding)
            }
        }
    }
}

/// The thin HTTP side of autoconfiguration: read the request, ask the site, render, answer.
struct AutoconfigHandlers: Sendable {
    let site: AutoconfigSite
    let logger: Logger

    func thunderbird(_ request: Request) async -> Response {
        let emailAddress = request.uri.queryParameters.get("emailaddress")
        // HTTP/1's Host arrives as the authority.
        let candidates = AutoconfigLookup.candidateDomains(emailAddress: emailAddress, host: request.head.authority)
        guard !candidates.isEmpty else {
            return Self.text(
                .badRequest, emailAddress == nil ? "no domain in the request\n" : "emailaddress is not a mail address\n")
        }
        let domain: String?
        do {
            domain = try await AutoconfigLookup.localDomain(among: candidates, site: site)
        } catch {
            logger.warning("autoconfig: directory unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return Self.text(.serviceUnavailable, "try again later\n")
        }
        guard let domain else { return Self.text(.notFound, "no configuration for this domain\n") }
        guard let document = ThunderbirdAutoconfig.render(domain: domain, site: site) else {
            return Self.text(.notFound, "this site announces no mail servers\n")
        }
        return Self.xml(document, contentType: ThunderbirdAutoconfig.contentType)
    }

    func outlook(_ request: Request) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: AutodiscoverRequest.maxBodySize)
        } catch is NIOTooManyBytesError {
            return Self.text(.contentTooLarge, "request too large\n")
        } catch {
            return Self.text(.badRequest, "unreadable request\n")
        }
        let parsed: AutodiscoverRequest
        do {
            parsed = try AutodiscoverRequest(parsing: Array(buffer: body))
        } catch {
            return Self.text(.badRequest, error.description + "\n")
        }
        do {
            guard try await site.isLocalDomain(parsed.emailAddress.domain) else {
                return Self.text(.notFound, "no configuration for this domain\n")
            }
        } catch {
            logger.warning("autodiscover: directory unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return Self.text(.serviceUnavailable, "try again later\n")
        }
        guard let document = AutodiscoverResponse.render(parsed, site: site) else {
            return Self.text(.notFound, "this site announces no mail servers\n")
        }
        return Self.xml(document, contentType: AutodiscoverResponse.contentType)
    }

    /// The Autodiscover v2 lookup of `email` (from the path or the `Email` parameter).
    func outlookJSON(_ request: Request, email: String?) async -> Response {
        let answer = await AutodiscoverJSON.answer(
            email: email, protocolValue: request.uri.queryParameters.get("Protocol"), site: site)
        if answer.status == 503 { logger.warning("autodiscover v2: directory unavailable") }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [.contentType: AutodiscoverJSON.contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    private static func xml(_ document: String, contentType: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
