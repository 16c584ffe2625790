import Core
import Logging
import ManageSieve
import NIOCore
import Sieve

/// Plugs the ManageSieve adapter into a listener: `managesieve` (4190, STARTTLS; RFC 5804 §1.8
/// defines no implicit-TLS port).
///
/// Logins need TLS (STARTTLS) unless the listener is configured with `tls = "none"` (e.g. behind a
/// TLS-terminating proxy), the rule of IMAP and POP3; until then `SASL ""` is advertised.
public struct ManageSieveProtocolService: ProtocolService {
    public let backend: ManageSieveBackend

    public init(backend: ManageSieveBackend) {
        self.backend = backend
    }

    public func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        let configuration = ManageSieveConfiguration(
            hostname: context.hostname, startTLSAvailable: context.tls != nil && context.listener.tls == .starttls,
            allowPlaintextAuth: context.listener.tls == .none, sieveExtensions: backend.scripts.extensionsCapability,
            maxScriptSize: backend.scripts.maximumScriptSize,
            maxCommandsBeforeLogin: context.listener.maxCommandsBeforeLogin,
            maxAuthFailures: backend.authenticator.maxFailuresPerConnection)
        try channel.pipeline.syncOperations.addHandler(
            ManageSieveServerHandler(
                backend: backend, configuration: configuration, clientIP: context.remoteIP, isTLS: context.isTLS,
                tls: context.tls, protocolName: context.listener.protocol.rawValue, logger: context.logger))
    }

    /// RFC 5804 §1.3: `BYE (TRYLATER)` before closing a connection the server cannot serve now.
    public func refusal(_ reason: RefusalReason, hostname: String) -> String? {
        switch reason {
        case .serverFull: "BYE (TRYLATER) \"\(hostname) too many connections, try again later\"\r\n"
        case .tooManyFromClient: "BYE (TRYLATER) \"\(hostname) too many connections from your address\"\r\n"
        case .shuttingDown: "BYE (TRYLATER) \"\(hostname) server shutting down\"\r\n"
        case .notAllowed: "BYE \"\(hostname) access denied\"\r\n"
        }
    }
}

/// The Sieve module's script storage as ManageSieve's script store: its refusals become the
/// protocol's (RFC 5804 §1.3 response codes), any other error a temporary failure (`TRYLATER`).
public struct SieveScriptsManageSieveStore: ManageSieveScriptStore {
    public let scripts: SieveScripts
    public let logger: Logger

    public init(scripts: SieveScripts, logger: Logger) {
        self.scripts = scripts
        self.logger = logger
    }

    public var maximumScriptSize: Int { scripts.maximumScriptSize }
    public var extensionsCapability: String { scripts.extensionsCapability }

    public func perform(_ operation: ManageSieveScriptOperation, accountID: Int64) async -> ManageSieveEffectResult {
        do {
            switch operation {
            case .haveSpace(let name, let size): try await scripts.haveSpace(accountID: accountID, name: name, size: size)
            case .put(let name, let text): try await scripts.put(accountID: accountID, name: name, text: text)
            case .list:
                return .scripts(
                    try await scripts.list(accountID: accountID).map { ManageSieveScriptEntry(name: $0.name, active: $0.active) })
            case .setActive(let name): try await scripts.setActive(accountID: accountID, name: name)
            case .get(let name): return .script(try await scripts.get(accountID: accountID, name: name))
            case .delete(let name): try await scripts.delete(accountID: accountID, name: name)
            case .rename(let from, let to): try await scripts.rename(accountID: accountID, from: from, to: to)
            case .check(let text): try await scripts.check(accountID: accountID, text: text)
            }
            return .done
        } catch let error as SieveStorageError {
            return .failed(Self.failure(error))
        } catch {
            logger.error("sieve script store failed", metadata: ["error": "\(error)"])
            return .failed(.temporary)
        }
    }

    static func failure(_ error: SieveStorageError) -> ManageSieveFailure {
        switch error {
        case .invalidScript(let errors): .invalidScript(errors)
        case .invalidName(let name): .invalidName(name)
        case .noSuchScript(let name): .noSuchScript(name)
        case .alreadyExists(let name): .alreadyExists(name)
        case .activeScript(let name): .activeScript(name)
        case .tooManyScripts(let limit): .tooManyScripts(limit)
        case .tooLarge(let limit): .tooLarge(limit)
        }
    }
}
