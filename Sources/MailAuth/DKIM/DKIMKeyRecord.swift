import Foundation

/// A key record published at `selector._domainkey.domain` (RFC 6376 §3.6.1):
/// `v=DKIM1; k=rsa|ed25519; p=…` with the optional `h=`, `s=` and `t=` tags. Unknown tags are
/// ignored (§3.6.1: "Unrecognized tags MUST be ignored").
public struct DKIMKeyRecord: Sendable, Hashable {
    /// `k=`, lower-cased; `rsa` when absent.
    public var keyType: String
    /// `p=`, decoded; empty when the key has been revoked.
    public var publicKey: [UInt8]
    /// `h=`: the hash algorithms the key may be used with; nil when absent (any).
    public var hashAlgorithms: [String]?
    /// `s=`: the service types; `*` when absent.
    public var serviceTypes: [String]
    /// `t=`: the flags, lower-cased (`y`: the domain is testing DKIM, `s`: `i=` must be exactly `d=`).
    public var flags: [String]

    public var isTesting: Bool { flags.contains("y") }
    public var isStrict: Bool { flags.contains("s") }

    /// Parses a record's text (the TXT record's strings joined, §3.6.2.2).
    public init(parsing text: String) throws(DKIMSyntaxError) {
        let tags = try DKIMTagList(parsing: Array(text.utf8))
        // §3.6.1 v=: if present, "DKIM1" and the first tag; other records are discarded.
        if let version = tags["v"] {
            guard tags.tags.first?.name == "v", version.text == "DKIM1" else {
                throw DKIMSyntaxError("not a DKIM1 key record (v=\(DKIMTagList.printable(version.value)))")
            }
        }
        keyType = tags["k"].map { $0.text.lowercased() } ?? "rsa"
        guard let p = tags["p"] else { throw DKIMSyntaxError("key record without p=") }
        let compact = p.compactValue
        if compact.isEmpty {
            publicKey = []
        } else {
            guard let data = Data(base64Encoded: Data(compact)) else {
                throw DKIMSyntaxError("p= is not valid base64")
            }
            publicKey = Array(data)
        }
        hashAlgorithms = tags["h"].map(Self.list)
        serviceTypes = tags["s"].map(Self.list) ?? ["*"]
        flags = tags["t"].map(Self.list) ?? []
    }

    /// A colon-separated list, lower-cased, empty items and white space dropped.
    private static func list(_ tag: DKIMTagList.Tag) -> [String] {
        tag.compactValue.split(separator: UInt8(ascii: ":")).map { String(decoding: $0, as: UTF8.self).lowercased() }
    }
}
