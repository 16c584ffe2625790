import DNS
import Foundation
import Logging
import MailAuth
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SMTP

/// Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.3): the host's
/// addresses from the site's resolver, TLS with the certificate verified (chain to the system's
/// anchors or `[delivery] tls_ca_file`, name `mta-sts.<domain>`), one HTTP/1.1 GET, and only a
/// `200` with `Content-Type: text/plain` and at most `MTASTSLimits.maxPolicySize` octets of body
/// is accepted: redirects are not followed (§3.3), and the whole fetch has one deadline.
public struct MTASTSHTTPSFetcher: MTASTSPolicyFetcher {
    let resolver: DNSResolver
    let tls: NIOSSLContext
    let port: Int
    let timeout: Duration

    /// Throws when `caFile` cannot be loaded.
    public init(resolver: DNSResolver, caFile: String?, port: Int = 443, timeout: Duration = .seconds(20)) throws {
        self.resolver = resolver
        self.tls = try NIOSSLContext(configuration: .mtaSTSClient(caFile: caFile))
        self.port = port
        self.timeout = timeout
    }

    public func fetchPolicy(domain: String) async throws -> [UInt8] {
        let host = "mta-sts." + domain
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await fetch(host: host) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else {
                throw MTASTSFetchError("timed out after \(timeout)")
            }
            return body
        }
    }

    private func fetch(host: String) async throws -> [UInt8] {
        let addresses = try await resolver.addresses(host).value ?? []
        guard !addresses.isEmpty else { throw MTASTSFetchError("\(host) has no address") }
        var lastError: any Error = MTASTSFetchError("\(host) could not be reached")
        for address in addresses.prefix(4) {
            do {
                return try await fetch(host: host, address: address.description)
            } catch let error as MTASTSFetchError where error.final {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private func fetch(host: String, address: String) async throws -> [UInt8] {
        let context = tls
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: address, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(NIOSSLClientHandler(context: context, serverHostname: host))
                    try operations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/.well-known/mta-sts.txt")
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "User-Agent", value: "Posta")
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let response):
                    // §3.3: a 3xx is a failure like any other non-200.
                    guard response.status == .ok else { throw MTASTSFetchError("HTTP \(response.status.code)", final: true) }
                    let type = response.headers["Content-Type"].first ?? ""
                    let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    guard media == "text/plain" else {
                        throw MTASTSFetchError("Content-Type \(type), not text/plain", final: true)
                    }
                case .body(let buffer):
                    guard body.count + buffer.readableBytes <= MTASTSLimits.maxPolicySize else {
                        throw MTASTSFetchError("policy larger than \(MTASTSLimits.maxPolicySize) octets", final: true)
                    }
                    body += buffer.readableBytesView
                case .end:
                    return body
                }
            }
            throw MTASTSFetchError("connection closed before the end of the response")
        }
    }
}

/// Why a policy fetch failed. `final` failures come from the server's answer (status, type, size):
/// other addresses of the host are not tried.
struct MTASTSFetchError: Error, CustomStringConvertible {
    var description: String
    var final: Bool

    init(_ description: String, final: Bool = false) {
        self.description = description
        self.final = final
    }
}

extension TLSConfiguration {
    /// A client that verifies the server for the policy fetch (RFC 8461 §3.3): `caFile`'s anchors
    /// (the system's when nil) and the host name, over TLS 1.2 or later.
    static func mtaSTSClient(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.verifiedClient(caFile: caFile)
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
