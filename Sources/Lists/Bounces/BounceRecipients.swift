import Core

/// The recipients found so far, bounded and without duplicates; a permanent failure of an address
/// overrides a temporary one (the last word on that recipient is that it failed).
struct BounceRecipients {
    private(set) var permanent: [MailAddress] = []
    private(set) var temporary: [MailAddress] = []
    private var seen: [String: Bool] = [:]  // key → permanent
    let limit: Int
    var truncated = false

    init(limit: Int) { self.limit = limit }

    var isEmpty: Bool { permanent.isEmpty && temporary.isEmpty }

    mutating func add(_ address: MailAddress, permanent isPermanent: Bool) {
        if let wasPermanent = seen[address.key] {
            guard isPermanent, !wasPermanent else { return }
            temporary.removeAll { $0.key == address.key }
            permanent.append(address)
            seen[address.key] = true
            return
        }
        guard seen.count < limit else {
            truncated = true
            return
        }
        seen[address.key] = isPermanent
        if isPermanent { permanent.append(address) } else { temporary.append(address) }
    }

    func report(detector: BounceDetector?) -> BounceReport {
        BounceReport(
            permanent: permanent, temporary: temporary, detector: isEmpty ? nil : detector, truncated: truncated)
    }
}
