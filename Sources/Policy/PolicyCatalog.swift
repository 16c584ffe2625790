import Core
import NIOConcurrencyHelpers

/// The policies as the engine sees them: read from the database and kept for `maxAge` seconds,
/// so a change made with `posta policy` on any node is in force everywhere within that time.
public final class PolicyCatalog: Sendable {
    /// Policies with their checked modules, in evaluation order; groups by name.
    struct Snapshot: Sendable {
        var policies: [(definition: PolicyDefinition, modules: [(id: Int64, module: PolicyModule)])]
        var groups: [String: PolicyGroup]
        var loadedAt: Int64
    }

    private let store: PolicyStore
    private let maxAge: Int64
    private let now: @Sendable () -> Int64
    private let cached = NIOLockedValueBox<Snapshot?>(nil)
    private let loading = AsyncLock()

    public init(store: PolicyStore, maxAge: Int64 = 5, now: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.store = store
        self.maxAge = maxAge
        self.now = now
    }

    /// The current snapshot, reloaded when older than `maxAge`. Disabled policies and rules are
    /// left out; a rule whose settings no longer parse is skipped.
    func snapshot() async throws -> Snapshot {
        if let fresh = cached.withLockedValue({ $0 }), now() - fresh.loadedAt < maxAge { return fresh }
        return try await loading.withLock {
            if let fresh = cached.withLockedValue({ $0 }), now() - fresh.loadedAt < maxAge { return fresh }
            let definitions = try await store.policies().filter(\.enabled)
            let groups = try await store.groups()
            let snapshot = Snapshot(
                policies: definitions.map { definition in
                    (
                        definition,
                        definition.rules.filter(\.enabled).compactMap { rule in (try? PolicyModule(rule)).map { (rule.id, $0) } }
                    )
                },
                groups: Dictionary(groups.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a }),
                loadedAt: now())
            cached.withLockedValue { $0 = snapshot }
            return snapshot
        }
    }

    /// Forgets the cached policies (the next request reads them again).
    public func invalidate() {
        cached.withLockedValue { $0 = nil }
    }
}
