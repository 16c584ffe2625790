import Queue

/// The actions of every script that ran for one delivery, merged: filings (each mailbox once),
/// redirects, at most one vacation reply, a reject; whether the implicit keep survived.
struct SieveOutcome {
    /// Explicit keeps (`nil` mailbox: where the delivery would go) and fileintos, in order.
    var filings: [(mailbox: String?, flags: [String], create: Bool)] = []
    var redirects: [String] = []
    var vacation: SieveVacation?
    var reject: (reason: String, extended: Bool)?
    /// RFC 5228 §2.10.2: any script's fileinto, redirect, discard or reject cancels it.
    var keepCancelled = false
    var implicitKeepFlags: [String] = []
    var headerEdits: [SieveHeaderEdit] = []
    var duplicates: [SieveDuplicateID] = []

    mutating func merge(_ result: SieveResult) {
        // The run's own implicit keep (its last `.keep`) is decided over all scripts here.
        let explicit = result.implicitKeep ? result.actions.dropLast() : result.actions[...]
        for action in explicit {
            switch action {
            case .keep(let flags):
                add(nil, flags: flags, create: false)
            case .fileinto(let mailbox, let flags, let create):
                add(mailbox, flags: flags, create: create)
            case .redirect(let address):
                if !redirects.contains(where: { $0.lowercased() == address.lowercased() }) { redirects.append(address) }
            case .discard:
                break
            case .reject(let reason, let extended):
                reject = reject ?? (reason, extended)
            case .vacation(let reply):
                vacation = vacation ?? reply
            }
        }
        if result.implicitKeep {
            implicitKeepFlags = result.implicitKeepFlags
        } else {
            keepCancelled = true
        }
        headerEdits += result.headerEdits
        duplicates += result.duplicateIDs
    }

    /// RFC 5228 §2.10.3: the same mailbox twice is one copy (its flags merged).
    private mutating func add(_ mailbox: String?, flags: [String], create: Bool) {
        func same(_ a: String?, _ b: String?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case (let a?, let b?): a == b || (a.uppercased() == "INBOX" && b.uppercased() == "INBOX")
            default: false
            }
        }
        if let index = filings.firstIndex(where: { same($0.mailbox, mailbox) }) {
            for flag in flags where !filings[index].flags.contains(flag) { filings[index].flags.append(flag) }
            filings[index].create = filings[index].create || create
        } else {
            filings.append((mailbox, flags, create))
        }
    }

    /// Where copies go: the explicit filings and, unless cancelled, the implicit keep (`keep`
    /// is the delivery's own mailbox).
    func localFilings(keep: String) -> [LocalFiling] {
        var result: [LocalFiling] = []
        var all = filings
        if !keepCancelled { all.append((nil, implicitKeepFlags, false)) }
        for filing in all {
            let mailbox = filing.mailbox ?? keep
            if let index = result.firstIndex(where: { $0.mailbox == mailbox }) {
                for flag in filing.flags where !result[index].flags.contains(flag) { result[index].flags.append(flag) }
            } else {
                result.append(LocalFiling(mailbox: mailbox, flags: filing.flags, create: filing.create))
            }
        }
        return result
    }
}

extension SieveResult {
    /// A run that did not happen (the script could not be compiled any more): like a runtime
    /// error, the message is kept.
    static func failed(_ error: String) -> SieveResult { SieveResult(runtimeError: error) }
}
