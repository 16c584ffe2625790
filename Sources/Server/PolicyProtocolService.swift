import Core
import NIOCore
import Policy

/// Plugs the Postfix policy delegation server into a `policy` listener (default port 10031), so
/// Postfix can use `check_policy_service inet:HOST:10031`.
public struct PolicyProtocolService: ProtocolService {
    public let engine: PolicyEngine

    public init(engine: PolicyEngine) {
        self.engine = engine
    }

    public func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        try channel.pipeline.syncOperations.addHandler(PolicyDelegationHandler(engine: engine, logger: context.logger))
    }

    /// Postfix treats a closed connection as a temporary failure and retries.
    public func refusal(_ reason: RefusalReason, hostname: String) -> String? { nil }
}
