import Core

/// Where the users' Maildirs sit under an import root: a path pattern relative to the root whose
/// components may be `%d` (the domain), `%n` (the local part) or `%u` (the whole address), as in Dovecot's
/// `mail_location` (doc.dovecot.org/2.3/configuration_manual/mail_location/, "Variables"). Each of them
/// must be a whole component. The default, `%d/%n/Maildir`, is Debian's usual virtual-user layout
/// (`mail_location = maildir:/srv/vmail/%d/%n/Maildir`, import root `/srv/vmail`).
public struct MaildirLayout: Sendable, Hashable {
    public static let defaultPattern = "%d/%n/Maildir"

    public let components: [String]

    /// A found user: the address the pattern made and the Maildir's path.
    public struct User: Sendable, Hashable {
        public var address: String
        public var maildir: String
    }

    /// Parses a pattern; `nil` when a variable is part of a component, a component is `..`, or the pattern
    /// cannot name a user (no `%u`, and not both `%n` and `%d`).
    public init?(_ pattern: String) {
        let components = pattern.split(separator: "/").map(String.init).filter { $0 != "." }
        for component in components where component.contains("%") {
            guard ["%d", "%n", "%u"].contains(component) else { return nil }
        }
        guard !components.contains(".."), !components.isEmpty,
            components.contains("%u") || (components.contains("%n") && components.contains("%d"))
        else { return nil }
        self.components = components
    }

    /// The users under `root`, sorted by address. Variables match visible directories only (not starting
    /// with `.`); a Maildir is a directory holding `cur`. Names that do not make an address are left out.
    public func users(root: String) -> [User] {
        var found: [User] = []
        walk(root, index: 0, values: [:], into: &found)
        return found.sorted { $0.address < $1.address }
    }

    private func walk(_ path: String, index: Int, values: [String: String], into found: inout [User]) {
        guard index < components.count else {
            guard isDirectory(path + "/cur") else { return }
            let address: String
            if let whole = values["%u"] {
                address = whole
            } else if let local = values["%n"], let domain = values["%d"] {
                address = local + "@" + domain
            } else {
                return
            }
            if address.contains("@") { found.append(User(address: address, maildir: path)) }
            return
        }
        let component = components[index]
        guard component.hasPrefix("%") else {
            walk(path + "/" + component, index: index + 1, values: values, into: &found)
            return
        }
        let names = LocalFiles.entries(path)
        for name in names.sorted() where !name.hasPrefix(".") && isDirectory(path + "/" + name) {
            var next = values
            next[component] = name
            walk(path + "/" + name, index: index + 1, values: next, into: &found)
        }
    }

    private func isDirectory(_ path: String) -> Bool { LocalFiles.isDirectory(path, followingLinks: true) }
}
