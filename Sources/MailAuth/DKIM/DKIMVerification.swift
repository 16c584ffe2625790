import Crypto
import DNS
import Foundation

/// The DKIM check of one message (RFC 6376 §6), fed as the message streams by: the header
/// section first, then the body in chunks of any size, then `finish` looks up the keys and
/// checks every signature. No I/O but the key lookups through `DKIMDNS`; the clock is passed in.
///
/// ```swift
/// var verification = DKIMVerification(header: DKIMMessageHeader(parsing: headerOctets))
/// verification.update(body: chunk)            // as often as needed
/// let results = await verification.finish(dns: resolver, now: UnixTime.now())
/// ```
///
/// Bounded work: at most `maxSignatures` signatures are read and checked (the rest are `neutral`); a
/// signature field over `maxSignatureFieldBytes` or an `h=` over `maxSignedHeaders` names is a
/// `permerror` before any lookup; the body is canonicalized once per canonicalization in use
/// (at most two passes) however many signatures share it; one DNS lookup per distinct key name.
public struct DKIMVerification: Sendable {
    public let header: DKIMMessageHeader
    public let configuration: DKIMVerifierConfiguration

    private enum Check: Sendable {
        case decided(DKIMSignatureResult)
        case pending(DKIMSignature, fieldIndex: Int)
    }

    private var checks: [Check] = []
    private var hashers = DKIMBodyHashers(for: [])

    /// Reads the signatures of `header`; those that cannot be used are decided at once.
    public init(header: DKIMMessageHeader, configuration: DKIMVerifierConfiguration = DKIMVerifierConfiguration()) {
        self.header = header
        self.configuration = configuration
        var count = 0
        for (index, field) in header.fields.enumerated() where field.name == "dkim-signature" {
            count += 1
            guard count <= configuration.maxSignatures else {
                // Not even read: a message may carry any number of these.
                checks.append(
                    .decided(
                        DKIMSignatureResult(
                            result: .neutral,
                            reason: "not checked: only the first \(configuration.maxSignatures) signatures are verified")))
                continue
            }
            guard field.raw.count <= configuration.maxSignatureFieldBytes else {
                checks.append(
                    .decided(
                        DKIMSignatureResult(
                            result: .permerror,
                            reason: "signature field over \(configuration.maxSignatureFieldBytes) octets")))
                continue
            }
            do {
                let signature = try DKIMSignature(parsing: field, maxSignedHeaders: configuration.maxSignedHeaders)
                checks.append(.pending(signature, fieldIndex: index))
            } catch {
                var result = Self.partialReport(field, configuration: configuration)
                result.result = .permerror
                result.reason = error.description
                checks.append(.decided(result))
            }
        }
        hashers = DKIMBodyHashers(
            for: checks.compactMap { check in
                if case .pending(let signature, _) = check { signature } else { nil }
            })
    }

    /// Whether the message has any `DKIM-Signature` field.
    public var isSigned: Bool { !checks.isEmpty }

    /// The next octets of the body (everything after the header's empty line).
    public mutating func update(body chunk: some ContiguousBytes) {
        hashers.update(chunk)
    }

    /// Looks up the keys and checks every signature; one result per `DKIM-Signature` field, top
    /// to bottom (an empty list for an unsigned message: `dkim=none`).
    public mutating func finish(dns: any DKIMDNS, now: Int64) async -> [DKIMSignatureResult] {
        let digests = hashers.finish()

        // §6.1.1: an expired signature needs no key.
        var names: Set<String> = []
        for check in checks {
            if case .pending(let signature, _) = check, !Self.isExpired(signature, now: now) { names.insert(signature.keyName) }
        }
        let keys = await DKIMKeyLookup.lookUp(names, dns: dns, configuration: configuration)

        var results: [DKIMSignatureResult] = []
        for check in checks {
            switch check {
            case .decided(let result): results.append(result)
            case .pending(let signature, let index):
                results.append(
                    Self.check(
                        signature, fieldIndex: index, header: header, digests: digests, keys: keys, now: now,
                        configuration: configuration))
            }
        }
        return DKIMSignatureResult.abbreviatingSignatures(results)
    }

    // MARK: One signature

    /// One signature of `header` (the field at `fieldIndex`) checked against the body digests and
    /// the keys looked up (RFC 6376 §6.1); also how an ARC-Message-Signature is checked (RFC 8617
    /// §5.2 step 4).
    static func check(
        _ signature: DKIMSignature, fieldIndex: Int, header: DKIMMessageHeader,
        digests: [DKIMCanonicalization: DKIMBodyDigests], keys: [String: DKIMKeyLookup], now: Int64,
        configuration: DKIMVerifierConfiguration
    ) -> DKIMSignatureResult {
        var report = DKIMSignatureResult(
            result: .permerror, domain: signature.domain, selector: signature.selector, identity: signature.identity,
            algorithm: signature.algorithm.rawValue, signature: signature.signatureText)
        func outcome(_ result: DKIMResult, _ reason: String?) -> DKIMSignatureResult {
            report.result = result
            report.reason = reason
            return report
        }
        if isExpired(signature, now: now) {
            return outcome(.permerror, "signature expired (x=\(signature.expiration ?? 0))")
        }
        let record: DKIMKeyRecord
        let key: DKIMPublicKey
        switch DKIMKeyLookup.key(keys[signature.keyName], algorithm: signature.algorithm, configuration: configuration) {
        case .success(let found): (record, key) = found
        case .failure(let failure): return outcome(failure.result, failure.reason)
        }
        report.testing = record.isTesting
        report.keyBits = key.bits
        // §3.6.1 t=s: the i= domain must be d= itself.
        if record.isStrict, let identity = signature.identity,
            identity.split(separator: "@").last.map({ $0.lowercased() }) != signature.domain
        {
            return outcome(.permerror, "key record t=s requires i= in d= itself")
        }

        // §6.1.3: the body hash, then the header signature.
        guard let body = digests[signature.canonicalization.body] else { return outcome(.temperror, "body not hashed") }
        if let length = signature.bodyLength, length > body.canonicalLength {
            return outcome(.fail, "l=\(length) is longer than the \(body.canonicalLength)-octet body")
        }
        guard body.digest(length: signature.bodyLength) == signature.bodyHash else {
            return outcome(.fail, "body hash did not verify")
        }
        let selected = DKIMHeaderHash.select(signature.signedHeaders, from: header.fields, excluding: fieldIndex)
        let digest = DKIMHeaderHash.digest(
            selected: selected, signatureField: signature.canonicalSignatureField(),
            canonicalization: signature.canonicalization.header)
        guard key.isValid(signature: signature.signature, digest: digest) else {
            return outcome(.fail, "signature did not verify")
        }
        if let length = signature.bodyLength, length < body.canonicalLength, !configuration.acceptPartialBody {
            return outcome(
                .policy, "l=\(length) leaves \(body.canonicalLength - length) of \(body.canonicalLength) body octets unsigned")
        }
        return outcome(.pass, nil)
    }

    /// §3.5 x=: the signature is not valid after that time.
    static func isExpired(_ signature: DKIMSignature, now: Int64) -> Bool {
        signature.expiration.map { $0 < now } ?? false
    }

    // MARK: Reporting

    /// What can be said of a signature that will not be checked: `d=`, `s=`, `a=` and `b=` when
    /// the tag list reads and they look right.
    private static func partialReport(_ field: DKIMHeaderField, configuration: DKIMVerifierConfiguration) -> DKIMSignatureResult {
        var result = DKIMSignatureResult(result: .permerror)
        guard field.raw.count <= configuration.maxSignatureFieldBytes,
            let tags = try? DKIMTagList(parsing: Array(field.value))
        else { return result }
        if let d = tags["d"]?.text, DKIMDomainSyntax.isLabels(d), d.utf8.count <= 253 { result.domain = d.lowercased() }
        if let s = tags["s"]?.text, DKIMDomainSyntax.isLabels(s), s.utf8.count <= 253 { result.selector = s.lowercased() }
        if let a = tags["a"]?.text, let algorithm = DKIMAlgorithm(rawValue: a.lowercased()) {
            result.algorithm = algorithm.rawValue
        }
        if let b = tags["b"]?.compactValue, !b.isEmpty, b.count <= 2048,
            b.allSatisfy({ DKIMTagList.isAlpha($0) || DKIMTagList.isDigit($0) || "+/=".utf8.contains($0) })
        {
            result.signature = String(decoding: b, as: UTF8.self)
        }
        return result
    }
}
