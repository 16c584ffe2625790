import LDAP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The client against a scripted server: answers matched by message ID, hostile answers
/// refused without a crash, timeouts, failover and paging.
@Suite struct LDAPPoolTests {
    static func settings(_ urls: [LDAPURL], timeout: Duration = .seconds(5)) -> LDAPServerSettings {
        LDAPServerSettings(
            urls: urls, bindDN: "cn=posta,dc=example,dc=org", bindPassword: "secret", connectTimeout: .seconds(2),
            requestTimeout: timeout, retryAfter: .seconds(30))
    }

    static let entry = LDAPEntry(
        dn: "uid=alice,dc=example,dc=org",
        attributes: [LDAPAttribute(type: "mail", values: [Array("alice@example.org".utf8)])])

    static func search(_ filter: LDAPFilter = .present("objectClass")) -> LDAPSearchRequest {
        LDAPSearchRequest(
            base: "dc=example,dc=org", scope: .wholeSubtree, derefAliases: .never, sizeLimit: 0, timeLimit: 0,
            typesOnly: false, filter: filter, attributes: ["mail"])
    }

    /// Binds succeed; searches return one entry.
    static let directory: FakeLDAPServer.Answer = { message in
        switch message.op {
        case .bindRequest: encode(message.messageID, .bindResponse(.ok))
        case .searchRequest:
            encode(message.messageID, .searchResultEntry(entry)) + encode(message.messageID, .searchResultDone(.ok))
        default: nil
        }
    }

    @Test func bindsAsTheServiceAndSearches() async throws {
        let server = try await FakeLDAPServer(answer: Self.directory)
        let pool = LDAPPool(settings: Self.settings([server.url]), serviceBind: true)
        let entries = try await pool.withConnection { try await $0.search(Self.search()).entries }
        #expect(entries == [Self.entry])
        guard case .bindRequest(_, let name, let password) = server.requests.first?.op else {
            Issue.record("no bind first")
            return
        }
        #expect(name == "cn=posta,dc=example,dc=org")
        #expect(password == Array("secret".utf8))
        // The connection is reused: one bind for two searches.
        _ = try await pool.withConnection { try await $0.search(Self.search()) }
        #expect(server.requests.filter { if case .bindRequest = $0.op { true } else { false } }.count == 1)
        pool.shutdown()
        await server.close()
    }

    @Test func aRefusedServiceBindFailsOverAndIsThenPassedOver() async throws {
        let refusing = try await FakeLDAPServer { message in
            encode(
                message.messageID,
                .bindResponse(LDAPResult(code: .invalidCredentials, matchedDN: "", diagnosticMessage: "", referral: [])))
        }
        let server = try await FakeLDAPServer(answer: Self.directory)
        let pool = LDAPPool(settings: Self.settings([refusing.url, server.url]), serviceBind: true, maximumConnections: 1)
        // One replica lacks the service account: the next one serves.
        let entries = try await pool.withConnection { try await $0.search(Self.search()).entries }
        #expect(entries.count == 1)
        pool.shutdown()
        // Every server refusing: unavailable, and within retryAfter no server is asked again
        // (a request during an outage fails at once instead of waiting on each server).
        func binds() -> Int { refusing.requests.filter { if case .bindRequest = $0.op { true } else { false } }.count }
        let alone = LDAPPool(settings: Self.settings([refusing.url]), serviceBind: true)
        await #expect(throws: LDAPClientError.self) { try await alone.withConnection { _ in 1 } }
        #expect(binds() == 2)
        let start = ContinuousClock.now
        await #expect {
            try await alone.withConnection { _ in 1 }
        } throws: { error in
            if case .unavailable = error as? LDAPClientError { true } else { false }
        }
        #expect(binds() == 2)
        #expect(ContinuousClock.now - start < .seconds(1))
        await refusing.close()
        await server.close()
    }

    @Test(arguments: [
        [0x04, 0x00] as [UInt8],  // not a SEQUENCE
        [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],  // a 4 GiB message announced
        [0x30, 0x80, 0x00, 0x00],  // indefinite length
        [0x30, 0x03, 0x02, 0x01, 0x01],  // no protocol op
        [0x30, 0x06, 0x02, 0x01, 0x02, 0x61, 0x01, 0xFF],  // a bind response of one stray byte
    ])
    func hostileAnswersCloseTheConnection(bytes: [UInt8]) async throws {
        let server = try await FakeLDAPServer { message in
            if case .bindRequest = message.op { return encode(message.messageID, .bindResponse(.ok)) }
            return bytes
        }
        let pool = LDAPPool(settings: Self.settings([server.url]), serviceBind: true)
        await #expect(throws: LDAPClientError.self) { try await pool.withConnection { try await $0.search(Self.search()) } }
        await server.close()
    }

    @Test func anAnswerOfTheWrongKindIsAProtocolError() async throws {
        let server = try await FakeLDAPServer { message in
            encode(message.messageID, .compareResponse(.ok))
        }
        let connection = try await LDAPConnection.connect(to: server.url, settings: Self.settings([server.url]))
        await #expect(throws: LDAPClientError.self) { try await connection.search(Self.search()) }
        #expect(!connection.isActive)
        await server.close()
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await FakeLDAPServer { _ in nil }
        let settings = Self.settings([server.url], timeout: .milliseconds(300))
        let connection = try await LDAPConnection.connect(to: server.url, settings: settings)
        let start = ContinuousClock.now
        await #expect {
            try await connection.search(Self.search())
        } throws: { error in
            if case .timeout = error as? LDAPClientError { true } else { false }
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        await server.close()
    }

    @Test func answersAreMatchedByMessageID() async throws {
        // The server answers the second search first.
        let held = NIOLockedValueBoxHolder()
        let server = try await FakeLDAPServer { message in
            guard case .searchRequest(let request) = message.op else { return nil }
            let done = encode(
                message.messageID,
                .searchResultDone(LDAPResult(code: .success, matchedDN: request.base, diagnosticMessage: "", referral: [])))
            return held.swap(done)
        }
        let connection = try await LDAPConnection.connect(to: server.url, settings: Self.settings([server.url]))
        var first = Self.search()
        first.base = "ou=first"
        var second = Self.search()
        second.base = "ou=second"
        async let a = connection.search(first)
        try await Task.sleep(for: .milliseconds(100))
        async let b = connection.search(second)
        let (ra, rb) = try await (a, b)
        #expect(ra.result.matchedDN == "ou=first")
        #expect(rb.result.matchedDN == "ou=second")
        connection.close()
        await server.close()
    }

    @Test func failsOverToTheNextServer() async throws {
        let down = try await FakeLDAPServer { _ in nil }
        let downURL = down.url
        await down.close()
        let server = try await FakeLDAPServer(answer: Self.directory)
        let pool = LDAPPool(settings: Self.settings([downURL, server.url]), serviceBind: true)
        let entries = try await pool.withConnection { try await $0.search(Self.search()).entries }
        #expect(entries.count == 1)
        pool.shutdown()
        await server.close()
    }

    @Test func everyServerDownIsUnavailable() async throws {
        let down = try await FakeLDAPServer { _ in nil }
        let downURL = down.url
        await down.close()
        let pool = LDAPPool(settings: Self.settings([downURL]), serviceBind: true)
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { error in
            guard let error = error as? LDAPClientError, case .unavailable = error else { return false }
            return error.isTemporary
        }
    }

    @Test func aConnectionThatBrokeIsReplacedOnce() async throws {
        // The server drops the connection at the second search, as a restarted server would.
        let (server, searches) = try await FakeLDAPServer.failing(search: 2, with: [])
        let pool = LDAPPool(settings: Self.settings([server.url]), serviceBind: true, maximumConnections: 1)
        _ = try await pool.withConnection { try await $0.search(Self.search()) }
        let entries = try await pool.withConnection { try await $0.search(Self.search()).entries }
        #expect(entries.count == 1)
        #expect(searches.withLockedValue { $0 } == 3)
        pool.shutdown()
        await server.close()
    }

    @Test func pagedSearchesFollowTheCookie() async throws {
        let server = try await FakeLDAPServer { message in
            switch message.op {
            case .bindRequest: return encode(message.messageID, .bindResponse(.ok))
            case .searchRequest:
                let paging = message.controls.first { $0.oid == PagedResultsControl.oid }.flatMap { PagedResultsControl($0) }
                let page = Int(paging?.cookie.first ?? 0)
                let next = PagedResultsControl(size: 0, cookie: page < 2 ? [UInt8(page + 1)] : [])
                let found = LDAPEntry(dn: "uid=u\(page),dc=example,dc=org", attributes: [])
                return encode(message.messageID, .searchResultEntry(found))
                    + encode(message.messageID, .searchResultDone(.ok), controls: [next.control])
            default: return nil
            }
        }
        let pool = LDAPPool(settings: Self.settings([server.url]), serviceBind: true)
        let entries = try await pool.withConnection { try await $0.searchAll(Self.search(), pageSize: 1) }
        #expect(entries.map(\.dn) == ["uid=u0,dc=example,dc=org", "uid=u1,dc=example,dc=org", "uid=u2,dc=example,dc=org"])
        pool.shutdown()
        await server.close()
    }

    @Test func tooManyEntriesAreRefused() async throws {
        let server = try await FakeLDAPServer { message in
            guard case .searchRequest = message.op else { return encode(message.messageID, .bindResponse(.ok)) }
            var bytes: [UInt8] = []
            for _ in 0..<20 { bytes += encode(message.messageID, .searchResultEntry(Self.entry)) }
            return bytes + encode(message.messageID, .searchResultDone(.ok))
        }
        var settings = Self.settings([server.url])
        settings.limits = LDAPClientSession.Limits(maximumEntries: 10)
        let connection = try await LDAPConnection.connect(to: server.url, settings: settings)
        await #expect {
            try await connection.search(Self.search())
        } throws: { error in
            if case .tooManyResults = error as? LDAPClientError { true } else { false }
        }
        await server.close()
    }

    @Test func aNoticeOfDisconnectionFailsWhatIsWaiting() async throws {
        let server = try await FakeLDAPServer { _ in
            encode(
                0,
                .extendedResponse(
                    LDAPResult(code: .unavailable, matchedDN: "", diagnosticMessage: "shutting down", referral: []),
                    name: "1.3.6.1.4.1.1466.20036", value: nil))
        }
        let connection = try await LDAPConnection.connect(to: server.url, settings: Self.settings([server.url]))
        await #expect(throws: LDAPClientError.self) { try await connection.search(Self.search()) }
        await server.close()
    }
}

/// Holds one answer back and releases it with the next (to answer out of order).
final class NIOLockedValueBoxHolder: Sendable {
    private let box = NIOLockedValueBox<[UInt8]?>(nil)

    func swap(_ bytes: [UInt8]) -> [UInt8]? {
        box.withLockedValue { held in
            if let previous = held {
                held = nil
                return bytes + previous
            }
            held = bytes
            return nil
        }
    }
}
