import Testing

@testable import Web

/// The templates escape everything they show, and carry nothing the Content-Security-Policy
/// would block (inline script or style), so that a hostile display name, alias target or
/// subject is shown as text.
@Suite struct ConsoleTemplateTests {
    static let hostile = [
        "<script>window.pwned=1</script>", "\"><img src=x onerror=\"window.pwned=1\">", "'><svg onload=alert(1)>",
    ]

    @Test func everyTemplateParses() throws {
        let templates = try ConsoleTemplates()
        for (name, _) in ConsoleTemplates.sources {
            #expect(templates.library.getTemplate(named: name) != nil, "\(name)")
        }
    }

    /// The webmail's message frame is the one exception: it holds the sanitised mail (`HTMLSanitizer`)
    /// unescaped and its own style element, under its own policy (no script at all, sandboxed).
    static let messageFrame = "mail_frame"

    @Test func theMessageFrameIsTheOneUnescapedTemplate() throws {
        let text = String(decoding: try #require(ConsoleTemplates.sources.first { $0.0 == Self.messageFrame }).1, as: UTF8.self)
        #expect(text.matches(of: /\{\{\{/).count == 1)
        #expect(text.contains("{{{body}}}"))
        #expect(!text.contains("<script"))
    }

    @Test func templatesNeverUnescapeNorInline() {
        for (name, bytes) in ConsoleTemplates.sources where name != Self.messageFrame {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) uses an unescaped variable")
            #expect(!text.contains("style="), "\(name) has an inline style")
            #expect(!text.contains("<style"), "\(name) has a style element")
            #expect(text.matches(of: /\son[a-z]+\s*=/).isEmpty, "\(name) has an event handler attribute")
            for match in text.matches(of: /<script[^>]*>/) {
                #expect(
                    match.output.contains("src=\"/admin/assets/") || match.output.contains("src=\"/mail/assets/"),
                    "\(name) has an inline script")
            }
        }
    }

    static func frame(_ data: [String: Any]) -> [String: Any] {
        var context = data
        context["title"] = hostile[0]
        context["csrf"] = "token"
        context["nav"] = [["label": "Accounts", "path": "/admin/accounts", "current": true]]
        context["me"] = ["name": hostile[1], "role": "Helpdesk"]
        context["flash"] = ["text": hostile[2], "error": true]
        return context
    }

    static func checkEscaped(_ html: String) {
        #expect(!html.contains("<script>window"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("<svg onload"))
        #expect(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;"))
        #expect(html.contains("&#39;&gt;&lt;svg onload=alert(1)&gt;"))
    }

    @Test func accountsEscapeDisplayNames() throws {
        let templates = try ConsoleTemplates()
        let rows: [[String: Any]] = Self.hostile.map {
            [
                "address": "a@example.org", "link": "/admin/account?address=a%40example.org", "name": $0, "enabled": true,
                "used": "1 KB", "quota": "unlimited", "lastLogin": "never",
            ]
        }
        let html = try templates.rendered("accounts", Self.frame(["accounts": rows, "q": Self.hostile[1], "canCreate": true]))
        Self.checkEscaped(html)
        #expect(html.contains("value=\"&quot;&gt;&lt;img src=x"))
        #expect(html.contains("<h1>&lt;script&gt;"))
    }

    @Test func aliasesEscapeTargets() throws {
        let templates = try ConsoleTemplates()
        let html = try templates.rendered(
            "aliases",
            Self.frame(["aliases": [["source": "x@example.org", "catchAll": false, "targets": Self.hostile]], "domains": []]))
        Self.checkEscaped(html)
        // Each target is also a hidden field of the delete form, escaped in the attribute.
        #expect(html.contains("name=\"target\" value=\"&quot;&gt;&lt;img"))
    }

    @Test func queueEntryEscapesHeadersAndSubjects() throws {
        let templates = try ConsoleTemplates()
        let headers = "Subject: " + Self.hostile.joined(separator: " ") + "\r\nFrom: <a@example.org>\r\n"
        let html = try templates.rendered(
            "queue_entry",
            Self.frame(["id": "q1", "sender": Self.hostile[0], "headers": headers, "recipients": [], "held": true]))
        Self.checkEscaped(html)
        #expect(html.contains("From: &lt;a@example.org&gt;"))
    }

    @Test func auditAndAdminsEscape() throws {
        let templates = try ConsoleTemplates()
        let audit = try templates.rendered(
            "audit",
            Self.frame([
                "entries": [
                    [
                        "time": "t", "actor": Self.hostile[0], "channel": "web", "action": "a", "target": Self.hostile[1],
                        "before": Self.hostile[2], "after": "{}", "hasChange": true,
                    ]
                ]
            ]))
        Self.checkEscaped(audit)
        let admins = try templates.rendered(
            "admins",
            Self.frame([
                "admins": [
                    [
                        "login": "x", "name": Self.hostile[0], "role": "Helpdesk", "domains": Self.hostile[1],
                        "domainList": Self.hostile[2], "roles": [],
                    ]
                ], "roles": [],
            ]))
        Self.checkEscaped(admins)
    }

    /// The stylesheet's blocks close: one missing brace swallows every rule after it.
    @Test func stylesheetBracesBalance() {
        var depth = 0
        for byte in ConsoleTemplates.css {
            if byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "}") { depth -= 1 }
            #expect(depth >= 0 && depth <= 2)
            if depth < 0 || depth > 2 { return }
        }
        #expect(depth == 0)
    }

    @Test func dashboardChartIsPlainSVG() throws {
        let templates = try ConsoleTemplates()
        let chart = ConsolePages.barChart([("Active", 4), ("Held", 2), ("Other", 0)])
        let html = try templates.rendered("dashboard", Self.frame(["cards": [], "queue": ["chart": chart]]))
        #expect(html.contains("<rect x=\"130\" y=\"6\" width=\"440\""))
        #expect(html.contains("width=\"220\" height=\"24\" rx=\"4\" class=\"chart-bar chart-held\""))
        #expect(html.contains("width=\"0\" height=\"24\" rx=\"4\" class=\"chart-bar chart-other\""))
        // Without queue counts (a principal with a domain scope) there is no queue section.
        let noQueue = try templates.rendered("dashboard", Self.frame(["cards": []]))
        #expect(!noQueue.contains("Queue by state"))
    }
}

extension ConsoleTemplates {
    /// `render`, failing the test when the template is missing.
    func rendered(_ name: String, _ context: [String: Any]) throws -> String {
        try #require(render(name, context), "no template \(name)")
    }
}
