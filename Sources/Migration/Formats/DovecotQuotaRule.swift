/// A Dovecot `quota_rule` value as a userdb returns it (`userdb_quota_rule=*:storage=1G` in a passwd-file), read
/// only where it states one storage limit for the whole account.
///
/// Dovecot 2.3 "Quota Configuration", doc.dovecot.org/2.3/configuration_manual/quota/: a rule is
/// `<mailbox>:<limit>=<value>`; `*` is the default rule for the whole quota root; `storage` is in kilobytes unless
/// the value has a `B`, `K`, `M`, `G` or `T` suffix, `bytes` in bytes; `0` is no limit. Mailbox-specific rules
/// (`Trash:storage=+100M`), relative and percent values (`+10M`, `10%`), `messages=` and `ignore` have no Posta
/// equivalent (an account has one storage quota) and are not read.
public enum DovecotQuotaRule {
    /// The extra field names that carry the rule: `userdb_quota_rule` in a passdb-and-userdb passwd-file,
    /// `quota_rule` in a userdb-only one.
    public static let fieldNames: Set<String> = ["userdb_quota_rule", "quota_rule"]

    /// The storage limit in bytes (0 = none), or `nil` when the rule is not `*:storage=N[unit]` or `*:bytes=N[unit]`.
    public static func storageBytes(_ rule: String) -> Int64? {
        guard rule.hasPrefix("*:") else { return nil }
        let limit = rule.dropFirst(2)
        guard let equals = limit.firstIndex(of: "=") else { return nil }
        let key = limit[..<equals].lowercased()
        var value = limit[limit.index(after: equals)...]
        var multiplier: Int64
        switch key {
        case "storage": multiplier = 1024
        case "bytes": multiplier = 1
        default: return nil
        }
        if let last = value.last, !last.isNumber {
            switch last.uppercased() {
            case "B": multiplier = 1
            case "K": multiplier = 1 << 10
            case "M": multiplier = 1 << 20
            case "G": multiplier = 1 << 30
            case "T": multiplier = 1 << 40
            default: return nil
            }
            value = value.dropLast()
        }
        guard let number = ASCII.int64(value) else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
