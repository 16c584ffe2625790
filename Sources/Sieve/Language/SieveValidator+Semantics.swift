/// Per-command checks of constant arguments, done at compile time so that errors show up when the
/// script is uploaded (strings with variable references are checked at run time instead).
extension SieveValidator {
    /// RFC 5228 §5.1: the header fields the address test may look at.
    static let addressHeaders: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc",
        "resent-bcc", "resent-reply-to", "return-path", "delivered-to", "errors-to", "x-original-to", "envelope-to",
        "disposition-notification-to", "original-recipient", "x-envelope-from", "x-envelope-to", "mail-followup-to",
        "mail-reply-to", "return-receipt-to",
    ]

    private func isConstant(_ string: String) -> Bool { !(has("variables") && string.contains("${")) }

    mutating func checkSemantics(_ call: SieveCall) {
        let at = call.position
        switch call.name {
        case "set":
            // RFC 5229 §4: the variable name; RFC 6609 §3.5: or a "global." one.
            if !Self.isSettableVariable(call.string(0), globals: has("include")) {
                report(at, "invalid variable name '\(call.string(0))'")
            }
        case "global":
            // RFC 6609 §3.4: global needs variables too.
            if !has("variables") { report(at, "the global command requires the \"variables\" extension") }
            for name in call.strings(0) where !SieveASCII.isIdentifier(name) {
                report(at, "invalid variable name '\(name)'")
            }
        case "setflag", "addflag", "removeflag", "hasflag":
            for name in call.argument(0)?.strings ?? [] where !Self.isSettableVariable(name, globals: has("include")) {
                report(at, "invalid variable name '\(name)'")
            }
            if call.argument(0) != nil, !has("variables") {
                report(at, "a variable argument to \(call.name) requires the \"variables\" extension")
            }
        case "redirect":
            let address = call.string(0)
            if isConstant(address), SieveAddress.parseMailbox(address) == nil {
                report(at, "specified redirect address '\(address)' is invalid")
            }
        case "envelope":
            // RFC 5228 §5.4: "from" and "to" (and RFC 5228 allows others; "auth" as Pigeonhole).
            for part in call.strings(0) where isConstant(part) && !["from", "to", "auth"].contains(part.lowercased()) {
                report(at, "specified envelope part '\(part)' is not supported by the envelope test")
            }
        case "address":
            for name in call.strings(0) where isConstant(name) {
                if !Self.addressHeaders.contains(name.lowercased()) {
                    report(at, "specified header '\(name)' is not allowed for the address test")
                }
            }
        case "size":
            // RFC 5228 §5.9: one of :over and :under is required.
            if !call.has("over"), !call.has("under") { report(at, "the size test requires either :over or :under") }
        // Unknown date parts and zones only earn Pigeonhole a warning; here the test is false at run time
        // (RFC 5260 §4.1), and odd header names in header/exists simply never match.
        case "vacation":
            if let from = call.tags["from"]?.string, isConstant(from), SieveAddress.parseMailbox(from) == nil {
                report(at, "specified :from address '\(from)' is invalid")
            }
        case "addheader", "deleteheader":
            let name = call.string(0)
            if isConstant(name), !SieveASCII.isFieldName(name) {
                report(at, "specified field name '\(name)' is invalid")
            }
        case "include":
            // RFC 6609 §3.2: a script name is a plain name, never a path.
            let name = call.string(0)
            if name.isEmpty || name.contains("/") { report(at, "invalid script name '\(name)'") }
        default:
            break
        }
    }

    static func isSettableVariable(_ name: String, globals: Bool) -> Bool {
        if globals, name.lowercased().hasPrefix("global.") { return SieveASCII.isIdentifier(name.dropFirst(7)) }
        return SieveASCII.isIdentifier(name)
    }

    private mutating func report(_ at: SievePosition, _ message: String) {
        appendDiagnostic(at.error(message))
    }
}
