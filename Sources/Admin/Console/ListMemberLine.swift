import Core
import Foundation

/// One line of a member list as an owner types or imports it (`posta list member add`, the
/// console's add form): `address`, `Name <address>` or `address,Name`.
public enum MemberLine {
    /// The address and name of `text`; nil when it names no valid address.
    public static func parse(_ text: String) -> (address: String, name: String)? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            let name = text[..<open].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            return (try? MailAddress(parsing: address)) == nil ? nil : (address, name)
        }
        let fields = text.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = fields.first, (try? MailAddress(parsing: first)) != nil else { return nil }
        return (first, fields.count > 1 ? fields[1] : "")
    }
}
