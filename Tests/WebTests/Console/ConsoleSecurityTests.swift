import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// What every console response carries, and what is refused before any page runs.
@Suite struct ConsoleSecurityTests {
    static func expectSecurityHeaders(_ response: TestResponse) {
        #expect(
            response.headers[.contentSecurityPolicy]
                == "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'")
        #expect(response.headers[.xContentTypeOptions] == "nosniff")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        #expect(response.headers[.cacheControl] == "no-store")
        #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000")
    }

    @Test(arguments: ["/admin", "/admin/accounts", "/admin/queue?state=held", "/admin/policies", "/admin/me", "/admin/nope/x"])
    func pagesWithoutSessionRedirectToLogin(path: String) async throws {
        try await ConsoleFixture.with { _, client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/login")
                Self.expectSecurityHeaders(response)
            }
            // A cookie naming no session is no better.
            try await client.execute(uri: path, method: .get, headers: [.cookie: "__Host-posta_session=forged"]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/login")
            }
        }
    }

    @Test func postsWithoutSessionRedirectToLogin() async throws {
        try await ConsoleFixture.with { _, client in
            try await client.execute(
                uri: "/admin/domains/add", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "name=example.org")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/admin/login")
            }
        }
    }

    @Test func loginPageSetsAStrictCSRFCookie() async throws {
        try await ConsoleFixture.with { _, client in
            try await client.execute(uri: "/admin/login", method: .get) { response in
                #expect(response.status == .ok)
                Self.expectSecurityHeaders(response)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("__Host-posta_login_csrf="))
                #expect(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"))
                let token = String(cookie.dropFirst("__Host-posta_login_csrf=".count).prefix { $0 != ";" })
                #expect(token.count == 64)
                let body = String(buffer: response.body)
                #expect(body.contains("name=\"csrf\" value=\"\(token)\""))
                #expect(body.contains("<label for=\"login\">") && body.contains("<label for=\"password\">"))
                #expect(!body.contains("name=\"totp\""))
            }
        }
    }

    @Test func loginWithoutTheCSRFTokenIsRefused() async throws {
        try await ConsoleFixture.with { _, client in
            // No token at all.
            try await client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "login=a&password=b")
            ) { response in
                #expect(response.status == .forbidden)
                Self.expectSecurityHeaders(response)
            }
            // A token in the form that is not the cookie's.
            try await client.execute(
                uri: "/admin/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "__Host-posta_login_csrf=aaaa"],
                body: ByteBuffer(string: "login=a&password=b&csrf=bbbb")
            ) { response in
                #expect(response.status == .forbidden)
            }
            // Not a form.
            try await client.execute(
                uri: "/admin/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"login":"a"}"#)
            ) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test func oversizedFormsAreRefused() async throws {
        try await ConsoleFixture.with { _, client in
            let big = "csrf=x&login=" + String(repeating: "a", count: ConsoleHTTP.maxFormBytes)
            try await client.execute(
                uri: "/admin/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "__Host-posta_login_csrf=x"],
                body: ByteBuffer(string: big)
            ) { response in
                #expect(response.status == .contentTooLarge)
                Self.expectSecurityHeaders(response)
            }
        }
    }

    @Test func assetsAreServedWithTheirTypes() async throws {
        try await ConsoleFixture.with { _, client in
            try await client.execute(uri: "/admin/assets/console.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(String(buffer: response.body).contains(".sidebar"))
                Self.expectSecurityHeaders(response)
            }
            try await client.execute(uri: "/admin/assets/console.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
            }
        }
    }
}
