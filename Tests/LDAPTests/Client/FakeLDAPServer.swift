import LDAP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A scripted LDAP server on loopback for the client tests: each decoded request goes to
/// `answer`, whose bytes are written back (well-formed messages, or anything at all); no bytes
/// (an empty array) close the connection, nil answers nothing.
final class FakeLDAPServer: Sendable {
    typealias Answer = @Sendable (LDAPMessage) -> [UInt8]?

    private let channel: any Channel
    let port: Int
    private let received = NIOLockedValueBox<[LDAPMessage]>([])

    /// Every request decoded so far.
    var requests: [LDAPMessage] { received.withLockedValue { $0 } }

    init(answer: @escaping Answer) async throws {
        let received = self.received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: answer, received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    var url: LDAPURL { try! LDAPURL(parsing: "ldap://127.0.0.1:\(port)") }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: Answer
        let received: NIOLockedValueBox<[LDAPMessage]>
        var frames = LDAPFrameDecoder()

        init(answer: @escaping Answer, received: NIOLockedValueBox<[LDAPMessage]>) {
            self.answer = answer
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            frames.append(buffer.readableBytesView)
            while let pdu = try? frames.next() {
                guard let message = try? LDAPMessage(decoding: pdu[...]) else { continue }
                received.withLockedValue { $0.append(message) }
                guard let bytes = answer(message) else { continue }
                if bytes.isEmpty {
                    context.close(promise: nil)
                } else {
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                }
            }
        }
    }
}

extension FakeLDAPServer {
    /// `LDAPPoolTests.directory`, but the `n`th search gets `failure` (nil: no answer, empty:
    /// the connection closed); `searches` counts the searches received.
    static func failing(search n: Int, with failure: [UInt8]?) async throws -> (FakeLDAPServer, searches: NIOLockedValueBox<Int>)
    {
        let searches = NIOLockedValueBox(0)
        let server = try await FakeLDAPServer { message in
            guard case .searchRequest = message.op else { return LDAPPoolTests.directory(message) }
            let count = searches.withLockedValue { count in
                count += 1
                return count
            }
            return count == n ? failure : LDAPPoolTests.directory(message)
        }
        return (server, searches)
    }
}

extension LDAPResult {
    static let ok = LDAPResult(code: .success, matchedDN: "", diagnosticMessage: "", referral: [])
}

/// Encodes server messages for the scripts.
func encode(_ id: Int32, _ op: LDAPProtocolOp, controls: [LDAPControl] = []) -> [UInt8] {
    try! LDAPMessage(messageID: id, op: op, controls: controls).serialized()
}
