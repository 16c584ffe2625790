import Foundation

/// Default selector names: `posta-2026-12` for RSA and `posta-ed25519-2026-12` for Ed25519 keys
/// made in December 2026 (UTC), with `-2`, `-3`, … when the name is taken (selectors are never
/// reused). Dated names tell an administrator at a glance how old a published key is.
public enum DKIMSelectorName {
    public static func next(for algorithm: DKIMAlgorithm, at time: Int64, taken: Set<String>) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: TimeInterval(time)))
        let month = String(format: "%04d-%02d", parts.year ?? 1970, parts.month ?? 1)
        let base = algorithm == .rsaSHA256 ? "posta-\(month)" : "posta-\(algorithm.shortName)-\(month)"
        var name = base
        var suffix = 2
        while taken.contains(name) {
            name = "\(base)-\(suffix)"
            suffix += 1
        }
        return name
    }
}
