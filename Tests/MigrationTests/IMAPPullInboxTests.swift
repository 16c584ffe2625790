import Testing

@testable import Migration

/// The pull's receive buffer: a server faster than the store pauses the channel above the high-water mark,
/// and the channel reads again only once the reader has taken every kept chunk.
@Suite struct IMAPPullInboxTests {
    @Test func pausesAboveTheHighWaterMarkAndResumesWhenDrained() async throws {
        let inbox = IMAPPullInbox()
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        var pauses: [Bool] = []
        for _ in 0..<6 { pauses.append(inbox.push(chunk)) }
        // Over 4 MiB kept at the fifth chunk: one pause, not one per chunk.
        #expect(pauses == [false, false, false, false, true, false])
        let resumed = Count()
        for taken in 1...6 {
            let bytes = try await inbox.next(whenDrained: { resumed.value += 1 })
            #expect(bytes?.count == chunk.count)
            #expect(resumed.value == (taken == 6 ? 1 : 0))
        }
        // Drained and reading again: the next push goes on without a pause.
        #expect(inbox.push(chunk) == false)
        inbox.finish(nil)
        #expect(try await inbox.next(whenDrained: {}) == chunk)
        #expect(try await inbox.next(whenDrained: {}) == nil)
    }
}

/// Counts calls made on the test's own task (``IMAPPullInbox/next(whenDrained:)`` calls back before it returns).
private final class Count: @unchecked Sendable {
    var value = 0
}
