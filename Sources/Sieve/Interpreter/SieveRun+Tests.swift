import Foundation
import MIME

/// Evaluating tests (RFC 5228 §5 and the extensions' tests).
extension SieveRun {
    func evaluate(_ test: SieveCall) async throws(SieveRuntimeError) -> Bool {
        let spec = test.match
        switch test.name {
        case "true": return true
        case "false": return false
        case "not": return !(try await evaluate(test.tests[0]))
        // RFC 5228 §5.2, §5.3: short-circuit evaluation.
        case "allof":
            for inner in test.tests where !(try await evaluate(inner)) { return false }
            return true
        case "anyof":
            for inner in test.tests where try await evaluate(inner) { return true }
            return false
        // RFC 5228 §5.9.
        case "size":
            let limit = test.argument(0)?.number ?? 0
            return test.has("over") ? message.size > limit : message.size < limit
        // RFC 5228 §5.5.
        case "exists":
            for name in try expand(test.strings(0)) where !fields.contains(where: { $0.hasName(name) }) { return false }
            return true
        // RFC 5228 §5.7: decoded (RFC 2047) values.
        case "header":
            let values = selectFields(try expand(test.strings(0)), spec).map(\.decoded)
            return try matches(values, try expand(test.strings(1)), spec)
        // RFC 5228 §5.1.
        case "address":
            var values: [String] = []
            for field in selectFields(try expand(test.strings(0)), spec) {
                for address in SieveAddress.list(field.raw) {
                    if let part = address.part(spec.addressPart) { values.append(part) }
                }
            }
            return try matches(values, try expand(test.strings(1)), spec)
        // RFC 5228 §5.4.
        case "envelope":
            return try matches(try envelopeValues(try expand(test.strings(0)), spec), try expand(test.strings(1)), spec)
        // RFC 5229 §5: :count counts the non-empty source strings.
        case "string":
            var values = try expand(test.strings(0))
            if case .count = spec.matchType { values.removeAll { $0.isEmpty } }
            return try matches(values, try expand(test.strings(1)), spec)
        case "body":
            return try matches(try bodyValues(test), try expand(test.strings(0)), spec)
        case "date", "currentdate":
            return try dateTest(test)
        // RFC 5232 §4.
        case "hasflag":
            var flags = internalFlags
            if let names = test.argument(0)?.strings {
                flags = Self.parseFlags(names.map { variableValue($0) })
            }
            let keys = try expand(test.strings(1))
            if case .count = spec.matchType { return try matches(flags, keys, spec) }
            return try matches(flags, Self.parseFlags(keys), spec)
        // RFC 5490 §3.1: true when every mailbox exists.
        case "mailboxexists":
            for name in try expand(test.strings(0)) where !(await context.environment.mailboxExists(name)) { return false }
            return true
        case "duplicate":
            return try await duplicate(test)
        // RFC 3685 §3.1, RFC 5235 §3.2: "0" when not tested.
        case "spamtest":
            let value: Int
            if test.has("percent") {
                value = context.spamPercent.map { min(max($0, 0), 100) } ?? 0
            } else {
                value = context.spamScore.map { min(max($0, 0), 10) } ?? 0
            }
            return try matches([String(value)], [try expand(test.string(0))], spec)
        // RFC 3685 §3.2.
        case "virustest":
            let value = context.virusScore.map { min(max($0, 0), 5) } ?? 0
            return try matches([String(value)], [try expand(test.string(0))], spec)
        default:
            throw SieveRuntimeError(message: "unsupported test \(test.name)", position: test.position)
        }
    }

    // RFC 5228 §5.4: the null reverse path is the empty string whatever the address part.
    private func envelopeValues(_ parts: [String], _ spec: SieveMatchSpec) throws(SieveRuntimeError) -> [String] {
        var values: [String] = []
        for part in parts {
            let raw: String?
            switch part.lowercased() {
            case "from": raw = context.envelope.from
            case "to": raw = context.envelope.to
            case "auth": raw = context.envelope.auth
            default: raw = nil
            }
            guard let raw else { continue }
            if raw.isEmpty || raw == "<>" {
                values.append("")
                continue
            }
            if let value = SieveAddress.envelope(raw).part(spec.addressPart) { values.append(value) }
        }
        return values
    }

    // MARK: RFC 5260 date, currentdate

    private func dateTest(_ test: SieveCall) throws(SieveRuntimeError) -> Bool {
        let isHeader = test.name == "date"
        let part = try expand(test.string(isHeader ? 1 : 0)).lowercased()
        let keys = try expand(test.strings(isHeader ? 2 : 1))
        var zone = min(max(context.localZoneOffsetMinutes, -24 * 60), 24 * 60)
        if let given = test.tags["zone"] {
            let text = try expand(given.string)
            // RFC 5260 §4.1: a zone that is not +hhmm/-hhmm makes the test false.
            guard let offset = SieveDateParts.zoneOffset(text) else { return false }
            zone = offset
        }
        let instant: Int64
        if isHeader {
            let name = try expand(test.string(0))
            guard let field = selectFields([name], test.match).first else { return false }
            var text = field.raw
            // RFC 5260 §4: for Received, the date follows the last ";".
            if name.caseInsensitiveEquals("received"), let semicolon = text.lastIndex(of: ";") {
                text = String(text[text.index(after: semicolon)...])
            }
            guard let date = MessageDate(parsing: text) else { return false }
            instant = date.secondsSince1970
            if test.has("originalzone") { zone = date.zoneMinutes }
        } else {
            let seconds = context.now.timeIntervalSince1970.rounded(.down)
            // Years 1 to 9999 only: a clock outside them (or not finite) is treated as the epoch.
            instant = seconds.isFinite && abs(seconds) < 253_402_300_799 ? Int64(seconds) : 0
        }
        // RFC 5260 §4.2: an unknown date part matches nothing.
        guard let value = SieveDateParts(secondsSince1970: instant, zoneMinutes: zone).value(of: part) else {
            return false
        }
        return try matches([value], keys, test.match)
    }

    // MARK: RFC 7352 duplicate

    private func duplicate(_ test: SieveCall) async throws(SieveRuntimeError) -> Bool {
        let value: String
        if let unique = test.tags["uniqueid"] {
            value = try expand(unique.string)
        } else {
            let name = try test.tags["header"].map { (header) throws(SieveRuntimeError) in try expand(header.string) }
            // RFC 7352 §3.1: the Message-ID by default; a missing field makes the test false.
            guard let field = fields.first(where: { $0.hasName(name ?? "Message-ID") }) else { return false }
            value = field.raw.trimmingCharacters(in: .whitespaces)
        }
        let handle = try test.tags["handle"].map { (given) throws(SieveRuntimeError) in try expand(given.string) } ?? ""
        let seconds = min(max(test.tags["seconds"]?.number ?? limits.duplicateDefaultSeconds, 0), limits.duplicateMaxSeconds)
        let id = "\(handle.utf8.count):\(handle):\(value)"
        let seen = await context.environment.isDuplicate(id, seconds: seconds)
        // RFC 7352 §3.2: a new id is tracked; with :last, every occurrence refreshes the tracking.
        if !seen || test.has("last") {
            let entry = SieveDuplicateID(id: id, seconds: seconds)
            if !duplicateIDs.contains(entry) { duplicateIDs.append(entry) }
        }
        return seen
    }
}
