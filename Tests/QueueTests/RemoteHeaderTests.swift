import Core
import Foundation
import PostaTestSupport
import Queue
import Testing

/// Records what the runner hands to the remote transport.
final class RecordingTransport: RemoteTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [(message: OutboundMessage, targets: [String])] = []

    var deliveries: [(message: OutboundMessage, targets: [String])] { lock.withLock { sent } }

    func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        lock.withLock { sent.append((message, targets.map(\.address).sorted())) }
        return Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, DeliveryOutcome.delivered) })
    }
}

@Suite("Queue: header fields Posta added travel with relayed mail")
struct RemoteHeaderTests {
    @Test("recipient fields, then message fields, on top; one transaction per distinct copy", arguments: TestDatabases.dialects)
    func relayedCopies(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let (id, file) = try f.queue.openSpoolFile()
            try file.write(Array("Received: from c\r\nSubject: hi\r\n\r\nbody\r\n".utf8))
            var deliveries = ["a@remote.example", "b@remote.example", "c@remote.example", "d@other.example"].map {
                QueuedDelivery(recipient: $0, kind: .remote, accountID: nil, target: $0)
            }
            deliveries[0].headers = "X-Spam-Flag: NO\r\n"
            deliveries[1].headers = "X-Spam-Flag: NO\r\n"
            deliveries[2].headers = "X-Spam-Flag: YES\r\n"
            try await f.queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(
                    reversePath: try MailAddress(parsing: "s@example.org"), clientIP: "192.0.2.1", helo: "c"),
                deliveries: deliveries, headers: "Received-SPF: pass\r\n")
            let transport = RecordingTransport()
            let runner = QueueRunner(queue: f.queue, store: f.store, remote: transport, logger: f.logger)
            #expect(try await runner.runOnce() == 4)
            let sent = transport.deliveries.map { ($0.targets, $0.message.headers) }.sorted { $0.0.first! < $1.0.first! }
            #expect(sent.map(\.0) == [["a@remote.example", "b@remote.example"], ["c@remote.example"], ["d@other.example"]])
            #expect(
                sent.map(\.1) == [
                    "X-Spam-Flag: NO\r\nReceived-SPF: pass\r\n", "X-Spam-Flag: YES\r\nReceived-SPF: pass\r\n",
                    "Received-SPF: pass\r\n",
                ])
        }
    }
}
