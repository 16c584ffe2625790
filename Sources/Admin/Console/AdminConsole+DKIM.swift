import Core
import MailAuth

/// A DKIM key as the console, the API and the audit log show it: everything but the private
/// half, which never leaves `DKIMKeyStore` and the signer.
public struct DKIMKeyInfo: Sendable, Hashable, Codable {
    public var domain: String
    public var selector: String
    public var algorithm: DKIMAlgorithm
    public var bits: Int
    public var state: DKIMKeyState
    public var createdAt: Int64
    /// A retiring key stays published until then.
    public var retireAfter: Int64?
    public var retiredAt: Int64?
    /// `selector._domainkey.domain`.
    public var dnsName: String
    /// The TXT record to publish; nil once retired.
    public var dnsRecord: String?

    public init(_ key: DKIMKey) {
        domain = key.domain
        selector = key.selector
        algorithm = key.algorithm
        bits = key.bits
        state = key.state
        createdAt = key.createdAt
        retireAfter = key.state == .retiring ? key.retireAfter : nil
        retiredAt = key.retiredAt
        dnsName = key.recordName
        dnsRecord = key.isPublished ? key.recordText : nil
    }

    /// The record as a zone-file line, while the key is published.
    public var zoneRecord: PublishedDNSRecord? {
        dnsRecord.map { PublishedDNSRecord(name: dnsName, text: $0) }
    }

    enum CodingKeys: String, CodingKey {
        case domain, selector, algorithm, bits, state
        case createdAt = "created_at"
        case retireAfter = "retire_after"
        case retiredAt = "retired_at"
        case dnsName = "dns_name"
        case dnsRecord = "dns_record"
    }
}

/// One rotation: the key that now signs and the one that stays published for a while.
public struct DKIMRotation: Sendable, Hashable, Codable {
    public var retiring: DKIMKeyInfo
    public var active: DKIMKeyInfo
}

extension AdminConsole {
    var dkimKeyStore: DKIMKeyStore { DKIMKeyStore(database: database) }

    /// Most days a rotated key may stay published.
    public static let maxDKIMKeepDays = 365

    /// The DKIM keys of `domain`, or of every domain the principal acts in, by domain, newest first.
    public func dkimKeys(as principal: Principal, domain: String? = nil) async throws -> [DKIMKeyInfo] {
        try principal.require(.manageDKIM, in: domain?.lowercased())
        let keys = try await dkimKeyStore.keys(domain: domain).map(DKIMKeyInfo.init)
        guard let scope = principal.domainScope else { return keys }
        return keys.filter { scope.contains($0.domain) }
    }

    /// Makes a new active key for `domain` (refused when one of `algorithm` is active: rotate).
    public func generateDKIMKey(
        as principal: Principal, domain: String, algorithm: DKIMAlgorithm = .rsaSHA256, bits: Int = 2048,
        selector: String? = nil
    ) async throws -> DKIMKeyInfo {
        try principal.require(.manageDKIM, in: domain.lowercased())
        let key = try await Self.translateDKIM {
            DKIMKeyInfo(
                try await dkimKeyStore.generate(domain: domain, algorithm: algorithm, bits: bits, selector: selector, now: now))
        }
        await audit(principal, "dkim.generate", target: "\(key.selector)._domainkey.\(key.domain)", after: key)
        return key
    }

    /// Replaces the active keys of `domain` (only the `algorithm` one when given) by new ones;
    /// the old keys stay published for `keepDays` days.
    public func rotateDKIMKeys(
        as principal: Principal, domain: String, algorithm: DKIMAlgorithm? = nil,
        keepDays: Int = Int(DKIMKeyStore.defaultRetirementDelay / 86_400)
    ) async throws -> [DKIMRotation] {
        try principal.require(.manageDKIM, in: domain.lowercased())
        guard (0...Self.maxDKIMKeepDays).contains(keepDays) else {
            throw AdminError.invalid("keep the old key published for 0 to \(Self.maxDKIMKeepDays) days")
        }
        let rotated = try await Self.translateDKIM {
            try await dkimKeyStore.rotate(domain: domain, algorithm: algorithm, keepFor: Int64(keepDays) * 86_400, now: now)
        }
        let result = rotated.map { DKIMRotation(retiring: DKIMKeyInfo($0.retiring), active: DKIMKeyInfo($0.active)) }
        for rotation in result {
            await audit(
                principal, "dkim.rotate", target: "\(rotation.retiring.selector)._domainkey.\(rotation.retiring.domain)",
                before: rotation.retiring.with(state: .active), after: rotation)
        }
        return result
    }

    /// Retires key `selector` of `domain`: it leaves DNS and its private half is erased. An
    /// active key, or a retiring one before its date, only with `force`.
    public func retireDKIMKey(as principal: Principal, domain: String, selector: String, force: Bool = false) async throws
        -> DKIMKeyInfo
    {
        try principal.require(.manageDKIM, in: domain.lowercased())
        let before = try await dkimKeyStore.key(domain: domain, selector: selector).map(DKIMKeyInfo.init)
        let key = try await Self.translateDKIM {
            DKIMKeyInfo(try await dkimKeyStore.retire(domain: domain, selector: selector, force: force, now: now))
        }
        if before?.state != .retired {
            await audit(principal, "dkim.retire", target: "\(key.selector)._domainkey.\(key.domain)", before: before, after: key)
        }
        return key
    }

    /// The key store's refusals as `AdminError`s.
    static func translateDKIM<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as DKIMKeyError {
            switch error {
            case .unknownKey: throw AdminError.notFound(error.description)
            case .invalidDomain, .invalidSelector, .invalidKey: throw AdminError.invalid(error.description)
            case .duplicateSelector, .activeKeyExists, .noActiveKey, .notActive, .stillPublished:
                throw AdminError.conflict(error.description)
            }
        }
    }
}

extension DKIMKeyInfo {
    func with(state: DKIMKeyState) -> DKIMKeyInfo {
        var copy = self
        copy.state = state
        if state == .active { copy.retireAfter = nil }
        return copy
    }
}
