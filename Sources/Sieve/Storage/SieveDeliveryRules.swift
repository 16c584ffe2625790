import Core
import Directory
import Foundation
import Logging
import NIOConcurrencyHelpers
import Queue
import SQLKit
import Store

/// Runs the recipient's Sieve scripts at local delivery (docs/sieve.md): the site's and the
/// domain's `before` scripts, the account's active script, then the domain's and the site's
/// `after`; files, rejects, replies and redirects as they say. A runtime error keeps the message
/// in INBOX and is recorded for the script's owner to see; nothing is ever lost to a script.
public final class SieveDeliveryRules: LocalDeliveryRules, Sendable {
    let scripts: SieveScripts
    let store: MailStore
    let outbound: SieveOutbound
    let logger: Logger
    /// Duplicate ids (RFC 7352) of deliveries decided and not yet stored, by delivery key.
    private let pendingDuplicates = NIOLockedValueBox([String: [SieveDuplicateID]]())
    /// Runs since the last upkeep (`SieveUpkeep`, every 1,000 runs).
    private let runs = NIOLockedValueBox(0)
    /// The most of a message the tests examine (header section, then body).
    static let maximumExamined = 2 << 20

    public init(scripts: SieveScripts, store: MailStore, outbound: SieveOutbound, logger: Logger) {
        self.scripts = scripts
        self.store = store
        self.outbound = outbound
        self.logger = logger
    }

    /// A script that runs for a delivery, with its owner (for error reports).
    struct Loaded {
        var owner: SieveOwner
        var name: String
        var text: String
    }

    public func decide(_ request: LocalDeliveryRequest) async throws -> LocalDeliveryDecision? {
        let domain = request.address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        let sequence = try await load(accountID: request.accountID, domain: domain)
        guard !sequence.isEmpty else { return nil }
        if runs.withLockedValue({ count in
            count += 1
            return count % 1000 == 1
        }) {
            do { try await SieveUpkeep.purge(scripts.database) } catch {
                logger.warning("sieve upkeep failed", metadata: ["error": "\(error)"])
            }
        }
        let bytes = try await examinedBytes(request)
        var message = SieveMessage(bytes: bytes, limits: scripts.limits)
        // The size test sees the whole message, not the examined part (RFC 5228 §5.9).
        message.size = request.prefix.count + Int(max(0, request.size - request.offset))
        let context = SieveContext(
            envelope: SieveEnvelope(from: request.reversePath, to: request.recipient, originalTo: nil, auth: nil),
            now: Date(), localZoneOffsetMinutes: 0, spamScore: SpamtestValue.score(in: request.prefix),
            spamPercent: SpamtestValue.percent(in: request.prefix), virusScore: nil,
            environment: DeliveryEnvironment(store: store, database: scripts.database, accountID: request.accountID))
        var outcome = SieveOutcome()
        for loaded in sequence {
            let result: SieveResult
            do {
                let script = try await scripts.compiled(
                    loaded.owner, name: loaded.name, text: loaded.text, domain: domain)
                result = await script.run(message, context)
            } catch {
                result = SieveResult.failed("\(error)")
            }
            if let error = result.runtimeError {
                logger.warning(
                    "sieve runtime error: kept",
                    metadata: [
                        "id": "\(request.messageID)", "to": "\(request.address)", "script": "\(loaded.owner)/\(loaded.name)",
                        "error": "\(error)",
                    ])
                await scripts.recordError(loaded.owner, name: loaded.name, error)
                // RFC 5228 §2.10.6: on an error the implicit keep (where the message would have
                // gone without rules: INBOX, or Junk for spam).
                return .file([LocalFiling(mailbox: request.keepMailbox)], header: nil, bodyOffset: nil)
            }
            outcome.merge(result)
        }
        let decision = try await carryOut(outcome, request: request, message: message, original: bytes)
        if !outcome.duplicates.isEmpty, case .file = decision {
            pendingDuplicates.withLockedValue { pending in
                // Deliveries that failed after the decision never come back for theirs.
                if pending.count >= 10_000 { pending.removeAll() }
                pending[request.deliveryKey] = outcome.duplicates
            }
        }
        return decision
    }

    /// RFC 7352 §3: the ids the duplicate tests named are tracked once the message is stored.
    public func delivered(_ request: LocalDeliveryRequest) async {
        let ids = pendingDuplicates.withLockedValue { $0.removeValue(forKey: request.deliveryKey) } ?? []
        for id in ids {
            do {
                try await DeliveryEnvironment.track(
                    id.id, seconds: id.seconds, accountID: request.accountID, in: scripts.database)
            } catch {
                logger.warning("sieve duplicate id not tracked", metadata: ["id": "\(request.messageID)", "error": "\(error)"])
            }
        }
    }

    /// The scripts that run for the account, in order; empty when none does.
    func load(accountID: Int64, domain: String) async throws -> [Loaded] {
        let owners = [SieveOwner.site, .domain(domain), .account(accountID)].map(\.description)
        let rows = try await scripts.database.withConnection { db in
            try await db.select().columns("owner", "name", "content", "active").from("sieve_script")
                .where("owner", .in, SQLBind.group(owners)).all().map { row in
                    (
                        owner: try row.decode(column: "owner", as: String.self),
                        name: try row.decode(column: "name", as: String.self),
                        content: try row.decode(column: "content", as: String.self),
                        active: try row.decode(column: "active", as: Bool.self)
                    )
                }
        }
        func global(_ owner: SieveOwner, _ name: String) -> Loaded? {
            rows.first { $0.owner == owner.description && $0.name == name }.map {
                Loaded(owner: owner, name: $0.name, text: $0.content)
            }
        }
        let personal = rows.first { $0.owner == SieveOwner.account(accountID).description && $0.active }.map {
            Loaded(owner: .account(accountID), name: $0.name, text: $0.content)
        }
        return [
            global(.site, "before"), global(.domain(domain), "before"), personal, global(.domain(domain), "after"),
            global(.site, "after"),
        ].compactMap { $0 }
    }

    /// The message as the tests see it: Posta's fields on top, then the spooled message, the
    /// first `maximumExamined` bytes of it.
    func examinedBytes(_ request: LocalDeliveryRequest) async throws -> [UInt8] {
        let path = request.spoolFile
        let offset = request.offset
        let limit = Self.maximumExamined
        let body = try await SpoolReader.read(path: path, from: offset, maximum: limit)
        return request.prefix + body
    }
}
