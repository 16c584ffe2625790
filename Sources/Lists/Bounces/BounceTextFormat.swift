import Core

/// One free-text bounce format: how to tell the notice is of this kind, where its list of failed recipients
/// starts and ends, and how an address is written there. The phrases come from the MTAs' notices (see
/// `BounceTextFormat.all`); matching is by lower-cased substring, so it costs one pass per format.
struct BounceTextFormat: Sendable {
    /// How the failed recipient is written on a line of the address block.
    enum Placement: Sendable {
        /// The line starts with it (`<user@example.org>:` in qmail and Postfix notices); other lines are reasons.
        case lineStart
        /// The line holds nothing else: `<user@example.org>:` alone.
        case alone
        /// Anywhere on the line.
        case anywhere
        /// Anywhere on the line, or a bare local part alone on it, meaning one at this domain (AOL's screen names).
        case localPart(domain: String)
    }

    let detector: BounceDetector
    /// One of these must occur somewhere in the notice (or be the returned-message marker that ends it);
    /// empty: any notice.
    var signatures: [String] = []
    /// A line containing one of these opens an address block; empty: the whole notice is one block.
    var starts: [String] = []
    /// Whether the addresses on the line that opens the block count ("Delivery failed: user@example.com").
    var readsStartLine = true
    /// A line containing one of these closes the block.
    var ends: [String] = []
    var placement: Placement = .anywhere
    /// Whether the addresses found failed for good (otherwise the notice is a delay warning).
    var permanent = true
    /// Lines a block spans at most after its start.
    var blockLines = 100
    /// Whether an empty line after the block's first address closes it.
    var endsAtEmptyLineAfterAddress = false

    /// Adds the addresses this format finds in `text`, except the bounce's own (`excluding`, by key) and
    /// administrative ones, as temporary when the format or `delayWarning` says so; true when it added any.
    func scan(
        _ text: BounceText, excluding: Set<String>, delayWarning: Bool, into recipients: inout BounceRecipients
    ) -> Bool {
        guard signatures.isEmpty || text.contains(anyOf: signatures) else { return false }
        var added = false
        var open = starts.isEmpty
        var length = 0
        var foundInBlock = false

        func take(_ addresses: [MailAddress]) {
            for address in addresses where !excluding.contains(address.key) && !Self.isAdministrative(address) {
                recipients.add(address, permanent: permanent && !delayWarning)
                added = true
                foundInBlock = true
            }
        }

        for (line, lowered) in zip(text.lines, text.lowered) {
            if !starts.isEmpty, starts.contains(where: lowered.contains) {
                open = true
                length = 0
                foundInBlock = false
                if readsStartLine, !BounceText.isHeaderLine(lowered) { take(BounceAddressScanner.addresses(in: line)) }
                continue
            }
            guard open else { continue }
            length += 1
            if length > blockLines || ends.contains(where: lowered.contains) {
                open = false
                continue
            }
            if lowered.allSatisfy(\.isWhitespace) {
                if endsAtEmptyLineAfterAddress && foundInBlock { open = false }
                continue
            }
            guard !BounceText.isHeaderLine(lowered) else { continue }
            take(addresses(in: line))
        }
        return added
    }

    private func addresses(in line: Substring) -> [MailAddress] {
        switch placement {
        case .lineStart:
            return BounceAddressScanner.leadingAddress(in: line).map { [$0] } ?? []
        case .alone:
            return BounceAddressScanner.loneAddress(in: line).map { [$0] } ?? []
        case .anywhere:
            return BounceAddressScanner.addresses(in: line)
        case .localPart(let domain):
            let found = BounceAddressScanner.addresses(in: line)
            guard found.isEmpty else { return found }
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count == 1, let address = try? MailAddress(parsing: "\(words[0])@\(domain)") else { return [] }
            return [address]
        }
    }

    /// Role mailboxes of the reporting site (RFC 2142 §5) that notices name for questions.
    static func isAdministrative(_ address: MailAddress) -> Bool {
        let local = address.localPart.lowercased()
        return local == "postmaster" || local == "mailer-daemon" || local == "mailer_daemon"
    }
}
