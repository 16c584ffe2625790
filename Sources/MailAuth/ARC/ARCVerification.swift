import DNS
import Foundation

/// The ARC validation of one message (RFC 8617 §5.2), fed as the message streams by, as
/// `DKIMVerification` is: the header first, the body in chunks, then `finish` looks up the keys
/// and checks the chain. It is DKIM's code that reads the tags, canonicalizes, looks up keys and
/// checks signatures; this type only knows which fields make a chain and in what order.
///
/// Bounded: at most 50 ARC Sets (more break the chain unread), one body pass per body
/// canonicalization in use, one DNS lookup per distinct key name (at most 100), and each
/// signature checked once.
public struct ARCVerification: Sendable {
    public let header: DKIMMessageHeader
    public let configuration: DKIMVerifierConfiguration
    private let chain: ARCChain
    private var hashers: DKIMBodyHashers

    public init(header: DKIMMessageHeader, configuration: DKIMVerifierConfiguration = DKIMVerifierConfiguration()) {
        self.header = header
        self.configuration = configuration
        chain = ARCChain(header: header, configuration: configuration)
        if case .sets(let sets) = chain {
            hashers = DKIMBodyHashers(for: sets.map(\.messageSignature))
        } else {
            hashers = DKIMBodyHashers(for: [])
        }
    }

    /// Whether the body needs to be fed (the message has ARC Sets that read).
    public var needsBody: Bool { !hashers.isEmpty }

    /// The next octets of the body.
    public mutating func update(body chunk: some ContiguousBytes) { hashers.update(chunk) }

    /// Looks up the keys and validates the chain.
    public mutating func finish(dns: any DKIMDNS, now: Int64) async -> ARCResult {
        let sets: [ARCSet]
        switch chain {
        case .none: return ARCResult(status: .none)
        case .broken(let reason): return ARCResult(status: .fail, reason: reason)
        case .sets(let found): sets = found
        }
        let digests = hashers.finish()
        let newest = sets[sets.count - 1]
        var result = ARCResult(status: .fail, instances: sets.count, sealer: newest.seal.domain)
        var names = Set(sets.map(\.seal.keyName))
        names.formUnion(sets.map(\.messageSignature.keyName))
        let keys = await DKIMKeyLookup.lookUp(names, dns: dns, configuration: configuration)

        // §5.2 step 4: the newest ARC-Message-Signature, as a DKIM signature is checked.
        let newestAMS = checkMessageSignature(newest, digests: digests, keys: keys, now: now)
        guard newestAMS.result == .pass else {
            result.reason = "ARC-Message-Signature i=\(newest.instance): \(newestAMS.reason ?? newestAMS.result.rawValue)"
            result.isTemporary = newestAMS.result == .temperror
            return result
        }
        // §5.2 step 6: every ARC-Seal, newest first.
        for set in sets.reversed() {
            if let failure = checkSeal(set, in: sets, keys: keys) {
                result.reason = "ARC-Seal i=\(set.instance): \(failure.reason)"
                result.isTemporary = failure.result == .temperror
                return result
            }
        }
        // §5.2 step 5: how far back the message is unchanged.
        var oldestPass = 0
        for set in sets.dropLast().reversed()
        where checkMessageSignature(set, digests: digests, keys: keys, now: now).result != .pass {
            oldestPass = set.instance + 1
            break
        }
        result.status = .pass
        result.oldestPass = oldestPass
        return result
    }

    private func checkMessageSignature(
        _ set: ARCSet, digests: [DKIMCanonicalization: DKIMBodyDigests], keys: [String: DKIMKeyLookup], now: Int64
    ) -> DKIMSignatureResult {
        DKIMVerification.check(
            set.messageSignature, fieldIndex: set.messageSignatureIndex, header: header, digests: digests, keys: keys,
            now: now, configuration: configuration)
    }

    /// §5.1.1.3: the seal of instance `i` signs, relaxed, the sets 1...i in order — each set's
    /// ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal — its own seal last with `b=`
    /// empty. Nil when it validates.
    private func checkSeal(_ set: ARCSet, in sets: [ARCSet], keys: [String: DKIMKeyLookup]) -> DKIMKeyLookup.Failure? {
        let key: DKIMPublicKey
        switch DKIMKeyLookup.key(keys[set.seal.keyName], algorithm: set.seal.algorithm, configuration: configuration) {
        case .success(let found): key = found.1
        case .failure(let failure): return failure
        }
        var selected: [DKIMHeaderField] = []
        for earlier in sets.prefix(set.instance) {
            selected += [earlier.results, earlier.messageSignature.field]
            if earlier.instance < set.instance { selected.append(earlier.seal.field) }
        }
        let digest = DKIMHeaderHash.digest(
            selected: selected, signatureField: set.seal.canonicalSealField(), canonicalization: .relaxed)
        guard key.isValid(signature: set.seal.signature, digest: digest) else {
            return DKIMKeyLookup.Failure(result: .fail, reason: "seal did not verify")
        }
        return nil
    }
}
