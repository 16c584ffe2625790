/// Idle SMTP connections kept after a transaction, so that the next message for the same host
/// goes over the same connection (as Postfix's connection cache does). A connection is closed
/// with QUIT once it has been idle for `idleTime`.
actor SMTPConnectionCache {
    /// Where a connection goes and how it was set up: only a match may be reused.
    struct Key: Hashable, Sendable {
        var address: String
        var port: Int
        var tls: OutboundDelivery.TLSChoice
        var serverName: String
    }

    private struct Entry {
        var connection: SMTPClientConnection
        var since: ContinuousClock.Instant
    }

    let idleTime: Duration
    let maxPerKey: Int
    private var idle: [Key: [Entry]] = [:]

    init(idleTime: Duration, maxPerKey: Int) {
        self.idleTime = idleTime
        self.maxPerKey = maxPerKey
    }

    /// The most recently parked idle connection for `key`, taken out of the cache.
    func take(_ key: Key) -> SMTPClientConnection? {
        idle[key]?.popLast()?.connection
    }

    /// Parks an idle connection; closes it instead when `key` already has `maxPerKey`.
    func put(_ connection: SMTPClientConnection, for key: Key) {
        guard (idle[key]?.count ?? 0) < maxPerKey else {
            Task { await connection.close() }
            return
        }
        idle[key, default: []].append(Entry(connection: connection, since: .now))
        Task { [idleTime] in
            try? await Task.sleep(for: idleTime)
            self.expire(key)
        }
    }

    private func expire(_ key: Key) {
        let now = ContinuousClock.now
        let (stale, fresh) = (idle[key] ?? []).reduce(into: ([Entry](), [Entry]())) { parts, entry in
            if now - entry.since >= idleTime { parts.0.append(entry) } else { parts.1.append(entry) }
        }
        idle[key] = fresh.isEmpty ? nil : fresh
        for entry in stale { Task { await entry.connection.close() } }
    }
}
