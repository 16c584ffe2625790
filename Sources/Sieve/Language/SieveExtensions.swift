/// The capability strings this implementation knows (RFC 5228 §3.2 `require`; §6 registry).
enum SieveExtensions {
    /// Every extension a script may require.
    static let supported: Set<String> = [
        "fileinto", "reject", "ereject", "envelope", "encoded-character", "imap4flags", "variables", "body", "relational",
        "subaddress", "copy", "date", "index", "mailbox", "vacation", "vacation-seconds", "include", "duplicate",
        "editheader", "spamtest", "spamtestplus", "virustest", "comparator-i;octet", "comparator-i;ascii-casemap",
        "comparator-i;ascii-numeric",
    ]

    /// RFC 6131 §2, RFC 5235 §3: requiring these also provides what they extend.
    static let implied: [String: [String]] = [
        "vacation-seconds": ["vacation"],
        "spamtestplus": ["spamtest"],
    ]
}
