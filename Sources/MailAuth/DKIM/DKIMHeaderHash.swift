import Crypto

/// The header hash input of RFC 6376 §3.7, and the field selection of §5.4.2 that feeds it.
enum DKIMHeaderHash {
    /// The fields `names` select, in `names` order: each name takes the lowest field of that name
    /// not taken yet (§5.4.2, "from the bottom of the header field block and moving up"); a name
    /// with no field left selects nothing, which is how a signer oversigns (§8.15). The field at
    /// `excluding` (the signature being verified) is never selected.
    static func select(_ names: [String], from fields: [DKIMHeaderField], excluding: Int? = nil) -> [DKIMHeaderField] {
        let wanted = Set(names)
        var positions: [String: [Int]] = [:]
        for (index, field) in fields.enumerated() where index != excluding && wanted.contains(field.name) {
            positions[field.name, default: []].append(index)
        }
        var selected: [DKIMHeaderField] = []
        for name in names {
            guard let index = positions[name]?.popLast() else { continue }
            selected.append(fields[index])
        }
        return selected
    }

    /// SHA-256 of the selected fields, canonicalized, followed by the signature field itself
    /// (canonicalized, `b=` empty, no final CRLF).
    static func digest(
        selected: [DKIMHeaderField], signatureField: [UInt8], canonicalization: DKIMCanonicalization
    ) -> SHA256Digest {
        var hash = SHA256()
        for field in selected { hash.update(data: field.canonical(canonicalization)) }
        hash.update(data: signatureField)
        return hash.finalize()
    }
}
