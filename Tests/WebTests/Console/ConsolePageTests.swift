import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// The console end to end on a real `AdminConsole`: logging in, the CSRF check on every POST,
/// escaping of what users typed, and the role checks.
@Suite struct ConsolePageTests {
    static let cli = Principal(.console(unixUser: "test"), channel: .cli, clientIP: nil)
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Logs in through the login form; the session cookie and the page's CSRF token.
    static func logIn(_ client: any TestClientProtocol, _ login: String, _ password: String) async throws -> (
        cookie: String, csrf: String
    ) {
        let loginToken = try await client.execute(uri: "/admin/login", method: .get) { response in
            let cookie = try #require(response.headers[.setCookie])
            return String(cookie.dropFirst("__Host-posta_login_csrf=".count).prefix { $0 != ";" })
        }
        var headers = form
        headers[.cookie] = "__Host-posta_login_csrf=\(loginToken)"
        let session = try await client.execute(
            uri: "/admin/login", method: .post, headers: headers,
            body: ByteBuffer(string: "csrf=\(loginToken)&login=\(login)&password=\(FormData.encode(password))")
        ) { response in
            #expect(response.status == .seeOther)
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("__Host-posta_session=") })
            #expect(cookie.hasSuffix("; Path=/; Secure; HttpOnly; SameSite=Strict"))
            return String(cookie.prefix { $0 != ";" })
        }
        let csrf = try await client.execute(uri: "/admin/nowhere", method: .get, headers: [.cookie: session]) { response in
            try #require(Self.csrf(in: String(buffer: response.body)))
        }
        return (session, csrf)
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func superadminLogsInAndEveryPostNeedsTheToken() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            let (cookie, csrf) = try await Self.logIn(client, "root", "root-secret-1")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                ConsoleSecurityTests.expectSecurityHeaders(response)
                let html = String(buffer: response.body)
                #expect(html.contains("<a href=\"/admin/admins\">Administrators</a>"))
                #expect(html.contains("aria-current=\"page\">Dashboard</a>"))
            }
            var headers = Self.form
            headers[.cookie] = cookie
            for body in ["name=example.org", "name=example.org&csrf=", "name=example.org&csrf=\(csrf)x"] {
                try await client.execute(
                    uri: "/admin/domains/add", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) {
                    response in
                    #expect(response.status == .forbidden)
                    ConsoleSecurityTests.expectSecurityHeaders(response)
                }
            }
            #expect(try await console.domains(as: Self.cli).isEmpty)
            try await client.execute(
                uri: "/admin/domains/add", method: .post, headers: headers,
                body: ByteBuffer(string: "name=example.org&csrf=\(csrf)")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/domains")
                let flash = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("__Host-posta_flash=") })
                #expect(flash.contains("; Secure; HttpOnly; SameSite=Strict"))
            }
            #expect(try await console.domains(as: Self.cli).map(\.name) == ["example.org"])
            // Invalid input: the form again, with the reason and the typed value.
            try await client.execute(
                uri: "/admin/accounts/add", method: .post, headers: headers,
                body: ByteBuffer(string: "address=x%40example.org&name=%3Cb%3E&password=secret-123456&quota=lots&csrf=\(csrf)")
            ) { response in
                #expect(response.status == .unprocessableContent)
                let html = String(buffer: response.body)
                #expect(html.contains("role=\"alert\">The quota is a size"))
                #expect(html.contains("value=\"&lt;b&gt;\""))
                #expect(!html.contains("secret-123456"))
            }
            // Logout ends the session.
            try await client.execute(
                uri: "/admin/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/login")
            }
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/login")
            }
        }
    }

    @Test func hostileInputIsShownAsText() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            _ = try await console.addDomain(as: Self.cli, name: "example.org")
            let hostile = "\"><img src=x onerror=alert(1)><script>alert(2)</script>"
            _ = try await console.createAccount(
                as: Self.cli, address: "mallory@example.org", password: "user-secret-1", displayName: hostile, quotaBytes: 1 << 30
            )
            let (cookie, _) = try await Self.logIn(client, "root", "root-secret-1")
            for uri in ["/admin/accounts", "/admin/account?address=mallory%40example.org", "/admin/audit"] {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let html = String(buffer: response.body)
                    #expect(!html.contains("<img src=x"), "\(uri)")
                    #expect(!html.contains("<script>alert"), "\(uri)")
                }
            }
            try await client.execute(uri: "/admin/accounts", method: .get, headers: [.cookie: cookie]) { response in
                #expect(
                    String(buffer: response.body).contains(
                        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
            }
        }
    }

    @Test func helpdeskIsRefusedPoliciesAndDomains() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "helen", password: "help-secret-1", role: .helpdesk, domains: [], displayName: "Helen")
            let (cookie, csrf) = try await Self.logIn(client, "helen", "help-secret-1")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(">Accounts</a>"))
                #expect(!html.contains(">Policies</a>") && !html.contains(">Administrators</a>"))
            }
            // The domains they work in are listed, read only.
            try await client.execute(uri: "/admin/domains", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(!String(buffer: response.body).contains("/admin/domains/add"))
            }
            for uri in ["/admin/policies", "/admin/admins", "/admin/queue", "/admin/aliases", "/admin/audit"] {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    ConsoleSecurityTests.expectSecurityHeaders(response)
                }
            }
            var headers = Self.form
            headers[.cookie] = cookie
            try await client.execute(
                uri: "/admin/domains/add", method: .post, headers: headers,
                body: ByteBuffer(string: "name=example.org&csrf=\(csrf)")
            ) { response in
                #expect(response.status == .forbidden)
            }
            #expect(try await console.domains(as: Self.cli).isEmpty)
            // Each refusal is in the audit log, under the helpdesk's name, from the web.
            let denials = try await console.auditLog(as: Self.cli, AuditFilter(action: "access.denied", limit: 50)).items
            #expect(denials.count == 6)
            #expect(denials.allSatisfy { $0.actor == "admin:helen" && $0.channel == .web && $0.credential == nil })
            #expect(denials.contains { $0.target.contains(Permission.manageDomains.rawValue) })
            try await client.execute(uri: "/admin/nothing-here", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func administratorSetsUpTheSecondFactor() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "tess", password: "tess-secret-1", role: .helpdesk, domains: [], displayName: "Tess")
            let (cookie, csrf) = try await Self.logIn(client, "tess", "tess-secret-1")
            try await client.execute(uri: "/admin/security", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Set up a second factor"))
            }
            var headers = Self.form
            headers[.cookie] = cookie
            let secret = try await client.execute(
                uri: "/admin/security/totp/start", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)")
            ) { response in
                let html = String(buffer: response.body)
                let start = try #require(html.range(of: "<code class=\"secret\">"))
                return String(html[start.upperBound...].prefix { $0 != "<" })
            }
            let totp = TOTP(secret: try #require(Base32.decode(secret)))
            let code = totp.code(counter: TOTP.counter(at: Int64(Date().timeIntervalSince1970)))
            try await client.execute(
                uri: "/admin/security/totp/confirm", method: .post, headers: headers,
                body: ByteBuffer(string: "csrf=\(csrf)&secret=\(secret)&code=\(code)")
            ) { response in
                #expect(response.status == .seeOther)
            }
            #expect(try await console.administrators(as: Self.cli).first { $0.login == "tess" }?.totpEnabled == true)
        }
    }
}
