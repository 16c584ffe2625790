import Core
import Directory
import SQLKit

/// The lists and their members: the service layer the CLI, the console and the posting
/// pipeline share. Every change is one transaction.
public final class MailingLists: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    // MARK: Lists

    /// Creates a list at `address` (in a local domain, not an account's or alias's, nor its
    /// `-owner` and `-bounces` addresses).
    @discardableResult
    public func create(_ address: String, settings: ListSettings = ListSettings()) async throws -> MailingList {
        let parsed = try Self.parse(address)
        guard !parsed.localPart.contains("+") else { throw ListError.invalid("a list address has no '+' in it") }
        return try await database.transaction { db in
            guard let domainID = try await Directory.domainID(parsed.domain, in: db) else {
                throw ListError.notLocal(parsed.description)
            }
            if try await Self.list(key: parsed.key, in: db) != nil { throw ListError.duplicateList(parsed.description) }
            // Neither the address nor a companion may be another list's (`dept-owner` as a list
            // would take `dept`'s owner mail), an account's or an alias's.
            if let (other, _) = try await Self.listOwning(parsed, in: db) {
                throw ListError.addressTaken("\(parsed) (an address of list \(other.address))")
            }
            for suffix in [""] + ListAddress.suffixes {
                let key = parsed.localPart.lowercased() + suffix + "@" + parsed.domain
                if try await Directory.isAccountOrAlias(key, in: db) { throw ListError.addressTaken(key) }
                if !suffix.isEmpty, try await Self.list(key: key, in: db) != nil {
                    throw ListError.addressTaken("\(key) (a list)")
                }
            }
            let now = UnixTime.now()
            let prefix = settings.subjectPrefix ?? "[\(parsed.localPart)]"
            try await db.insert(into: "mailing_list")
                .columns(
                    "domain_id", "address_key", "address", "display_name", "description", "style", "subject_prefix", "reply_to",
                    "reply_to_address", "member_action", "nonmember_action", "emergency", "max_size", "max_recipients",
                    "require_explicit_destination", "administrivia", "dmarc_mitigation", "dmarc_always", "footer",
                    "bounce_threshold", "subscribe_policy", "unsubscribe_policy", "digest_size_threshold", "digest_period",
                    "archive", "member_source", "bounce_warnings", "delivery_style", "hold_days", "created_at"
                )
                .values(
                    SQLBind(domainID), SQLBind(parsed.key), SQLBind(parsed.description), SQLBind(settings.displayName),
                    SQLBind(settings.description), SQLBind(settings.style.rawValue), SQLBind(prefix),
                    SQLBind(settings.replyTo.rawValue), SQLBind(settings.replyToAddress), SQLBind(settings.memberAction.rawValue),
                    SQLBind(settings.nonmemberAction.rawValue), SQLBind(settings.emergency), SQLBind(settings.maxSize),
                    SQLBind(Int64(settings.maxRecipients)), SQLBind(settings.requireExplicitDestination),
                    SQLBind(settings.administrivia), SQLBind(settings.dmarcMitigation.rawValue), SQLBind(settings.dmarcAlways),
                    SQLBind(settings.footer), SQLBind(Int64(settings.bounceThreshold)),
                    SQLBind(settings.subscribePolicy.rawValue), SQLBind(settings.unsubscribePolicy.rawValue),
                    SQLBind(settings.digestSizeThreshold), SQLBind(settings.digestPeriod.rawValue),
                    SQLBind(settings.archive.rawValue), SQLBind(settings.memberSource?.description ?? ""),
                    SQLBind(Int64(settings.bounceWarnings)), SQLBind(settings.deliveryStyle.rawValue),
                    SQLBind(Int64(settings.holdDays)), SQLBind(now)
                ).run()
            guard let list = try await Self.list(key: parsed.key, in: db) else { throw ListError.unknownList(parsed.description) }
            return list
        }
    }

    /// Removes a list with its members, held posts and post log.
    public func delete(_ address: String) async throws {
        let key = try Self.parse(address).key
        try await database.transaction { db in
            guard let list = try await Self.list(key: key, in: db) else { throw ListError.unknownList(address) }
            for table in [
                "list_ban", "list_header_rule", "list_pending", "list_digest_entry", "list_archive", "list_member", "list_post",
                "list_held",
            ] {
                try await db.delete(from: table).where("list_id", .equal, list.id).run()
            }
            try await db.delete(from: "mailing_list").where("id", .equal, list.id).run()
        }
    }

    /// The list at `address`.
    public func list(_ address: String) async throws -> MailingList {
        let key = try Self.parse(address).key
        guard let list = try await database.withConnection({ try await Self.list(key: key, in: $0) }) else {
            throw ListError.unknownList(address)
        }
        return list
    }

    /// Every list (of `domain` only, when given), by address.
    public func lists(domain: String? = nil) async throws -> [MailingList] {
        try await database.withConnection { db in
            var query = Self.listQuery(db)
            if let domain {
                guard let id = try await Directory.domainID(domain.lowercased(), in: db) else { return [] }
                query = query.where("domain_id", .equal, id)
            }
            return try await query.orderBy("address_key").all().map(Self.decodeList)
        }
    }

    /// Changes a list's settings (not its address or id).
    @discardableResult
    public func update(_ address: String, _ change: @Sendable (inout MailingList) throws -> Void) async throws -> MailingList {
        let key = try Self.parse(address).key
        return try await database.transaction { db in
            guard var list = try await Self.list(key: key, in: db) else { throw ListError.unknownList(address) }
            let id = list.id
            try change(&list)
            if !list.replyToAddress.isEmpty { _ = try Self.parse(list.replyToAddress) }
            if list.replyTo == .explicit && list.replyToAddress.isEmpty {
                throw ListError.invalid("reply-to 'explicit' needs a reply-to address")
            }
            guard list.maxSize >= 0, list.maxRecipients >= 0, list.bounceThreshold >= 0, list.digestSizeThreshold >= 0,
                list.bounceWarnings >= 0, list.holdDays >= 0
            else {
                throw ListError.invalid("limits are 0 (none) or positive")
            }
            guard list.maxSize <= 1 << 40, list.digestSizeThreshold <= 1 << 40, list.maxRecipients <= 1_000_000,
                list.bounceThreshold <= 10_000, list.bounceWarnings <= 1000, list.holdDays <= 36_500
            else {
                throw ListError.invalid(
                    "limits too large (sizes up to 1T, recipients 1,000,000, hold days 36,500, bounce threshold 10,000, warnings 1,000)"
                )
            }
            try await db.update("mailing_list")
                .set("display_name", to: SQLBind(list.displayName)).set("description", to: SQLBind(list.description))
                .set("style", to: SQLBind(list.style.rawValue)).set("subject_prefix", to: SQLBind(list.subjectPrefix))
                .set("reply_to", to: SQLBind(list.replyTo.rawValue)).set("reply_to_address", to: SQLBind(list.replyToAddress))
                .set("member_action", to: SQLBind(list.memberAction.rawValue))
                .set("nonmember_action", to: SQLBind(list.nonmemberAction.rawValue))
                .set("emergency", to: SQLBind(list.emergency)).set("max_size", to: SQLBind(list.maxSize))
                .set("max_recipients", to: SQLBind(Int64(list.maxRecipients)))
                .set("require_explicit_destination", to: SQLBind(list.requireExplicitDestination))
                .set("administrivia", to: SQLBind(list.administrivia))
                .set("dmarc_mitigation", to: SQLBind(list.dmarcMitigation.rawValue))
                .set("dmarc_always", to: SQLBind(list.dmarcAlways)).set("footer", to: SQLBind(list.footer))
                .set("bounce_threshold", to: SQLBind(Int64(list.bounceThreshold)))
                .set("subscribe_policy", to: SQLBind(list.subscribePolicy.rawValue))
                .set("unsubscribe_policy", to: SQLBind(list.unsubscribePolicy.rawValue))
                .set("digest_size_threshold", to: SQLBind(list.digestSizeThreshold))
                .set("digest_period", to: SQLBind(list.digestPeriod.rawValue))
                .set("archive", to: SQLBind(list.archive.rawValue))
                .set("member_source", to: SQLBind(list.memberSource?.description ?? ""))
                .set("bounce_warnings", to: SQLBind(Int64(list.bounceWarnings)))
                .set("delivery_style", to: SQLBind(list.deliveryStyle.rawValue))
                .set("hold_days", to: SQLBind(Int64(list.holdDays)))
                .where("id", .equal, id).run()
            return list
        }
    }

    // MARK: Members

    /// Adds `address` to the list in `role`.
    @discardableResult
    public func addMember(
        _ list: String, address: String, displayName: String = "", role: ListRole = .member
    ) async throws -> ListMember {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            if try await Self.member(listID: found.id, key: member.key, role: role, in: db) != nil {
                throw ListError.duplicateMember(member.description, list: found.address)
            }
            return try await Self.insertMember(member, displayName: displayName, role: role, list: found, in: db)
        }
    }

    /// Inserts a member row. A list's own addresses (posting, `-owner`, `-request`…) are refused
    /// in every role: mail to them would come straight back (a loop through `-owner`).
    static func insertMember(
        _ member: MailAddress, displayName: String, role: ListRole, list: MailingList, source: String = "manual",
        in db: any SQLDatabase
    ) async throws -> ListMember {
        if ListAddress.candidates(member).contains(where: { $0.listKey == list.postingAddress.key }) {
            throw ListError.invalid("a list cannot be a member of itself (\(member) is one of its own addresses)")
        }
        if role == .member, let ban = try await Self.rules(listID: list.id, in: db).ban(of: member) {
            throw ListError.invalid("\(member) is banned from \(list.address) (\(ban.pattern))")
        }
        if role != .member, try await Self.listOwning(member, in: db) != nil {
            throw ListError.invalid("\(member) is a list address: owners and moderators are people")
        }
        try await db.insert(into: "list_member")
            .columns("list_id", "address_key", "address", "display_name", "role", "source", "token", "created_at")
            .values(
                SQLBind(list.id), SQLBind(member.key), SQLBind(member.description), SQLBind(displayName),
                SQLBind(role.rawValue), SQLBind(source), SQLBind(RandomToken.make(bytes: 18)), SQLBind(UnixTime.now())
            ).run()
        guard let added = try await Self.member(listID: list.id, key: member.key, role: role, in: db) else {
            throw ListError.unknownMember(member.description, list: list.address)
        }
        return added
    }

    /// The list whose posting or companion address `address` is, if any.
    static func listOwning(_ address: MailAddress, in db: any SQLDatabase) async throws -> (MailingList, ListAddressRole)? {
        for candidate in ListAddress.candidates(address) {
            if let list = try await Self.list(key: candidate.listKey, in: db) { return (list, candidate.role) }
        }
        return nil
    }

    /// Removes `address` from the list's `role`.
    public func removeMember(_ list: String, address: String, role: ListRole = .member) async throws {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            guard try await Self.member(listID: found.id, key: member.key, role: role, in: db) != nil else {
                throw ListError.unknownMember(member.description, list: found.address)
            }
            try await db.delete(from: "list_member").where("list_id", .equal, found.id)
                .where("address_key", .equal, member.key).where("role", .equal, role.rawValue).run()
        }
    }

    /// Sets a member's delivery (nil: delivered), moderation (nil: the list's) and delivery
    /// mode (regular or a digest); an argument left nil changes nothing.
    @discardableResult
    public func setMember(
        _ list: String, address: String, role: ListRole = .member, disabled: DeliveryDisabled??,
        moderation: ModerationAction??, mode: DeliveryMode? = nil
    ) async throws -> ListMember {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            guard var row = try await Self.member(listID: found.id, key: member.key, role: role, in: db) else {
                throw ListError.unknownMember(member.description, list: found.address)
            }
            if let disabled { row.disabled = disabled }
            if let moderation { row.moderation = moderation }
            if let mode { row.mode = mode }
            try await db.update("list_member").set("disabled", to: SQLBind(row.disabled?.rawValue))
                .set("moderation", to: SQLBind(row.moderation?.rawValue)).set("delivery_mode", to: SQLBind(row.mode.rawValue))
                .where("id", .equal, row.id).run()
            return row
        }
    }

    /// One member of the list.
    public func member(_ list: String, address: String, role: ListRole = .member) async throws -> ListMember {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.withConnection { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            guard let row = try await Self.member(listID: found.id, key: member.key, role: role, in: db) else {
                throw ListError.unknownMember(member.description, list: found.address)
            }
            return row
        }
    }

    /// The list's members in `role` (every role when nil), by address.
    public func members(_ list: String, role: ListRole? = nil) async throws -> [ListMember] {
        let listKey = try Self.parse(list).key
        return try await database.withConnection { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            var query = Self.memberQuery(db).where("list_id", .equal, found.id)
            if let role { query = query.where("role", .equal, role.rawValue) }
            return try await query.orderBy("address_key").orderBy("role").all().map(Self.decodeMember)
        }
    }

    /// The list and member address an unsubscribe token names, without changing anything (the
    /// page a member's browser opens first; link checkers fetch it too).
    public func subscription(token: String) async throws -> (list: MailingList, address: String)? {
        guard Self.isPlausible(token: token) else { return nil }
        return try await database.withConnection { db in
            guard let member = try await Self.member(token: token, in: db),
                let list = try await Self.list(id: member.listID, in: db)
            else { return nil }
            return (list, member.address)
        }
    }

    /// Removes the member named by an unsubscribe token (RFC 8058 one-click); returns the list
    /// and the address, or nil when the token names nobody (used already, or never issued).
    public func unsubscribe(token: String) async throws -> (list: MailingList, address: String)? {
        guard Self.isPlausible(token: token) else { return nil }
        return try await database.transaction { db in
            guard let member = try await Self.member(token: token, in: db) else { return nil }
            guard let list = try await Self.list(id: member.listID, in: db) else { return nil }
            try await db.delete(from: "list_member").where("id", .equal, member.id).run()
            return (list, member.address)
        }
    }

    // MARK: Rows

    static func parse(_ address: String) throws -> MailAddress {
        do { return try MailAddress(parsing: address) } catch {
            throw ListError.invalid("invalid address '\(address)': \(error)")
        }
    }

    static func listQuery(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(
                "id", "address", "display_name", "description", "style", "subject_prefix", "reply_to", "reply_to_address",
                "member_action", "nonmember_action", "emergency", "max_size", "max_recipients", "require_explicit_destination",
                "administrivia", "dmarc_mitigation", "dmarc_always", "footer", "bounce_threshold", "subscribe_policy",
                "unsubscribe_policy", "digest_size_threshold", "digest_period", "digest_volume", "digest_issue",
                "digest_last_sent_at", "archive", "member_source", "bounce_warnings", "delivery_style", "hold_days", "created_at"
            )
            .from("mailing_list")
    }

    static func list(key: String, in db: any SQLDatabase) async throws -> MailingList? {
        try await listQuery(db).where("address_key", .equal, key).first().map(decodeList)
    }

    static func list(id: Int64, in db: any SQLDatabase) async throws -> MailingList? {
        try await listQuery(db).where("id", .equal, id).first().map(decodeList)
    }

    static func decodeList(_ row: any SQLRow) throws -> MailingList {
        func value<T: RawRepresentable>(_ type: T.Type, _ column: String) throws -> T where T.RawValue == String {
            let text = try row.decode(column: column, as: String.self)
            guard let value = T(rawValue: text) else { throw ListError.invalid("stored \(column) '\(text)' is unknown") }
            return value
        }
        return MailingList(
            id: try row.decode(column: "id", as: Int64.self), address: try row.decode(column: "address", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            description: try row.decode(column: "description", as: String.self), style: try value(ListStyle.self, "style"),
            subjectPrefix: try row.decode(column: "subject_prefix", as: String.self),
            replyTo: try value(ReplyToPolicy.self, "reply_to"),
            replyToAddress: try row.decode(column: "reply_to_address", as: String.self),
            memberAction: try value(ModerationAction.self, "member_action"),
            nonmemberAction: try value(ModerationAction.self, "nonmember_action"),
            emergency: try row.decode(column: "emergency", as: Bool.self),
            maxSize: try row.decode(column: "max_size", as: Int64.self),
            maxRecipients: Int(try row.decode(column: "max_recipients", as: Int64.self)),
            requireExplicitDestination: try row.decode(column: "require_explicit_destination", as: Bool.self),
            administrivia: try row.decode(column: "administrivia", as: Bool.self),
            dmarcMitigation: try value(DMARCMitigation.self, "dmarc_mitigation"),
            dmarcAlways: try row.decode(column: "dmarc_always", as: Bool.self),
            footer: try row.decode(column: "footer", as: String.self),
            bounceThreshold: Int(try row.decode(column: "bounce_threshold", as: Int64.self)),
            subscribePolicy: try value(SubscriptionPolicy.self, "subscribe_policy"),
            unsubscribePolicy: try value(SubscriptionPolicy.self, "unsubscribe_policy"),
            digestSizeThreshold: try row.decode(column: "digest_size_threshold", as: Int64.self),
            digestPeriod: try value(DigestPeriod.self, "digest_period"),
            digestVolume: Int(try row.decode(column: "digest_volume", as: Int64.self)),
            digestIssue: Int(try row.decode(column: "digest_issue", as: Int64.self)),
            digestLastSentAt: try row.decode(column: "digest_last_sent_at", as: Int64?.self),
            archive: try value(ArchivePolicy.self, "archive"),
            memberSource: MemberSource(try row.decode(column: "member_source", as: String.self)),
            bounceWarnings: Int(try row.decode(column: "bounce_warnings", as: Int64.self)),
            deliveryStyle: try value(DeliveryStyle.self, "delivery_style"),
            holdDays: Int(try row.decode(column: "hold_days", as: Int64.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func memberQuery(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(
                "id", "list_id", "address", "display_name", "role", "disabled", "moderation", "delivery_mode", "source",
                "bounce_score", "bounce_warnings", "token", "created_at"
            )
            .from("list_member")
    }

    static func member(listID: Int64, key: String, role: ListRole, in db: any SQLDatabase) async throws -> ListMember? {
        try await memberQuery(db).where("list_id", .equal, listID).where("address_key", .equal, key)
            .where("role", .equal, role.rawValue).first().map(decodeMember)
    }

    static func decodeMember(_ row: any SQLRow) throws -> ListMember {
        let role = try row.decode(column: "role", as: String.self)
        return ListMember(
            id: try row.decode(column: "id", as: Int64.self), listID: try row.decode(column: "list_id", as: Int64.self),
            address: try row.decode(column: "address", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            role: ListRole(rawValue: role) ?? .member,
            disabled: try row.decode(column: "disabled", as: String?.self).flatMap(DeliveryDisabled.init(rawValue:)),
            moderation: try row.decode(column: "moderation", as: String?.self).flatMap(ModerationAction.init(rawValue:)),
            mode: DeliveryMode(rawValue: try row.decode(column: "delivery_mode", as: String.self)) ?? .regular,
            source: try row.decode(column: "source", as: String.self),
            bounceScore: Int(try row.decode(column: "bounce_score", as: Int64.self)),
            bounceWarnings: Int(try row.decode(column: "bounce_warnings", as: Int64.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            token: try row.decode(column: "token", as: String.self))
    }
}
