import Store

extension IMAPSession {
    /// IDLE (RFC 2177; RFC 9051 §6.3.13): updates of the selected mailbox are pushed as they
    /// happen until the client sends `DONE`.
    ///
    /// The store's notifier wakes the session: a watcher task turns each change into an
    /// input, so the session handles changes and the client's `DONE` in order, in one place.
    func idle(_ tag: String) async throws {
        // Watch before the first synchronisation, so no change falls between the two.
        let changes = view.map { backend.store.notifier.changes(mailboxID: $0.mailboxID) }
        let transport = transport
        let watcher = changes.map { stream in
            Task {
                for await _ in stream { transport.inject(.mailboxChanged) }
            }
        }
        defer { watcher?.cancel() }
        await transport.expectLine()
        emit(.continuation("idling"))
        try await synchronize(allowExpunge: true)
        await flush()
        while true {
            switch await transport.next() {
            case .mailboxChanged:
                try await synchronize(allowExpunge: true, push: true)
                await flush()
            case .line(let line):
                lastInput = .now
                guard String(decoding: line, as: UTF8.self).uppercased() == "DONE" else {
                    bad(tag, "Expected DONE")
                    return
                }
                ok(tag, "IDLE terminated")
                return
            case .idle:
                guard ContinuousClock.now - lastInput >= configuration.autologout else { continue }
                emit(.untagged(IMAPStatusResponse(.bye, "Autologout; idle for too long")))
                await finish()
                return
            case .shutdown:
                emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) server shutting down")))
                await finish()
                return
            case .revoked:
                await endRevoked()
                return
            case .closed:
                state = .logout
                return
            case .frame, .framingError:
                // The framer was in line mode: nothing else can arrive before the line.
                bad(tag, "Expected DONE")
                return
            }
        }
    }
}
