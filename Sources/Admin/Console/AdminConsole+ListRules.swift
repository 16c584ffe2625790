import Core
import Lists

/// A list's bans and header match rules, and forwarding a held post: `posta list ban`,
/// `posta list rule`, `posta list held forward`.
extension AdminConsole {
    /// The bans and header rules of a list.
    public func listRules(as principal: Principal, list: String) async throws -> ListRules {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        return try await Self.translateLists { try await lists.rules(list) }
    }

    /// Bans an address (or a wildcard pattern such as `*@junk.example`) from posting to and joining a list.
    @discardableResult
    public func banFromList(as principal: Principal, list: String, pattern: String) async throws -> ListBan {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let ban = try await Self.translateLists { try await lists.addBan(list, pattern: pattern) }
        await audit(principal, "list.ban.add", target: list.lowercased(), after: ban.pattern)
        return ban
    }

    /// Lifts a ban.
    public func unbanFromList(as principal: Principal, list: String, pattern: String) async throws {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        try await Self.translateLists { try await lists.removeBan(list, pattern: pattern) }
        await audit(principal, "list.ban.delete", target: list.lowercased(), before: pattern)
    }

    /// Adds a header match rule.
    @discardableResult
    public func addListHeaderRule(
        as principal: Principal, list: String, field: String, pattern: String, action: ModerationAction
    ) async throws -> HeaderRule {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let rule = try await Self.translateLists {
            try await lists.addHeaderRule(list, field: field, pattern: pattern, action: action)
        }
        await audit(principal, "list.rule.add", target: list.lowercased(), after: rule)
        return rule
    }

    /// Removes a header match rule.
    public func removeListHeaderRule(as principal: Principal, list: String, id: Int64) async throws {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        try await Self.translateLists { try await lists.removeHeaderRule(list, id: id) }
        await audit(principal, "list.rule.delete", target: list.lowercased(), before: id)
    }

    /// Forwards a held post to `recipients`; it stays held.
    public func forwardHeldPost(as principal: Principal, id: Int64, to recipients: [String], note: String = "") async throws {
        let transport = try requireListTransport()
        let post = try await heldPost(as: principal, id: id, in: transport)
        var addresses: [MailAddress] = []
        for recipient in recipients {
            guard let address = try? MailAddress(parsing: recipient) else {
                throw AdminError.invalid("'\(recipient)' is not a mail address")
            }
            addresses.append(address)
        }
        try await Self.translateLists { try await transport.forwardHeld(id, to: addresses, note: note) }
        await audit(principal, "list.held.forward", target: post.list, before: post, after: recipients)
    }
}
