import LDAP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// What a hostile or failing server must not achieve: answers injected before TLS, truncated
/// listings taken for whole ones, a pool held hostage, a login replayed after a timeout.
@Suite struct LDAPClientHardeningTests {
    static let entry = LDAPPoolTests.entry

    static func done(_ id: Int32, _ code: LDAPResultCode, controls: [LDAPControl] = []) -> [UInt8] {
        encode(
            id, .searchResultDone(LDAPResult(code: code, matchedDN: "", diagnosticMessage: "", referral: [])),
            controls: controls)
    }

    @Test func bytesSentInTheClearAfterStartTLSAreRefused() async throws {
        // RFC 4511 §4.14.1: after the StartTLS answer only TLS may follow; a man in the middle
        // appends a forged answer to the agreement, to be read as if it came over TLS.
        let server = try await FakeLDAPServer { message in
            guard case .extendedRequest(let name, _) = message.op, name == LDAPExtendedOperation.startTLS else { return nil }
            return encode(message.messageID, .extendedResponse(.ok, name: nil, value: nil))
                + encode(message.messageID + 1, .bindResponse(.ok))
        }
        var settings = LDAPPoolTests.settings([server.url])
        settings.startTLS = true
        await #expect {
            try await LDAPConnection.connect(to: server.url, settings: settings)
        } throws: { error in
            guard case .tls(let reason) = error as? LDAPClientError else { return false }
            return reason.contains("in the clear")
        }
        await server.close()
    }

    @Test func aSizeLimitReachedIsNeverTakenForTheWholeAnswer() async throws {
        let server = try await FakeLDAPServer { message in
            encode(message.messageID, .searchResultEntry(Self.entry)) + Self.done(message.messageID, .sizeLimitExceeded)
        }
        let connection = try await LDAPConnection.connect(to: server.url, settings: LDAPPoolTests.settings([server.url]))
        await #expect {
            try await connection.search(LDAPPoolTests.search())
        } throws: { error in
            if case .tooManyResults = error as? LDAPClientError { true } else { false }
        }
        await #expect(throws: LDAPClientError.self) { try await connection.searchAll(LDAPPoolTests.search()) }
        connection.close()
        await server.close()
    }

    @Test func aMissingBaseIsAnErrorUnlessTheCallerExpectsIt() async throws {
        let server = try await FakeLDAPServer { message in Self.done(message.messageID, .noSuchObject) }
        let connection = try await LDAPConnection.connect(to: server.url, settings: LDAPPoolTests.settings([server.url]))
        // A search base that does not exist is a configuration or replication problem, not
        // "nobody by that name" (which would refuse mail for good).
        await #expect {
            try await connection.search(LDAPPoolTests.search())
        } throws: { error in
            guard case .result(let result) = error as? LDAPClientError else { return false }
            return result.code == .noSuchObject
        }
        // Reading a group member's entry that is gone: nothing there.
        let gone = try await connection.search(LDAPPoolTests.search(), missingBaseIsEmpty: true)
        #expect(gone.entries.isEmpty)
        connection.close()
        await server.close()
    }

    @Test func aRepeatedCookieEndsTheListingWithAnError() async throws {
        let server = try await FakeLDAPServer { message in
            let again = PagedResultsControl(size: 0, cookie: [7])
            return encode(message.messageID, .searchResultEntry(Self.entry))
                + Self.done(message.messageID, .success, controls: [again.control])
        }
        let connection = try await LDAPConnection.connect(to: server.url, settings: LDAPPoolTests.settings([server.url]))
        await #expect {
            try await connection.searchAll(LDAPPoolTests.search(), pageSize: 1)
        } throws: { error in
            if case .protocolError = error as? LDAPClientError { true } else { false }
        }
        #expect(server.requests.count <= 3)
        await server.close()
    }

    @Test func anAnswerLargerThanTheByteLimitIsRefused() async throws {
        let big = LDAPEntry(
            dn: "uid=big,dc=example,dc=org",
            attributes: [LDAPAttribute(type: "description", values: [Array(repeating: 0x61, count: 4000)])])
        let server = try await FakeLDAPServer { message in
            var bytes: [UInt8] = []
            for _ in 0..<10 { bytes += encode(message.messageID, .searchResultEntry(big)) }
            return bytes + Self.done(message.messageID, .success)
        }
        var settings = LDAPPoolTests.settings([server.url])
        settings.maximumResponseBytes = 20_000
        let connection = try await LDAPConnection.connect(to: server.url, settings: settings)
        await #expect {
            try await connection.search(LDAPPoolTests.search())
        } throws: { error in
            if case .tooManyResults = error as? LDAPClientError { true } else { false }
        }
        await server.close()
    }

    @Test func aWaitForABusyPoolEndsAtTheRequestTimeout() async throws {
        let server = try await FakeLDAPServer(answer: LDAPPoolTests.directory)
        let pool = LDAPPool(
            settings: LDAPPoolTests.settings([server.url], timeout: .milliseconds(300)), serviceBind: true,
            maximumConnections: 1)
        let holding = Task { try await pool.withConnection { _ in try await Task.sleep(for: .seconds(3)) } }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { error in
            if case .unavailable = error as? LDAPClientError { true } else { false }
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        holding.cancel()
        _ = await holding.result
        // The connection came back: the pool serves again.
        #expect(try await pool.withConnection { try await $0.search(LDAPPoolTests.search()).entries.count } == 1)
        pool.shutdown()
        await server.close()
    }

    @Test func aRequestThatTimedOutIsNotSentAgain() async throws {
        // The first search is answered, the second never: a bind or a password change the
        // server may have carried out must not be repeated on another connection.
        let (server, searches) = try await FakeLDAPServer.failing(search: 2, with: nil)
        let pool = LDAPPool(
            settings: LDAPPoolTests.settings([server.url], timeout: .milliseconds(300)), serviceBind: true,
            maximumConnections: 1)
        _ = try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        await #expect {
            try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        } throws: { error in
            if case .timeout = error as? LDAPClientError { true } else { false }
        }
        #expect(searches.withLockedValue { $0 } == 2)
        pool.shutdown()
        await server.close()
    }

    @Test func aBrokenConnectionIsNotRetriedWhenTheCallerSaysSo() async throws {
        let (server, searches) = try await FakeLDAPServer.failing(search: 2, with: [])
        let pool = LDAPPool(settings: LDAPPoolTests.settings([server.url]), serviceBind: true, maximumConnections: 1)
        _ = try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        await #expect(throws: LDAPClientError.self) {
            try await pool.withConnection(retry: false) { try await $0.search(LDAPPoolTests.search()) }
        }
        #expect(searches.withLockedValue { $0 } == 2)
        pool.shutdown()
        await server.close()
    }

    @Test func anIdleConnectionPastItsAgeIsReplaced() async throws {
        let server = try await FakeLDAPServer(answer: LDAPPoolTests.directory)
        let pool = LDAPPool(
            settings: LDAPPoolTests.settings([server.url]), serviceBind: true, maximumIdle: .milliseconds(100))
        _ = try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        _ = try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        try await Task.sleep(for: .milliseconds(250))
        _ = try await pool.withConnection { try await $0.search(LDAPPoolTests.search()) }
        let binds = server.requests.filter { if case .bindRequest = $0.op { true } else { false } }.count
        #expect(binds == 2)
        pool.shutdown()
        await server.close()
    }
}
