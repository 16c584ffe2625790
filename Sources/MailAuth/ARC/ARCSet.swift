/// One ARC Set (RFC 8617 §4.1): the three header fields an intermediary added, sharing one `i=`.
public struct ARCSet: Sendable, Hashable {
    public var instance: Int { seal.instance }
    /// `ARC-Authentication-Results` (§4.1.1): what the intermediary found.
    public var results: DKIMHeaderField
    /// `ARC-Message-Signature` (§4.1.2): a DKIM signature of the message as it left the intermediary.
    public var messageSignature: DKIMSignature
    /// Where the ARC-Message-Signature lies among the message's header fields.
    var messageSignatureIndex: Int
    /// `ARC-Seal` (§4.1.3).
    public var seal: ARCSeal
}

/// The ARC Sets of a message read and checked for structure (RFC 8617 §5.2 steps 1–3), before
/// any key is looked up.
enum ARCChain: Sendable {
    /// No ARC header field at all.
    case none
    /// Broken before any signature is checked: why.
    case broken(String)
    /// Sets `1...N`, in order.
    case sets([ARCSet])

    static let names: Set<String> = ["arc-seal", "arc-message-signature", "arc-authentication-results"]

    /// Reads the ARC Sets of `header`. Bounded: more than 3 × 50 ARC fields, or a field over
    /// `maxSignatureFieldBytes`, breaks the chain before anything is parsed.
    init(header: DKIMMessageHeader, configuration: DKIMVerifierConfiguration) {
        let fields = header.fields.enumerated().filter { Self.names.contains($0.element.name) }
        guard !fields.isEmpty else {
            self = .none
            return
        }
        guard fields.count <= 3 * ARCInstance.maximum else {
            self = .broken(
                "\(fields.count) ARC header fields: more than \(ARCInstance.maximum) ARC Sets (RFC 8617 section 4.2.1)")
            return
        }
        if let large = fields.first(where: { $0.element.raw.count > configuration.maxSignatureFieldBytes }) {
            self = .broken("\(large.element.name) field over \(configuration.maxSignatureFieldBytes) octets")
            return
        }
        var seals: [Int: ARCSeal] = [:]
        var signatures: [Int: (DKIMSignature, Int)] = [:]
        var results: [Int: DKIMHeaderField] = [:]
        do throws(DKIMSyntaxError) {
            for (index, field) in fields {
                // §5.2 step 3: exactly one field of each kind per instance.
                let duplicate: Bool
                switch field.name {
                case "arc-seal":
                    let seal = try ARCSeal(parsing: field)
                    duplicate = seals.updateValue(seal, forKey: seal.instance) != nil
                case "arc-message-signature":
                    let signature = try DKIMSignature(
                        parsing: field, kind: .arcMessageSignature, maxSignedHeaders: configuration.maxSignedHeaders)
                    let instance = signature.instance ?? 0
                    duplicate = signatures.updateValue((signature, index), forKey: instance) != nil
                default:
                    let instance = try ARCInstance.ofResults(field.value)
                    duplicate = results.updateValue(field, forKey: instance) != nil
                }
                if duplicate { throw DKIMSyntaxError("two \(field.name) fields with the same i=") }
            }
        } catch {
            self = .broken(error.description)
            return
        }
        // §5.2 step 3: instances 1...N, each complete; cv=none for the first, pass for the others.
        let newest = seals.keys.max() ?? 0
        var sets: [ARCSet] = []
        for instance in 1...max(newest, 1) {
            guard let seal = seals[instance], let (signature, index) = signatures[instance], let result = results[instance]
            else {
                self = .broken("ARC Set i=\(instance) is missing or incomplete")
                return
            }
            let expected: ARCChainStatus = instance == 1 ? .none : .pass
            guard seal.chainValidation == expected || (instance == newest && seal.chainValidation == .fail) else {
                self = .broken("ARC-Seal i=\(instance) has cv=\(seal.chainValidation), not cv=\(expected)")
                return
            }
            sets.append(ARCSet(results: result, messageSignature: signature, messageSignatureIndex: index, seal: seal))
        }
        guard signatures.count == sets.count, results.count == sets.count else {
            self = .broken("ARC fields with i= above the newest ARC-Seal (i=\(newest))")
            return
        }
        // §5.2 step 2: a sealer that found the chain broken says so, and it stays broken.
        if sets[sets.count - 1].seal.chainValidation == .fail {
            self = .broken("the newest ARC-Seal (i=\(newest)) says cv=fail")
            return
        }
        self = .sets(sets)
    }
}
