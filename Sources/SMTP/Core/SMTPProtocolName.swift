/// The `with` protocol name of a `Received:` field: RFC 3848 §3 (ESMTPA, ESMTPS, ESMTPSA, LMTPA,
/// LMTPS, LMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP, UTF8SMTPA, UTF8SMTPS, UTF8SMTPSA, UTF8LMTP, …).
public enum SMTPProtocolName {
    public enum Greeting: Sendable, Hashable {
        case helo
        case ehlo
        case lhlo
    }

    public static func make(greeting: Greeting, smtpUTF8: Bool, tls: Bool, authenticated: Bool) -> String {
        let base: String
        switch greeting {
        case .helo: return "SMTP"  // plain RFC 5321 HELO: no extensions, no suffixes are defined
        case .ehlo: base = smtpUTF8 ? "UTF8SMTP" : "ESMTP"
        case .lhlo: base = smtpUTF8 ? "UTF8LMTP" : "LMTP"
        }
        return base + (tls ? "S" : "") + (authenticated ? "A" : "")
    }
}
