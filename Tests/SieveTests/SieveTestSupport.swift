import Foundation
import Sieve

/// An environment with fixed mailboxes and a fixed set of already-seen duplicate ids.
struct FakeEnvironment: SieveEnvironment {
    var mailboxes: Set<String> = ["INBOX"]
    var seen: Set<String> = []

    func mailboxExists(_ name: String) async -> Bool { mailboxes.contains(name) }
    func isDuplicate(_ id: String, seconds: Int) async -> Bool { seen.contains(id) }
}

enum SieveFixture {
    static let message = """
        Return-Path: <alice@example.org>
        Received: from mx.example.org by mail.example.com; Mon, 8 Aug 2005 10:41:20 -0700
        From: Alice Example <alice+lists@example.org>
        To: bob@example.com, "Carol" <carol@example.net>
        Cc: dave@example.com
        Subject: =?UTF-8?Q?Caf=C3=A9?= meeting
        Date: Mon, 08 Aug 2005 10:41:20 -0700
        Message-ID: <1234@example.org>
        X-Spam: yes
        X-Spam: maybe
        Content-Type: text/plain; charset=utf-8

        Hello Bob,
        the meeting is at noon.
        """.replacingOccurrences(of: "\n", with: "\r\n")

    static func context(
        from: String = "alice@example.org", to: String = "bob@example.com", environment: FakeEnvironment = .init(),
        spam: Int? = nil, percent: Int? = nil, virus: Int? = nil
    ) -> SieveContext {
        SieveContext(
            envelope: SieveEnvelope(from: from, to: to), now: Date(timeIntervalSince1970: 1_123_522_880),
            localZoneOffsetMinutes: 0, spamScore: spam, spamPercent: percent, virusScore: virus, environment: environment)
    }

    /// Compiles and runs a script on a message (the fixture by default).
    static func run(
        _ script: String, message: String = SieveFixture.message, context: SieveContext = SieveFixture.context(),
        limits: SieveLimits = .init(), includes: (String, SieveIncludeLocation) -> String? = { _, _ in nil }
    ) async throws -> SieveResult {
        let compiled = try SieveScript.compile(script, limits: limits, includes: includes)
        return await compiled.run(SieveMessage(bytes: Array(message.utf8), limits: limits), context)
    }

    /// The diagnostics of a script that must not compile.
    static func errors(_ script: String, limits: SieveLimits = .init()) -> [SieveDiagnostic] {
        do {
            _ = try SieveScript.compile(script, limits: limits)
            return []
        } catch {
            return error.diagnostics
        }
    }
}
