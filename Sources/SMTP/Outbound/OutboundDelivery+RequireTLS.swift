import Core
import Foundation
import Queue

extension OutboundDelivery {
    /// What the message itself asks of TLS (RFC 8689).
    enum TLSRequest: Hashable, Sendable {
        case none
        /// MAIL carried REQUIRETLS (§4.1): authenticated TLS all the way, or a bounce (5.7.10).
        case required
        /// The header field `TLS-Required: No` (§5): deliver even where the recipient domain's
        /// TLS policy (DANE, MTA-STS) would refuse; ignored when REQUIRETLS is also set.
        case optional

        /// The domain's TLS choice as the message wants it: REQUIRETLS makes a relay's TLS
        /// required (it is always verified); `TLS-Required: No` makes an MX's TLS opportunistic.
        func adjust(_ choice: OutboundDelivery.TLSChoice, relay: Bool) -> OutboundDelivery.TLSChoice {
            switch self {
            case .none: choice
            case .required: relay ? OutboundDelivery.TLSChoice(policy: .required, verified: true) : choice
            case .optional: relay ? choice : OutboundDelivery.TLSChoice(policy: .opportunistic, verified: false)
            }
        }
    }

    /// Which kind the last problem of a delivery was: it chooses the final outcome.
    enum ProblemKind: Hashable, Sendable {
        case connection
        /// DANE refused every host (mismatch, failed TLSA lookup): `451 4.7.5` (RFC 7672 §2.2).
        case dane
        /// No host could take a REQUIRETLS message: it bounces, `550 5.7.10` (RFC 8689 §5).
        case requireTLS

        func outcome(_ problem: String) -> DeliveryOutcome {
            switch self {
            case .connection: .deferred(DeliveryReply(451, .init(4, 4, 1), problem))
            case .dane: .deferred(DeliveryReply(451, .init(4, 7, 5), problem))
            case .requireTLS: .failed(DeliveryReply(550, .init(5, 7, 10), problem))
            }
        }
    }

    /// The header section is read at most this far for `TLS-Required`.
    static let maxHeaderScan = 64 * 1024

    /// REQUIRETLS from the envelope, else `TLS-Required: No` from the message's header section.
    func tlsRequest(of message: OutboundMessage) async -> TLSRequest {
        if message.requireTLS { return .required }
        let path = message.spoolPath
        let head = await Task.detached { () -> [UInt8] in
            guard let file = FileHandle(forReadingAtPath: path) else { return [] }
            defer { try? file.close() }
            return Array((try? file.read(upToCount: Self.maxHeaderScan)) ?? Data())
        }.value
        return Self.saysTLSRequiredNo(Array(message.headers.utf8) + head) ? .optional : .none
    }

    /// RFC 8689 §5: `TLS-Required: No` (field name and value case-insensitive, folding and
    /// surrounding white space allowed) in the header section (up to the first empty line).
    static func saysTLSRequiredNo(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var fields: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1] += line
            } else {
                fields.append(String(line))
            }
        }
        return fields.contains { field in
            guard let colon = field.firstIndex(of: ":") else { return false }
            let name = field[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
            return name == "tls-required" && value == "no"
        }
    }
}

extension SMTPDeliveryResult {
    /// The client session refused the transaction itself because the server cannot keep a
    /// REQUIRETLS promise (no TLS, no REQUIRETLS keyword): a final answer, not "try elsewhere".
    var refusedForRequireTLS: Bool {
        !recipients.isEmpty
            && recipients.allSatisfy { !$0.fromServer && $0.outcome.reply.enhancedStatus == .init(5, 7, 10) }
    }
}
