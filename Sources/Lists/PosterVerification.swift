import Core
import MIME

/// Whether a post's author address is really the author's, before an owner or moderator
/// address lets it past moderation: a From: field alone is anyone's to write. Two proofs count,
/// both written by this host (never by the sender):
/// - the message came in by authenticated submission (SMTP AUTH, RFC 3848 `…A` in the
///   `with` clause of this host's `Received:` field, or webmail), where `From:` ownership is
///   enforced;
/// - this host's `Authentication-Results` (RFC 8601) says `dmarc=pass` for the author's domain,
///   so the From: domain is aligned with SPF or DKIM (RFC 9989).
public enum PosterVerification {
    /// `addedFields`: the fields this host put above the spool file; `spool`: the message as
    /// received with this host's `Received:` field first.
    public static func isVerified(author: MailAddress, addedFields: String, spool: [UInt8], hostname: String) -> Bool {
        if MIMEMessage(Array(addedFields.utf8) + [13, 10]).header.fields(named: "Authentication-Results").contains(where: {
            dmarcPasses($0.value, authservID: hostname, domain: author.domain)
        }) {
            return true
        }
        guard let received = MIMEMessage(spool).header.fields.first, received.hasName("Received") else { return false }
        return isAuthenticatedSubmission(received.value, hostname: hostname)
    }

    /// RFC 8601 §2.2: `authserv-id; … dmarc=pass … header.from=domain`.
    static func dmarcPasses(_ value: String, authservID: String, domain: String) -> Bool {
        let clauses = unfold(value).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = clauses.first, first.split(separator: " ").first?.lowercased() == authservID.lowercased() else {
            return false
        }
        return clauses.dropFirst().contains { clause in
            let words = clause.lowercased().split(separator: " ")
            return words.first == "dmarc=pass" && words.contains { $0 == "header.from=\(domain.lowercased())" }
        }
    }

    /// `Received: from … by HOST (Posta) with ESMTPSA id …`: an RFC 3848 protocol ending in `A`,
    /// or webmail's `HTTPS`.
    static func isAuthenticatedSubmission(_ value: String, hostname: String) -> Bool {
        let words = unfold(value).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let by = words.firstIndex(of: "by"), by + 3 < words.count, words[by + 1].lowercased() == hostname.lowercased(),
            words[by + 2] == "(Posta)", words[by + 3] == "with", by + 4 < words.count
        else { return false }
        let name = words[by + 4].uppercased()
        return name == "HTTPS" || (name.hasSuffix("A") && (name.contains("SMTP") || name.contains("LMTP")))
    }

    static func unfold(_ value: String) -> String {
        let scalars = value.unicodeScalars.map { $0 == "\r" || $0 == "\n" || $0 == "\t" ? " " : $0 }
        return String(String.UnicodeScalarView(scalars))
    }
}
