import Foundation

/// Signs messages for one domain with one key (RFC 6376 §5): relaxed/relaxed by default, `t=`
/// always, From oversigned, and the header fields a recipient sees (`defaultHeaderNames`, plus
/// every `List-*` field present).
public struct DKIMSigner: Sendable {
    public let key: DKIMPrivateKey
    /// `d=`, lower-cased.
    public let domain: String
    /// `s=`, lower-cased.
    public let selector: String
    public var canonicalization: DKIMCanonicalizations
    /// The fields signed when present, in `h=` order.
    public var headerNames: [String]
    /// Fields named once more than they occur (§8.15), so that adding one breaks the signature.
    public var oversignedNames: Set<String>
    /// `i=`, when the signer vouches for a particular user (§3.5).
    public var identity: String?
    /// When set, `x=` is `t=` plus this many seconds.
    public var validity: Int64?
    /// Whether to write `l=` (the whole body's length); off by default, as `l=` lets others append.
    public var signsBodyLength: Bool

    /// From, the recipients, subject, date, threading and MIME fields (§5.4.1 "SHOULD be signed").
    public static let defaultHeaderNames = [
        "from", "to", "cc", "subject", "date", "message-id", "reply-to", "in-reply-to", "references", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    public init(
        key: DKIMPrivateKey, domain: String, selector: String, canonicalization: DKIMCanonicalizations = .relaxed,
        headerNames: [String] = DKIMSigner.defaultHeaderNames, oversignedNames: Set<String> = ["from"],
        identity: String? = nil, validity: Int64? = nil, signsBodyLength: Bool = false
    ) throws(DKIMSigningError) {
        do throws(DKIMSyntaxError) {
            self.domain = try DKIMDomainSyntax.domain(domain, tag: "d").lowercased()
            self.selector = try DKIMDomainSyntax.selector(selector).lowercased()
            guard (self.selector + "._domainkey." + self.domain).utf8.count <= 253 else {
                throw DKIMSyntaxError("selector and domain make a DNS name over 253 octets")
            }
        } catch {
            throw DKIMSigningError(error.description)
        }
        if let identity {
            let identityDomain = identity.split(separator: "@", omittingEmptySubsequences: false).last.map { $0.lowercased() }
            guard identity.contains("@"), let identityDomain,
                identityDomain == self.domain || identityDomain.hasSuffix("." + self.domain)
            else { throw DKIMSigningError("i=\(identity) is not within d=\(self.domain)") }
        }
        self.key = key
        self.canonicalization = canonicalization
        // §5.4: From is always signed.
        let names = headerNames.map { $0.lowercased() }
        self.headerNames = names.contains("from") ? names : ["from"] + names
        self.oversignedNames = Set(oversignedNames.map { $0.lowercased() })
        self.identity = identity
        self.validity = validity
        self.signsBodyLength = signsBodyLength
    }

    /// The `h=` list for `header` (§5.4): each wanted name as often as it occurs, oversigned
    /// names once more, then every `List-*` field present.
    public func signedHeaderNames(for header: DKIMMessageHeader) -> [String] {
        var counts: [String: Int] = [:]
        var listFields: [String] = []
        for field in header.fields where !field.name.isEmpty {
            counts[field.name, default: 0] += 1
            if field.name.hasPrefix("list-") && !listFields.contains(field.name) && !headerNames.contains(field.name) {
                listFields.append(field.name)
            }
        }
        var names: [String] = []
        var seen: Set<String> = []
        for name in headerNames + listFields where seen.insert(name).inserted {
            let count = (counts[name] ?? 0) + (oversignedNames.contains(name) ? 1 : 0)
            names += repeatElement(name, count: count)
        }
        return names
    }

    /// The `DKIM-Signature:` field (folded, ending with CRLF) to put on top of `message` (CRLF
    /// line ends). `time` is `t=`, in seconds since 1970.
    public func sign(message: [UInt8], time: Int64) throws(DKIMSigningError) -> String {
        let header = DKIMMessageHeader(parsing: message)
        var body = DKIMBodyHasher(canonicalization: canonicalization.body)
        var offset = header.bodyOffset
        while offset < message.count {
            let end = min(offset + DKIMVerifier.chunkSize, message.count)
            body.update(message[offset..<end])
            offset = end
        }
        return try signatureField(header: header, body: body.finish(), time: time)
    }

    /// The `DKIM-Signature:` field for a message whose header is `header` and whose body, hashed
    /// with `canonicalization.body` over its whole length, gave `body`.
    public func signatureField(header: DKIMMessageHeader, body: DKIMBodyDigests, time: Int64) throws(DKIMSigningError)
        -> String
    {
        // RFC 5322 §3.6: exactly one From; §5.4: it must be signed.
        let fromCount = header.fields.filter { $0.name == "from" }.count
        guard fromCount == 1 else { throw DKIMSigningError("the message has \(fromCount) From fields, not one") }
        guard let bodyHash = body.digest() else { throw DKIMSigningError("the body was not hashed") }
        let names = signedHeaderNames(for: header)

        var field = DKIMFieldFolder(name: "DKIM-Signature:")
        field.add("v=1;")
        field.add("a=\(key.algorithm.rawValue);")
        field.add("c=\(canonicalization);")
        field.add("d=\(domain);")
        field.add("s=\(selector);")
        field.add("t=\(time);")
        if let validity { field.add("x=\(time + validity);") }
        if let identity { field.add("i=\(identity);") }
        if signsBodyLength { field.add("l=\(body.canonicalLength);") }
        for (index, name) in names.enumerated() {
            let last = index == names.count - 1
            field.add((index == 0 ? "h=" : "") + name + (last ? ";" : ":"), spaced: index == 0)
        }
        field.add("bh=\(base64(bodyHash));")
        field.add("b=")

        // §3.7: the header hash covers this field with an empty b=; the value is folded in after.
        let unsigned = Array(field.text.utf8)
        var canonical = DKIMHeaderField(raw: unsigned + [0x0D, 0x0A]).canonical(canonicalization.header)
        canonical.removeLast(2)
        let selected = DKIMHeaderHash.select(names, from: header.fields)
        let digest = DKIMHeaderHash.digest(
            selected: selected, signatureField: canonical, canonicalization: canonicalization.header)
        let signature: [UInt8]
        do { signature = try key.sign(digest: digest) } catch { throw DKIMSigningError(error.description) }
        field.addUnspaced(base64(signature))
        return field.text + "\r\n"
    }

    private func base64(_ octets: [UInt8]) -> String { Data(octets).base64EncodedString() }
}

/// Why a message could not be signed.
public struct DKIMSigningError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Builds a header field folded before 78 columns (RFC 5322 §2.1.1): tokens are separated by a
/// space, or start a continuation line when they would not fit.
struct DKIMFieldFolder {
    private(set) var text: String
    private var column: Int
    static let width = 78

    init(name: String) {
        text = name
        column = name.utf8.count
    }

    /// Adds `token`, after a space unless `spaced` is false (then directly, if it fits).
    mutating func add(_ token: String, spaced: Bool = true) {
        let length = token.utf8.count
        if column + (spaced ? 1 : 0) + length > Self.width {
            text += "\r\n "
            column = 1
        } else if spaced {
            text += " "
            column += 1
        }
        text += token
        column += length
    }

    /// Adds `value` directly, breaking it wherever the line is full (for base64, where folding
    /// white space may go anywhere, §3.5).
    mutating func addUnspaced(_ value: String) {
        var rest = Substring(value)
        while !rest.isEmpty {
            if column >= Self.width {
                text += "\r\n "
                column = 1
            }
            let piece = rest.prefix(Self.width - column)
            text += piece
            column += piece.utf8.count
            rest = rest.dropFirst(piece.count)
        }
    }
}
