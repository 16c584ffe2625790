/// The `_mta-sts.<domain>` TXT record (RFC 8461 §3.1), which says that a domain has a policy and
/// names its version (`id`): a sender refetches the policy when the id changes.
///
/// ```
/// sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
/// sts-version     = %s"v=STSv1"
/// sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
/// sts-sep         = *WSP %x3B *WSP
/// sts-extension   = sts-ext-name "=" sts-ext-value
/// ```
public struct MTASTSRecord: Sendable, Hashable {
    /// The policy's version identifier, 1 to 32 letters and digits.
    public var id: String
    /// Extension fields after the version, in record order (ignored by this version, §3.1).
    public var extensions: [MTASTSField]

    public init(id: String, extensions: [MTASTSField] = []) {
        self.id = id
        self.extensions = extensions
    }

    /// The name of the TXT record of `domain` (RFC 8461 §3.1).
    public static func name(for domain: String) -> String { "_mta-sts." + domain }

    /// The record text as published: `v=STSv1; id=<id>;`.
    public var text: String { "v=STSv1; id=\(id);" }

    /// Parses one TXT record; nil when it is not a syntactically valid STSv1 record.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 1024 else { return nil }
        var fields: [MTASTSField] = []
        var index = 0
        func skipWSP() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        // Fields separated by `;`, the version first (its prefix is checked by the caller's selection
        // too); a trailing separator is allowed.
        var first = true
        while index < bytes.count {
            if !first {
                skipWSP()
                guard index < bytes.count, bytes[index] == 0x3B else { return nil }
                index += 1
                skipWSP()
                if index == bytes.count { break }  // [sts-sep] at the end
            }
            first = false
            let nameStart = index
            while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            guard let lead = name.utf8.first, lead.isASCIILetterOrDigit, name.utf8.count <= 32, index < bytes.count,
                bytes[index] == 0x3D
            else { return nil }
            index += 1
            let valueStart = index
            // sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable, no `;` and no `=`.
            while index < bytes.count, Self.isValueByte(bytes[index]) { index += 1 }
            guard index > valueStart else { return nil }
            fields.append(MTASTSField(name: name, value: String(decoding: bytes[valueStart..<index], as: UTF8.self)))
        }
        // RFC 8461 §3.1: the version comes first, exactly `v=STSv1` (case-sensitive, %s).
        guard let version = fields.first, version.name == "v", version.value == "STSv1" else { return nil }
        let ids = fields.filter { $0.name == "id" }
        guard ids.count == 1, let id = ids.first?.value, (1...MTASTSLimits.maxIDLength).contains(id.utf8.count),
            id.utf8.allSatisfy({ $0.isASCIILetterOrDigit })
        else { return nil }
        self.id = id
        self.extensions = fields.dropFirst().filter { $0.name != "id" }
    }

    /// The domain's record among the TXT records at `_mta-sts.<domain>` (RFC 8461 §3.1): records
    /// that do not begin with `v=STSv1;` are discarded; unless exactly one is left and it is valid,
    /// the domain has no available policy (nil).
    public static func select(_ texts: [String]) -> MTASTSRecord? {
        let candidates = texts.filter { $0.hasPrefix("v=STSv1;") || $0 == "v=STSv1" }
        guard candidates.count == 1 else { return nil }
        return MTASTSRecord(candidates[0])
    }

    // sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte.isASCIILetterOrDigit || byte == 0x5F || byte == 0x2D || byte == 0x2E
    }

    private static func isValueByte(_ byte: UInt8) -> Bool {
        (0x21...0x3A).contains(byte) || byte == 0x3C || (0x3E...0x7E).contains(byte)
    }
}

extension UInt8 {
    var isASCIILetterOrDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}

/// A `name=value` (TXT record) or `name: value` (policy file) field that this version of MTA-STS
/// does not define.
public struct MTASTSField: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
