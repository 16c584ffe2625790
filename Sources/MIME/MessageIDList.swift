/// The `<id>`s of a References, In-Reply-To or Message-ID value, in order (RFC 5322 §3.6.4):
/// anything outside angle brackets (comments, obsolete phrases) is skipped, and ids with
/// spaces or longer than a line are dropped.
public enum MessageIDList {
    public static func parse(_ value: String?) -> [String] {
        guard let value else { return [] }
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[open...close]
            if id.count > 2, id.count <= 998, !id.contains(" ") { ids.append(String(id)) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }
}
