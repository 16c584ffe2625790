import DNS

/// The key record found for a signature's `s=` and `d=` (RFC 6376 §6.1.2), or why there is none;
/// what DKIM signatures, ARC-Message-Signatures and ARC-Seals (RFC 8617 §5.1) are checked with.
enum DKIMKeyLookup: Sendable {
    case record(DKIMKeyRecord)
    case failure(DKIMResult, String)

    /// Why a signature has no key to check it with, as a result and a reason.
    struct Failure: Error {
        var result: DKIMResult
        var reason: String
    }

    /// Every name of `names` looked up at once, each once.
    static func lookUp(
        _ names: Set<String>, dns: any DKIMDNS, configuration: DKIMVerifierConfiguration
    ) async -> [String: DKIMKeyLookup] {
        await withTaskGroup(of: (String, DKIMKeyLookup).self) { group in
            for name in names {
                group.addTask { (name, await lookUp(name, dns: dns, configuration: configuration)) }
            }
            var keys: [String: DKIMKeyLookup] = [:]
            for await (name, lookup) in group { keys[name] = lookup }
            return keys
        }
    }

    /// §6.1.2: a lookup without an answer is a temporary failure; no record, or none that
    /// parses, is a permanent one. Of several records the first that parses is used (§3.6.2.2
    /// leaves the choice open); at most 10 are read.
    static func lookUp(_ name: String, dns: any DKIMDNS, configuration: DKIMVerifierConfiguration) async -> DKIMKeyLookup {
        let answer: DNSResult<[String]>
        do {
            answer = try await dns.txt(name)
        } catch {
            return .failure(.temperror, "key lookup failed: \(error)")
        }
        guard case .found(let texts) = answer else { return .failure(.permerror, "no key record at \(name)") }
        var problem: String?
        for text in texts.prefix(10) {
            guard text.utf8.count <= configuration.maxKeyRecordBytes else {
                problem = problem ?? "key record over \(configuration.maxKeyRecordBytes) octets"
                continue
            }
            do {
                return .record(try DKIMKeyRecord(parsing: text))
            } catch {
                problem = problem ?? "key record: \(error.description)"
            }
        }
        return .failure(.permerror, problem ?? "no key record at \(name)")
    }

    /// The record of `lookup` and its key for `algorithm`, within the configured key sizes; a
    /// name that was not looked up is a `temperror`.
    static func key(
        _ lookup: DKIMKeyLookup?, algorithm: DKIMAlgorithm, configuration: DKIMVerifierConfiguration
    ) -> Result<(DKIMKeyRecord, DKIMPublicKey), Failure> {
        switch lookup {
        case .record(let record):
            do {
                let key = try DKIMPublicKey(
                    record: record, algorithm: algorithm, minimumRSABits: configuration.minimumRSABits,
                    maximumRSABits: configuration.maximumRSABits)
                return .success((record, key))
            } catch {
                return .failure(Failure(result: .permerror, reason: error.description))
            }
        case .failure(let result, let reason): return .failure(Failure(result: result, reason: reason))
        case nil: return .failure(Failure(result: .temperror, reason: "key not looked up"))
        }
    }
}
