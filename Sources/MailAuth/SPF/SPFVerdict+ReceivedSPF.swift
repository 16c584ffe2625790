extension SPFVerdict {
    /// The `Received-SPF` header field (RFC 7208 §9.1), without the trailing CRLF: the result,
    /// a comment in words, and the key-value pairs `client-ip`, `envelope-from`, `helo`,
    /// `identity`, `receiver`, and `mechanism` or `problem`; folded (RFC 5322 §2.1.1).
    public func receivedSPF(receiver: String) -> String {
        var pairs = [
            ("client-ip", clientIP.description),
            ("envelope-from", envelopeFrom.map { $0.isEmpty ? "<>" : $0 } ?? ""),
            ("helo", helo),
            ("identity", identity.rawValue),
            ("receiver", receiver),
        ]
        if envelopeFrom == nil { pairs.remove(at: 1) }
        if let mechanism = outcome.mechanism { pairs.append(("mechanism", mechanism)) }
        if let problem = outcome.problem, outcome.result != .none { pairs.append(("problem", problem)) }
        let comment = SPFHeaderValue.comment("\(receiver): \(explanationInWords)")
        let field = pairs.reduce("Received-SPF: \(result.rawValue) \(comment)") { field, pair in
            field + " \(pair.0)=\(SPFHeaderValue.atomOrQuoted(pair.1));"
        }
        return SPFHeaderValue.folded(field)
    }

    /// The comment's sentence, after the examples of RFC 7208 §9.1 and §8.
    var explanationInWords: String {
        let who = "domain of \(identity == .helo ? domain : sender)"
        return switch result {
        case .pass: "\(who) designates \(clientIP) as permitted sender"
        case .fail: "\(who) does not designate \(clientIP) as permitted sender"
        case .softfail: "\(who) is transitioning and does not designate \(clientIP) as permitted sender"
        case .neutral: "\(clientIP) is neither permitted nor denied by \(who)"
        case .none: "\(who) does not designate permitted sender hosts"
        case .temperror: "temporary error while checking \(who)"
        case .permerror: "permanent error in the SPF record of \(who)"
        }
    }
}
