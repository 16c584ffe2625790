import DNS

extension SPFEvaluation {
    /// Expands a macro-string for the current <domain> (RFC 7208 §7.3).
    func expand(_ string: SPFMacroString, domain: String) async throws(SPFAbort) -> String {
        let validatedName = string.usesValidatedName ? await validatedName(for: domain) : ""
        var result = ""
        for token in string.tokens {
            switch token {
            case .literal(let text, _): result += text
            case .macro(let macro): result += macro.transform(value(of: macro.letter, domain: domain, p: validatedName))
            }
        }
        return result
    }

    /// §7.3: the value of each macro letter.
    private func value(of letter: SPFMacro.Letter, domain: String, p: String) -> String {
        switch letter {
        case .s: sender.address
        case .l: sender.localPart
        case .o: sender.domain
        case .d: domain
        case .i: ip.spfDotted
        case .p: p
        case .v: ip.spfVersionLabel
        case .h: helo
        case .c: ip.description
        case .r: configuration.receiver
        case .t: String(configuration.now())
        }
    }

    /// §7.3 `p`: the validated name equal to <domain>, else one below it, else any, else
    /// "unknown". Its lookups are not mechanisms: they count toward no limit but `ptrNames`.
    private func validatedName(for domain: String) async -> String {
        guard let names = try? await validatedNames(countingVoid: false), !names.isEmpty else { return "unknown" }
        let domain = domain.lowercased()
        return names.first { $0 == domain } ?? names.first { $0.hasSuffix("." + domain) } ?? names[0]
    }

    /// §6.2: the explanation for a `fail` from `record`: the single TXT record at the expanded
    /// `exp=` target, itself expanded; the configured default when there is no `exp=`, or when
    /// the lookup fails, finds no record or several, or the text is not a valid explain-string.
    func explain(_ record: SPFRecord, domain: String) async -> String? {
        if let spec = record.explanation, let text = try? await explanationText(spec, domain: domain),
            let explanation = await expandExplanation(text, domain: domain)
        {
            return explanation
        }
        return await expandExplanation(configuration.defaultExplanation, domain: domain) ?? configuration.defaultExplanation
    }

    private func explanationText(_ spec: SPFMacroString, domain: String) async throws -> String? {
        let name = SPFDomain.queryName(try await expand(spec, domain: domain))
        guard SPFDomain.isQueryable(name), let records = try await dns.txt(name).value, records.count == 1 else { return nil }
        return records[0]
    }

    /// `explain-string = *( macro-string / SP )`, expanded; nil on a syntax error.
    private func expandExplanation(_ text: String, domain: String) async -> String? {
        guard let string = try? SPFMacroString(parsing: Substring(text), as: .explanation) else { return nil }
        return try? await expand(string, domain: domain)
    }
}
