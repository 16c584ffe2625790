import Admin
import Core
import Hummingbird
import MailAuth

/// `/admin/dkim`: the DKIM keys of each domain the principal acts in, with the TXT record to
/// publish; make, rotate and retire keys, each confirmed by a tick box (docs/dkim.md). Private
/// keys are never shown.
extension ConsolePages {
    func dkim(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let keys = try await console.dkimKeys(as: call.principal)
        let localDomains = (try? await console.domains(as: call.principal).map(\.name)) ?? []
        var order: [String] = []
        var byDomain: [String: [DKIMKeyInfo]] = [:]
        for key in keys {
            if byDomain[key.domain] == nil { order.append(key.domain) }
            byDomain[key.domain, default: []].append(key)
        }
        let now = UnixTime.now()
        let domains: [[String: Any]] = order.map { domain in
            let keys = byDomain[domain] ?? []
            let hasActive = keys.contains { $0.state == .active }
            return [
                "domain": domain, "hasActive": hasActive, "noActive": !hasActive,
                "keys": keys.map { key -> [String: Any] in
                    let early = key.state == .active || (key.state == .retiring && (key.retireAfter ?? 0) > now)
                    return [
                        "domain": key.domain, "selector": key.selector, "algorithm": key.algorithm.shortName, "bits": key.bits,
                        "state": key.state.rawValue, "stateClass": Self.badge(key.state), "created": Format.time(key.createdAt),
                        // Absent values are `false`: Mustache shows an empty string's section.
                        "retireAfter": key.retireAfter.map { Format.time($0) as Any } ?? false,
                        "retiredAt": key.retiredAt.map { Format.time($0) as Any } ?? false, "dnsName": key.dnsName,
                        "record": key.dnsRecord.map { $0 as Any } ?? false, "mayRetire": key.state != .retired,
                        "needsForce": early,
                        "retireText": key.state == .active
                            ? "Stop signing with it now and remove its record" : "Its mail has been delivered: remove its record",
                    ]
                },
            ]
        }
        let data: [String: Any] = ["domains": domains, "empty": domains.isEmpty, "localDomains": localDomains]
        return page(call, "dkim", title: "DKIM keys", section: "dkim", data, form: form)
    }

    func generateDKIMKey(_ call: ConsoleCall) async throws -> Response {
        try Self.requireConfirmation(call)
        guard let domain = call.form.text("domain") else { throw AdminError.invalid("Enter the domain that signs.") }
        let algorithm: DKIMAlgorithm = call.form["algorithm"] == "ed25519" ? .ed25519SHA256 : .rsaSHA256
        guard let bits = Int(call.form.text("bits") ?? "2048") else { throw AdminError.invalid("Choose a key size.") }
        let key = try await console.generateDKIMKey(
            as: call.principal, domain: domain, algorithm: algorithm, bits: bits, selector: call.form.text("selector"))
        return done("/admin/dkim", "Key \(key.selector) of \(key.domain) signs from now on; publish \(key.dnsName).")
    }

    func rotateDKIMKeys(_ call: ConsoleCall) async throws -> Response {
        try Self.requireConfirmation(call)
        guard let domain = call.form.text("domain") else { throw AdminError.notFound("domain") }
        guard let keepDays = Int(call.form.text("keep_days") ?? "7") else {
            throw AdminError.invalid("Enter how many days the old key stays published.")
        }
        let rotated = try await console.rotateDKIMKeys(as: call.principal, domain: domain, keepDays: keepDays)
        let names = rotated.map { "\($0.active.selector) replaces \($0.retiring.selector)" }.joined(separator: ", ")
        return done("/admin/dkim", "\(domain): \(names). Publish the new record\(rotated.count == 1 ? "" : "s").")
    }

    func retireDKIMKey(_ call: ConsoleCall) async throws -> Response {
        try Self.requireConfirmation(call)
        guard let domain = call.form.text("domain"), let selector = call.form.text("selector") else {
            throw AdminError.notFound("DKIM key")
        }
        let key = try await console.retireDKIMKey(
            as: call.principal, domain: domain, selector: selector, force: call.form["force"] == "true")
        return done("/admin/dkim", "Key \(key.selector) of \(key.domain) retired; remove \(key.dnsName) from DNS.")
    }

    /// The tick box every key change carries (the confirmation that works without JavaScript).
    static func requireConfirmation(_ call: ConsoleCall) throws(AdminError) {
        guard call.form["confirm"] == "yes" else { throw .invalid("Tick the box to confirm.") }
    }

    static func badge(_ state: DKIMKeyState) -> String {
        switch state {
        case .active: "ok"
        case .retiring: "warn"
        case .retired: "off"
        }
    }
}
