import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Webmail

/// Server-sent events (HTML §9.2) telling an open webmail page that one of the account's folders
/// changed (new mail, a move over IMAP, another browser), so it reloads its list without polling.
/// A stream lasts `lifetime`, then the browser reconnects (`retry`): a session that ended stops
/// getting events. Bounded per account (`maxStreamsPerAccount`).
extension MailPages {
    static let eventLifetime: Duration = .seconds(300)
    static let eventHeartbeat: Duration = .seconds(25)
    static let maxStreamsPerAccount = 16

    func events(_ call: MailCall) async throws -> Response {
        guard eventStreams.open(call.account.id) else {
            return Response(status: .tooManyRequests, headers: [.retryAfter: "60"])
        }
        let changes: AsyncStream<Void>
        do {
            changes = try await webmail.changes(call.account)
        } catch {
            eventStreams.close(call.account.id)
            throw error
        }
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(8))
        continuation.yield(ByteBuffer(string: "retry: 3000\n\n"))
        let streams = eventStreams
        let accountID = call.account.id
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in changes {
                        continuation.yield(ByteBuffer(string: "event: change\ndata: folders\n\n"))
                        // Changes in a burst (a delivery to many folders, a bulk move) make one reload.
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.eventHeartbeat)
                        continuation.yield(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try? await Task.sleep(for: Self.eventLifetime)
                group.cancelAll()
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            task.cancel()
            streams.close(accountID)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            // A graceful shutdown ends the stream (the browser reconnects to another node), so an open
            // page never holds the server up.
            body: ResponseBody(asyncSequence: stream.cancelOnGracefulShutdown()))
    }
}

/// Open event streams per account.
final class MailEventStreams: Sendable {
    private let counts = NIOLockedValueBox([Int64: Int]())

    func open(_ account: Int64) -> Bool {
        counts.withLockedValue { counts in
            guard counts[account, default: 0] < MailPages.maxStreamsPerAccount else { return false }
            counts[account, default: 0] += 1
            return true
        }
    }

    func close(_ account: Int64) {
        counts.withLockedValue { counts in
            counts[account, default: 1] -= 1
            if counts[account] == 0 { counts[account] = nil }
        }
    }
}
