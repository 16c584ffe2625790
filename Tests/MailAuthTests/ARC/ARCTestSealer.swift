import Crypto
import Foundation

@testable import MailAuth

/// Adds ARC Sets to test messages (RFC 8617 §5.1), as an intermediary would, so that chains of
/// any length and state can be made here. Posta itself does not seal; this lives in the tests.
struct ARCTestSealer {
    var key: DKIMPrivateKey
    var domain: String
    var selector = "arc"

    /// `message` with a new ARC Set on top: its instance one above the newest present, `cv` as
    /// given (by default what the chain's state calls for: none for the first, pass after).
    func seal(_ message: [UInt8], cv: ARCChainStatus? = nil, signedHeaders: [String] = ["from", "to", "subject"]) throws
        -> [UInt8]
    {
        let header = DKIMMessageHeader(parsing: message)
        let instance = header.fields.filter { $0.name == "arc-seal" }.count + 1
        let status = cv ?? (instance == 1 ? .none : .pass)
        let results = field("ARC-Authentication-Results: i=\(instance); \(domain); dkim=pass header.d=\(domain)")

        var hasher = DKIMBodyHasher(canonicalization: .relaxed)
        hasher.update(message[header.bodyOffset...])
        let bodyHash = Data(hasher.finish().digest() ?? []).base64EncodedString()
        let amsText =
            "ARC-Message-Signature: i=\(instance); a=\(key.algorithm); c=relaxed/relaxed; d=\(domain); s=\(selector); "
            + "h=\(signedHeaders.joined(separator: ":")); bh=\(bodyHash); b="
        let selected = DKIMHeaderHash.select(signedHeaders, from: header.fields)
        let ams = try signed(amsText, over: selected)

        // The seal covers every earlier set, oldest first, then this one.
        var sets: [DKIMHeaderField] = []
        for earlier in 1..<instance {
            for name in ["arc-authentication-results", "arc-message-signature", "arc-seal"] {
                if let found = header.fields.first(where: { $0.name == name && Self.instance(of: $0) == earlier }) {
                    sets.append(found)
                }
            }
        }
        let sealText = "ARC-Seal: i=\(instance); a=\(key.algorithm); cv=\(status); d=\(domain); s=\(selector); b="
        let seal = try signed(sealText, over: sets + [results, ams])
        return seal.raw + ams.raw + results.raw + message
    }

    /// The TXT record of the sealing key.
    var record: (String, String) { ("\(selector)._domainkey.\(domain)", key.keyRecord) }

    private func field(_ text: String) -> DKIMHeaderField { DKIMHeaderField(raw: Array((text + "\r\n").utf8)) }

    /// `text` (ending in `b=`) completed with the signature over `selected` and itself, relaxed.
    private func signed(_ text: String, over selected: [DKIMHeaderField]) throws -> DKIMHeaderField {
        let unsigned = field(text)
        let own = unsigned.canonicalWithoutValue(unsigned.raw.count - 2..<unsigned.raw.count - 2, .relaxed)
        let digest = DKIMHeaderHash.digest(selected: selected, signatureField: own, canonicalization: .relaxed)
        return field(text + Data(try key.sign(digest: digest)).base64EncodedString())
    }

    static func instance(of field: DKIMHeaderField) -> Int? {
        if field.name == "arc-authentication-results" { return try? ARCInstance.ofResults(field.value) }
        guard let tags = try? DKIMTagList(parsing: Array(field.value)), let i = tags["i"] else { return nil }
        return try? ARCInstance.parse(i.value)
    }
}

enum ARCTestMessage {
    static let plain = Array(
        "From: Ann <ann@author.example>\r\nTo: list@lists.example\r\nSubject: hello\r\n\r\nA body line.\r\n".utf8)

    /// A key made once for all tests (Ed25519: instant to generate).
    static let key = try! DKIMPrivateKey.generate(.ed25519SHA256)
}
