/// Adding actions under the rules of RFC 5228 §2.10 and the extensions: limits, duplicates collapsed,
/// incompatible actions refused.
extension SieveRun {
    private func fail(_ message: String, _ call: SieveCall) -> SieveRuntimeError {
        SieveRuntimeError(message: message, position: call.position)
    }

    private var hasReject: Bool { actions.contains { if case .reject = $0 { true } else { false } } }

    /// Whether an action delivers or answers (RFC 5429 §2.2: reject cannot be combined with these).
    private func deliversOrResponds(_ action: SieveAction) -> Bool {
        switch action {
        case .keep, .fileinto, .redirect, .vacation, .reject: true
        case .discard: false
        }
    }

    func add(_ action: SieveAction, at call: SieveCall) throws(SieveRuntimeError) {
        // RFC 5429 §2.2: reject/ereject refuse the message, so they cannot go with delivering actions,
        // with a vacation response, nor with another reject (Pigeonhole's behaviour).
        if case .reject = action {
            if actions.contains(where: deliversOrResponds) {
                throw fail("reject action conflicts with an earlier action", call)
            }
        } else if hasReject, deliversOrResponds(action) {
            throw fail("action conflicts with an earlier reject action", call)
        }
        // RFC 5230 §4.7 (and Pigeonhole): one vacation response per run.
        if case .vacation = action, actions.contains(where: { if case .vacation = $0 { true } else { false } }) {
            throw fail("duplicate vacation action", call)
        }
        guard actions.count < limits.maxActions else {
            throw fail("total number of actions exceeds policy limit (\(limits.maxActions))", call)
        }
        actions.append(action)
    }

    /// keep (mailbox nil) and fileinto: RFC 5228 §2.10.3 files a message once per mailbox; a repeated
    /// one keeps the first one's place and sets the flags (the last one's flags win, as in Pigeonhole).
    func addStore(mailbox: String?, flags: [String], create: Bool, copy: Bool, at call: SieveCall) throws(SieveRuntimeError) {
        // RFC 5228 §4.1, RFC 3894 §3: fileinto cancels the implicit keep unless :copy; keep is the keep.
        if mailbox != nil, !copy { implicitKeep = false }
        if let mailbox {
            guard !mailbox.isEmpty, !mailbox.utf8.contains(0) else {
                throw fail("invalid mailbox name '\(mailbox)'", call)
            }
        }
        let isInbox = mailbox.map { $0.caseInsensitiveEquals("INBOX") } ?? true
        for (index, action) in actions.enumerated() {
            switch action {
            case .keep where isInbox:
                actions[index] = .keep(flags: flags)
                return
            case .fileinto(let name, _, let wasCreate)
            where name == mailbox || (isInbox && name.caseInsensitiveEquals("INBOX")):
                actions[index] = .fileinto(mailbox: name, flags: flags, create: wasCreate || create)
                return
            default:
                continue
            }
        }
        if let mailbox {
            try add(.fileinto(mailbox: mailbox, flags: flags, create: create), at: call)
        } else {
            try add(.keep(flags: flags), at: call)
        }
    }

    // RFC 5228 §4.2: redirect to a valid address; the same address only once; at most maxRedirects.
    func addRedirect(_ address: String, copy: Bool, at call: SieveCall) throws(SieveRuntimeError) {
        guard let parsed = SieveAddress.parseMailbox(address) else {
            throw fail("specified redirect address '\(address)' is invalid", call)
        }
        if !copy { implicitKeep = false }
        let normalized = parsed.all
        if actions.contains(.redirect(address: normalized)) { return }
        redirects += 1
        guard redirects <= limits.maxRedirects else {
            throw fail("number of redirect actions exceeds policy limit (\(limits.maxRedirects))", call)
        }
        try add(.redirect(address: normalized), at: call)
    }

    /// Flag lists merged case-insensitively, first spelling kept.
    static func union(_ a: [String], _ b: [String]) -> [String] {
        var result = a
        for flag in b where !result.contains(where: { $0.caseInsensitiveEquals(flag) }) { result.append(flag) }
        return result
    }

    // MARK: RFC 5232 imap4flags

    /// RFC 5232 §3: a flag list is space-separated flags; duplicates (case-insensitive) removed.
    static func parseFlags(_ strings: [String]) -> [String] {
        var flags: [String] = []
        for string in strings {
            for flag in string.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                let flag = String(flag)
                if !flags.contains(where: { $0.caseInsensitiveEquals(flag) }) { flags.append(flag) }
            }
        }
        return flags
    }

    /// RFC 5232 §5: the :flags argument, or the internal variable's flags.
    func flags(_ call: SieveCall) throws(SieveRuntimeError) -> [String] {
        guard let list = call.tags["flags"] else { return internalFlags }
        return Self.parseFlags(try expand(list.strings))
    }

    // RFC 5232 §3.1-3.3.
    func editFlags(_ call: SieveCall) throws(SieveRuntimeError) {
        let variable = call.argument(0)?.string
        var current = variable.map { Self.parseFlags([variableValue($0)]) } ?? internalFlags
        let given = Self.parseFlags(try expand(call.strings(1)))
        switch call.name {
        case "setflag":
            current = given
        case "addflag":
            current = Self.union(current, given)
        default:
            current.removeAll { flag in given.contains { $0.caseInsensitiveEquals(flag) } }
        }
        if let variable {
            try setVariable(variable, current.joined(separator: " "), at: call)
        } else {
            internalFlags = current
        }
    }

    // MARK: RFC 5230 vacation

    func vacation(_ call: SieveCall) throws(SieveRuntimeError) -> SieveVacation {
        let reason = try expand(call.string(0))
        let subject = try call.tags["subject"].map { (value) throws(SieveRuntimeError) in try expand(value.string) }
        let from = try call.tags["from"].map { (value) throws(SieveRuntimeError) in try expand(value.string) }
        if let from, SieveAddress.parseMailbox(from) == nil {
            throw fail("specified :from address '\(from)' is invalid", call)
        }
        let addresses = try expand(call.tags["addresses"]?.strings ?? [])
        let mime = call.has("mime")
        // RFC 5230 §4.1: :days within the site's bounds; RFC 6131 §2: so is :seconds (0 only when the
        // site minimum is 0).
        var seconds = 7 * 86_400
        if let days = call.tags["days"]?.number {
            let (product, overflow) = days.multipliedReportingOverflow(by: 86_400)
            seconds = overflow ? limits.vacationMaxSeconds : product
        } else if let given = call.tags["seconds"]?.number {
            seconds = given
        }
        seconds = min(max(seconds, limits.vacationMinSeconds), limits.vacationMaxSeconds)
        // RFC 5230 §4.2: without :handle, responses with the same reason, subject, from and mime are the same.
        let handle =
            try call.tags["handle"].map { (value) throws(SieveRuntimeError) in try expand(value.string) }
            ?? Self.derivedHandle([reason, subject ?? "", from ?? "", mime ? "mime" : "text"])
        return SieveVacation(
            reason: reason, mime: mime, subject: subject, from: from, addresses: addresses, seconds: seconds, handle: handle)
    }

    /// A stable digest (64-bit FNV-1a, hex) of the parts, length-prefixed so that no two lists collide trivially.
    static func derivedHandle(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in Array("\(part.utf8.count):".utf8) + Array(part.utf8) {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return "vacation-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
