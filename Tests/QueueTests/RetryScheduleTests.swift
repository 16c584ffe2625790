import Foundation
import Queue
import Testing

@Suite("Retry schedule and trace headers")
struct RetryScheduleTests {
    @Test func doublesUpToTheMaximum() {
        let s = RetrySchedule(first: .seconds(300), maximum: .seconds(4 * 3600), expiry: .seconds(5 * 86400))
        #expect((1...8).map { s.delay(afterAttempt: $0) } == [300, 600, 1200, 2400, 4800, 9600, 14400, 14400])
        #expect(!s.isExpired(receivedAt: 0, now: 5 * 86400 - 1))
        #expect(s.isExpired(receivedAt: 0, now: 5 * 86400))
    }

    @Test func receivedHeaderFollowsRFC5321() {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let header = TraceHeaders.received(
            helo: "client.example (evil)\r\nX-Injected: 1", clientIP: "192.0.2.1", byHost: "mx.example.org",
            protocolName: "ESMTPS", queueID: "ABC-mx-1", tls: "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384",
            recipient: "a@example.org", date: date)
        #expect(
            header == """
                Received: from client.exampleevilX-Injected:1 ([192.0.2.1])\r
                \tby mx.example.org (Posta) with ESMTPS id ABC-mx-1\r
                \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r
                \tfor <a@example.org>;\r
                \tTue, 14 Nov 2023 22:13:20 +0000\r

                """)
        #expect(
            TraceHeaders.finalDelivery(reversePath: nil, deliveredTo: "a@example.org")
                == "Return-Path: <>\r\nDelivered-To: a@example.org\r\n")
    }

    @Test func queueIDsAreUniqueAndOrdered() {
        let ids = (0..<1000).map { _ in QueueID.make(nodeID: "mx1") }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.contains("-mx1-") })
    }
}
