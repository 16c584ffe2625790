import Core
import Lists

/// Mailing lists: every operation of `posta list …` (and the console pages and API when they
/// come), each checked against `.manageLists` in the list's domain and audited.
extension AdminConsole {
    public var lists: MailingLists { MailingLists(database: database) }

    /// Creates a list.
    @discardableResult
    public func createList(as principal: Principal, address: String, settings: ListSettings) async throws -> MailingList {
        try principal.require(.manageLists, in: try Self.listDomain(address))
        let list = try await Self.translateLists { try await lists.create(address, settings: settings) }
        await audit(principal, "list.create", target: list.address, after: list)
        return list
    }

    /// Removes a list, its members and its held posts.
    public func deleteList(as principal: Principal, address: String) async throws {
        try principal.require(.manageLists, in: try Self.listDomain(address))
        let before = try await Self.translateLists { try await lists.list(address) }
        try await Self.translateLists {
            if let listTransport { try await listTransport.deleteList(address) } else { try await lists.delete(address) }
        }
        await audit(principal, "list.delete", target: before.address, before: before)
    }

    /// The lists the principal may manage (of `domain` only, when given).
    public func mailingLists(as principal: Principal, domain: String? = nil) async throws -> [MailingList] {
        if let domain {
            try principal.require(.manageLists, in: domain.lowercased())
        } else {
            try principal.require(.manageLists)
        }
        return try await lists.lists(domain: domain).filter { principal.may(.manageLists, in: $0.postingAddress.domain) }
    }

    /// One list.
    public func mailingList(as principal: Principal, address: String) async throws -> MailingList {
        try principal.require(.manageLists, in: try Self.listDomain(address))
        return try await Self.translateLists { try await lists.list(address) }
    }

    /// Changes a list's settings.
    @discardableResult
    public func updateList(
        as principal: Principal, address: String, _ change: @Sendable (inout MailingList) throws -> Void
    ) async throws -> MailingList {
        try principal.require(.manageLists, in: try Self.listDomain(address))
        let before = try await Self.translateLists { try await lists.list(address) }
        let after = try await Self.translateLists { try await lists.update(address, change) }
        await audit(principal, "list.update", target: after.address, before: before, after: after)
        return after
    }

    /// Adds members (or owners, moderators); returns those added and, for each refused, why.
    public func addListMembers(
        as principal: Principal, list: String, members: [(address: String, name: String)], role: ListRole
    ) async throws -> (added: [ListMember], refused: [(address: String, reason: String)]) {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        var added: [ListMember] = []
        var refused: [(String, String)] = []
        for member in members {
            do {
                added.append(try await lists.addMember(list, address: member.address, displayName: member.name, role: role))
            } catch let error as ListError {
                if case .unknownList = error { throw AdminError.notFound(error.description) }
                refused.append((member.address, error.description))
            }
        }
        if !added.isEmpty {
            await audit(
                principal, "list.member.add", target: list.lowercased(), after: added.map { "\($0.role.rawValue) \($0.address)" })
        }
        return (added, refused)
    }

    /// Removes a member from a role.
    public func removeListMember(as principal: Principal, list: String, address: String, role: ListRole) async throws {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        try await Self.translateLists { try await lists.removeMember(list, address: address, role: role) }
        await audit(principal, "list.member.delete", target: list.lowercased(), before: "\(role.rawValue) \(address)")
    }

    /// Changes a member's delivery or moderation.
    @discardableResult
    public func setListMember(
        as principal: Principal, list: String, address: String, role: ListRole, disabled: DeliveryDisabled??,
        moderation: ModerationAction??, mode: DeliveryMode? = nil
    ) async throws -> ListMember {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let member = try await Self.translateLists {
            try await lists.setMember(list, address: address, role: role, disabled: disabled, moderation: moderation, mode: mode)
        }
        await audit(principal, "list.member.set", target: list.lowercased(), after: member)
        return member
    }

    /// The members of a list (in `role` only, when given).
    public func listMembers(as principal: Principal, list: String, role: ListRole? = nil) async throws -> [ListMember] {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        return try await Self.translateLists { try await lists.members(list, role: role) }
    }

    /// Posts held for moderation (of one list, when given).
    public func heldPosts(as principal: Principal, list: String? = nil) async throws -> [HeldPost] {
        if let list {
            try principal.require(.manageLists, in: try Self.listDomain(list))
        } else {
            try principal.require(.manageLists)
        }
        let transport = try requireListTransport()
        return try await Self.translateLists { try await transport.held(list: list) }
            .filter { principal.may(.manageLists, in: (try? Self.listDomain($0.list)) ?? "") }
    }

    /// A moderator's decision on a held post.
    public func decideHeldPost(as principal: Principal, id: Int64, _ decision: ModeratorDecision, reason: String = "")
        async throws
    {
        let transport = try requireListTransport()
        let post = try await heldPost(as: principal, id: id, in: transport)
        try await Self.translateLists { try await transport.decide(id, decision, reason: reason) }
        await audit(
            principal, "list.held.\(decision.rawValue)", target: post.list, before: post, after: reason.isEmpty ? nil : reason)
    }

    /// Invites addresses: each gets a message whose reply (or link) makes it a member.
    /// Returns a line per address saying what happened.
    public func inviteListMembers(as principal: Principal, list: String, members: [(address: String, name: String)])
        async throws -> [String]
    {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let transport = try requireListTransport()
        let found = try await Self.translateLists { try await lists.list(list) }
        var lines: [String] = []
        for member in members {
            do {
                let step = try await lists.invite(found.address, address: member.address, displayName: member.name)
                lines.append(try await transport.follow(step, list: found, address: member.address))
            } catch let error as ListError {
                lines.append("\(member.address): \(error.description)")
            }
        }
        await audit(principal, "list.member.invite", target: found.address, after: members.map(\.address))
        return lines
    }

    /// The requests of a list waiting for a confirmation or a moderator.
    public func pendingListRequests(as principal: Principal, list: String) async throws -> [PendingRequest] {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        return try await Self.translateLists { try await lists.pendingRequests(list) }
    }

    /// Sends the next issue of a list's digest now (nil: no post was waiting).
    public func sendListDigest(as principal: Principal, list: String) async throws -> (volume: Int, issue: Int)? {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let transport = try requireListTransport()
        let sent = try await Self.translateLists { try await transport.sendDigest(list) }
        if let sent {
            await audit(principal, "list.digest.send", target: list.lowercased(), after: "\(sent.volume)/\(sent.issue)")
        }
        return sent
    }

    /// Brings the members a list takes from the directory in line now.
    public func syncListMembers(as principal: Principal, list: String) async throws -> (added: [String], removed: [String]) {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let result = try await Self.translateLists { try await lists.syncMembers(list, directory: directory) }
        if !result.added.isEmpty || !result.removed.isEmpty {
            await audit(
                principal, "list.member.sync", target: list.lowercased(),
                after: ["added": result.added, "removed": result.removed])
        }
        return result
    }

    /// A list's archive as mbox chunks (a post each), oldest first.
    public func listArchiveMbox(as principal: Principal, list: String) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        try principal.require(.manageLists, in: try Self.listDomain(list))
        let transport = try requireListTransport()
        let found = try await Self.translateLists { try await lists.list(list) }
        return transport.archive.mbox(found)
    }

    /// Held post `id` when the principal manages its list; another domain's post is "not found"
    /// (its id tells a domain admin nothing).
    func heldPost(as principal: Principal, id: Int64, in transport: ListTransport) async throws -> HeldPost {
        guard let post = try await transport.held(id: id), principal.may(.manageLists, in: try Self.listDomain(post.list))
        else { throw AdminError.notFound("held post \(id)") }
        return post
    }

    func requireListTransport() throws -> ListTransport {
        guard let listTransport else { throw AdminError.conflict("mailing lists are not set up on this console") }
        return listTransport
    }

    static func listDomain(_ address: String) throws -> String {
        guard let at = address.lastIndex(of: "@") else { throw AdminError.invalid("invalid list address '\(address)'") }
        return address[address.index(after: at)...].lowercased()
    }

    static func translateLists<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as ListError {
            switch error {
            case .unknownList, .unknownMember, .unknownHeld: throw AdminError.notFound(error.description)
            case .duplicateList, .duplicateMember, .addressTaken: throw AdminError.conflict(error.description)
            case .notLocal, .invalid: throw AdminError.invalid(error.description)
            }
        }
    }
}
