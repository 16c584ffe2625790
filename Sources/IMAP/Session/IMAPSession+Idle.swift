extension IMAPSession {
    /// IDLE (RFC 2177; RFC 9051 §6.3.13): updates of the selected mailbox are pushed as they happen
    /// until the client sends `DONE`. The adapter watches the mailbox (`.watch`) before the first
    /// synchronisation, so no change falls between the two; each change arrives as `mailboxChanged()`.
    mutating func idle(_ tag: String) {
        mode = .idling(tag: tag)
        if let current = view { act(.watch(mailboxID: current.mailboxID)) }
        act(.expectLine)
        emit(.continuation("idling"))
        synchronize(tag, allowExpunge: true, then: .nothing)
    }

    mutating func endIdle(_ tag: String, _ line: [UInt8]) {
        mode = .commands
        act(.unwatch)
        guard String(decoding: line, as: UTF8.self).uppercased() == "DONE" else {
            bad(tag, "Expected DONE")
            return
        }
        ok(tag, "IDLE terminated")
    }
}
