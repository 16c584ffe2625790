import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a directory server: connect (with TLS for `ldaps://`, or StartTLS), then
/// requests with a timeout each. A timeout or a broken connection closes it; the pool drops it.
public final class LDAPConnection: Sendable {
    public let url: LDAPURL
    private let channel: any Channel
    private let handler: NIOLoopBound<LDAPChannelHandler>
    private let requestTimeout: Duration

    private init(url: LDAPURL, channel: any Channel, handler: NIOLoopBound<LDAPChannelHandler>, requestTimeout: Duration) {
        self.url = url
        self.channel = channel
        self.handler = handler
        self.requestTimeout = requestTimeout
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Connects to `url` and, for `ldap://` with `settings.startTLS`, upgrades with StartTLS.
    public static func connect(
        to url: LDAPURL, settings: LDAPServerSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> LDAPConnection {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = url.isTLS || settings.startTLS ? try NIOSSLContext(configuration: settings.tls) : nil
        } catch {
            throw LDAPClientError.tls("cannot load the TLS configuration: \(error)")
        }
        // A host name is checked against the certificate and sent as SNI; an IP address is checked
        // against the certificate's IP entries (NIOSSL does that when no name is given).
        let serverName = url.isIPAddress ? nil : url.host
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(settings.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if url.isTLS, let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try sync.addHandler(
                        LDAPChannelHandler(
                            limits: settings.limits, maximumMessageSize: settings.maximumMessageSize,
                            maximumResponseBytes: settings.maximumResponseBytes))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            throw LDAPClientError.unavailable("\(url): \(error)")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: LDAPChannelHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = LDAPConnection(url: url, channel: channel, handler: handler, requestTimeout: settings.requestTimeout)
        if !url.isTLS, settings.startTLS, let tlsContext {
            do {
                try await connection.startTLS(tlsContext, serverName: serverName)
            } catch {
                connection.close()
                throw error
            }
        }
        return connection
    }

    /// RFC 4511 §4.14: asks for TLS; the channel handler puts TLS under itself as the agreement
    /// arrives (nothing read in between).
    private func startTLS(_ context: NIOSSLContext, serverName: String?) async throws {
        let response = try await request(
            .extendedRequest(name: LDAPExtendedOperation.startTLS, value: nil),
            tlsUpgrade: LDAPTLSUpgrade(context: context, serverName: serverName))
        guard response.result.code == .success else {
            throw LDAPClientError.tls("the server refused StartTLS: \(LDAPClientError.result(response.result))")
        }
        // The handshake's outcome shows in the next answer: a certificate that is not trusted
        // closes the connection with a TLS error.
        _ = try await request(.extendedRequest(name: LDAPExtendedOperation.whoAmI, value: nil))
    }

    /// Sends `op` and waits for its answer, at most the request timeout; a timeout closes the
    /// connection (its state is unknown).
    public func request(_ op: LDAPProtocolOp, controls: [LDAPControl] = []) async throws -> LDAPResponse {
        try await request(op, controls: controls, tlsUpgrade: nil)
    }

    private func request(_ op: LDAPProtocolOp, controls: [LDAPControl] = [], tlsUpgrade: LDAPTLSUpgrade?) async throws
        -> LDAPResponse
    {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: LDAPResponse.self)
        let messageID = NIOLockedValueBox<Int32?>(nil)
        let timeout = loop.scheduleTask(in: TimeAmount(requestTimeout)) { [handler, channel] in
            if let id = messageID.withLockedValue({ $0 }) { handler.value.forget(id) }
            promise.fail(LDAPClientError.timeout)
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        let request = LDAPChannelRequest(
            op: op, controls: controls, promise: promise,
            numbered: { id in messageID.withLockedValue { $0 = id } }, tlsUpgrade: tlsUpgrade)
        channel.writeAndFlush(request).whenFailure { error in
            promise.fail(error as? LDAPClientError ?? LDAPClientError.connectionClosed)
        }
        return try await promise.futureResult.get()
    }

    /// Simple bind (RFC 4511 §4.2); the answer is returned whatever its result code.
    public func bind(dn: String, password: [UInt8], controls: [LDAPControl] = []) async throws -> LDAPResponse {
        try await request(.bindRequest(version: 3, name: dn, password: password), controls: controls)
    }

    /// A search (§4.5). A result other than success throws: a size limit reached as
    /// `tooManyResults` (a truncated answer is never taken for the whole), a missing base
    /// (`noSuchObject`) too unless `missingBaseIsEmpty` (reading an entry that may be gone).
    public func search(_ search: LDAPSearchRequest, controls: [LDAPControl] = [], missingBaseIsEmpty: Bool = false)
        async throws -> LDAPResponse
    {
        let response = try await request(.searchRequest(search), controls: controls)
        switch response.result.code {
        case .success: return response
        case .noSuchObject where missingBaseIsEmpty: return LDAPResponse(result: response.result)
        case .sizeLimitExceeded: throw LDAPClientError.tooManyResults(Int(search.sizeLimit))
        default: throw LDAPClientError.result(response.result)
        }
    }

    /// Every entry a search finds, a page at a time (RFC 2696), at most `limit` in all. The
    /// request's own size limit should be 0: a server limit reached, a page count past what
    /// `limit` needs or a cookie that repeats throws (a listing is whole or nothing).
    public func searchAll(_ search: LDAPSearchRequest, pageSize: Int32 = 500, limit: Int = 1_000_000) async throws
        -> [LDAPEntry]
    {
        var entries: [LDAPEntry] = []
        var cookie: [UInt8] = []
        var seen: Set<[UInt8]> = []
        let maximumPages = limit / Int(max(1, pageSize)) + 2
        repeat {
            guard seen.count < maximumPages else { throw LDAPClientError.tooManyResults(limit) }
            let paging = PagedResultsControl(size: pageSize, cookie: cookie)
            let response = try await self.search(search, controls: [paging.control])
            entries += response.entries
            guard entries.count <= limit else { throw LDAPClientError.tooManyResults(limit) }
            guard let control = response.control(PagedResultsControl.oid), let next = PagedResultsControl(control) else {
                break
            }
            cookie = next.cookie
            guard cookie.isEmpty || seen.insert(cookie).inserted else {
                throw LDAPClientError.protocolError("the server repeated a paged-results cookie")
            }
        } while !cookie.isEmpty
        return entries
    }

    /// Ends the session politely (§4.3) and closes the connection.
    public func close() {
        let request = LDAPChannelRequest(op: .unbindRequest, controls: [], promise: nil, numbered: nil)
        channel.writeAndFlush(request).whenComplete { [channel] _ in channel.close(promise: nil) }
    }
}
