import Foundation

/// A Mailman 3 list: the JSON of its REST `GET /3.1/lists/{list_id}/config`, and its members as
/// REST rosters (`/3.1/lists/{list_id}/roster/{member,owner,moderator}` or
/// `/3.1/members/find?list_id=…`: `{"entries": [{"email", "display_name", "role",
/// "delivery_mode", "delivery_status", "moderation_action"}…]}` or the bare array) or as the text
/// of `mailman members LIST`. docs/lists.md lists the mapping.
///
/// Mailman 3.3's member resources do not carry `delivery_status` (it is one of the member's
/// preferences, `/3.1/members/{id}/preferences`): an entry with it merged in keeps it; a text
/// roster takes it from the `MailmanRosterMarks`.
public enum Mailman3Export {
    /// A member roster as exported.
    public enum Roster: Sendable {
        /// REST JSON; entries without a `role` are in this one.
        case json([UInt8], role: ListRole)
        /// `mailman members` output: everyone in `role`.
        case text([UInt8], role: ListRole)
    }

    /// At most this many octets of configuration JSON.
    public static let maxConfigLength = 4 << 20

    /// Resource fields that name or describe the list itself, or are counters: never settings.
    static let context: Set<String> = [
        "fqdn_listname", "list_name", "mail_host", "list_id", "posting_address", "bounces_address", "join_address",
        "leave_address", "owner_address", "request_address", "no_reply_address", "http_etag", "self_link", "created_at",
        "last_post_at", "post_id", "volume", "next_digest_number", "digest_last_sent_at", "usenet_watermark",
    ]

    /// The export of `config` and `rosters`; every setting that does not carry over is a warning.
    public static func parse(
        config: [UInt8], rosters: [Roster], marks: MailmanRosterMarks = MailmanRosterMarks(), address: String? = nil
    ) throws -> MailmanListExport {
        guard config.count <= maxConfigLength else {
            throw MailmanImportError("configuration larger than \(maxConfigLength) octets")
        }
        guard case .object(let fields) = try JSONValue.decode(config, what: "configuration") else {
            throw MailmanImportError("configuration: not a JSON object (GET /3.1/lists/LIST/config)")
        }
        var mapper = Mapper(values: Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        mapper.map()
        var export = MailmanListExport(settings: mapper.settings, warnings: mapper.notes)
        if let address, let name = mapper.values["fqdn_listname"]?.string, name.lowercased() != address.lowercased() {
            export.warnings.append("imported as \(address) (Mailman's list is \(name))")
        }
        for pair in fields.sorted(by: { $0.key < $1.key }) where !mapper.used.contains(pair.key) && !context.contains(pair.key) {
            export.warnings.append("not imported: \(pair.key) = \(pair.value)")
        }
        for roster in rosters {
            switch roster {
            case .json(let bytes, let role):
                let (members, notes) = try Self.members(json: bytes, role: role)
                export.warnings += notes
                export.add(members)
            case .text(let bytes, let role):
                export.add(try MailmanMemberText.parse(bytes, role: role))
            }
        }
        if !(marks.digest.isEmpty && marks.plainDigest.isEmpty && marks.nomail.isEmpty && marks.moderated.isEmpty) {
            export.warnings += marks.mark(&export.members, digestMode: .mimeDigest, moderation: .hold)
        }
        return export
    }

    /// The entries of a REST roster, and a note per detail that does not carry over.
    public static func members(json: [UInt8], role defaultRole: ListRole) throws -> ([ImportedListMember], [String]) {
        guard json.count <= MailmanMemberText.maxLength else {
            throw MailmanImportError("member roster larger than \(MailmanMemberText.maxLength) octets")
        }
        let entries: [JSONValue]
        switch try JSONValue.decode(json, what: "member roster") {
        case .array(let items): entries = items
        case .object(let fields):
            guard let found = fields.first(where: { $0.key == "entries" }) else {
                // An empty REST collection has no "entries" at all.
                if fields.contains(where: { $0.key == "total_size" }) { return ([], []) }
                throw MailmanImportError("member roster: no \"entries\" (GET /3.1/lists/LIST/roster/member)")
            }
            guard case .array(let items) = found.value else { throw MailmanImportError("member roster: \"entries\" is no array") }
            entries = items
        default: throw MailmanImportError("member roster: not a JSON object or array")
        }
        var members: [ImportedListMember] = []
        var notes: [String] = []
        for (number, entry) in entries.enumerated() {
            guard case .object(let pairs) = entry else {
                throw MailmanImportError("member roster entry \(number + 1): not an object")
            }
            let fields = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            guard let email = fields["email"]?.string, let address = MailmanMemberText.entry(email)?.address else {
                throw MailmanImportError("member roster entry \(number + 1): no valid \"email\"")
            }
            var member = ImportedListMember(
                address: address, displayName: fields["display_name"]?.string ?? "", role: defaultRole)
            if let role = fields["role"]?.string {
                guard let known = ListRole(rawValue: role) else {
                    notes.append("not imported: \(address) in role \(role) (Posta has owners, moderators and members)")
                    continue
                }
                member.role = known
            }
            if member.role == .member, let mode = fields["delivery_mode"]?.string {
                switch mode {
                case "regular": member.mode = .regular
                case "mime_digests": member.mode = .mimeDigest
                case "plaintext_digests": member.mode = .plainDigest
                case "summary_digests":
                    member.mode = .plainDigest
                    notes.append("\(address): delivery_mode summary_digests imported as plain-digest")
                default: notes.append("not imported: \(address) delivery_mode = \(mode)")
                }
            }
            if let status = fields["delivery_status"]?.string {
                switch status {
                case "enabled": member.disabled = nil
                case "by_user": member.disabled = .user
                case "by_bounces": member.disabled = .bounces
                case "by_moderator": member.disabled = .moderator
                default:
                    member.disabled = .moderator
                    notes.append("\(address): delivery_status \(status) imported as disabled by a moderator")
                }
            }
            if let action = fields["moderation_action"]?.string {
                switch (action, member.role) {
                case ("defer", _): member.moderation = nil
                // Mailman gives owners and moderators `accept`; Posta lets them post anyway.
                case ("accept", .owner), ("accept", .moderator): member.moderation = nil
                case (_, .member):
                    if let known = ModerationAction(rawValue: action) {
                        member.moderation = known
                    } else {
                        notes.append("not imported: \(address) moderation_action = \(action)")
                    }
                default: notes.append("not imported: \(member.role.rawValue) \(address) moderation_action = \(action)")
                }
            }
            members.append(member)
        }
        return (members, notes)
    }

    /// The setting-by-setting translation; `used` collects the names consumed.
    struct Mapper {
        let values: [String: JSONValue]
        var settings = ListSettings()
        var used: Set<String> = []
        var notes: [String] = []

        init(values: [String: JSONValue]) { self.values = values }

        mutating func take(_ name: String) -> JSONValue? {
            guard let value = values[name] else { return nil }
            used.insert(name)
            return value
        }

        mutating func note(_ name: String, _ why: String) {
            notes.append("not imported: \(name) = \(values[name].map { "\($0)" } ?? "?") (\(why))")
        }

        mutating func string(_ name: String) -> String? {
            guard let value = take(name) else { return nil }
            if case .null = value { return nil }
            guard let text = value.string else {
                note(name, "not a string")
                return nil
            }
            return text
        }

        mutating func number(_ name: String) -> Double? {
            guard let value = take(name) else { return nil }
            guard case .number(let number) = value, number.isFinite, abs(number) < 1e12 else {
                note(name, "not a number")
                return nil
            }
            return number
        }

        mutating func bool(_ name: String) -> Bool? {
            guard let value = take(name) else { return nil }
            guard case .bool(let flag) = value else {
                note(name, "not true or false")
                return nil
            }
            return flag
        }

        /// One of Mailman's enumeration values, translated by `table`; others are noted.
        mutating func choice<T>(_ name: String, _ table: [String: T]) -> T? {
            guard let value = string(name) else { return nil }
            guard let mapped = table[value] else {
                note(name, "no Posta equivalent")
                return nil
            }
            return mapped
        }

        /// A number from the export as a count: 0 to 10⁹ (a hostile export's 1e300 would trap
        /// the conversion to an integer; the list's own limits refuse what is still too large).
        static func bounded(_ value: Double) -> Double { value.isNaN ? 0 : min(max(0, value), 1e9) }

        static let actions: [String: ModerationAction] = [
            "accept": .accept, "defer": .defer, "hold": .hold, "reject": .reject, "discard": .discard,
        ]
        static let policies: [String: SubscriptionPolicy] = [
            "open": .open, "confirm": .confirm, "moderate": .moderate, "confirm_then_moderate": .confirmThenModerate,
        ]

        mutating func map() {
            if let name = string("display_name") { settings.displayName = name }
            if let text = string("description") { settings.description = text }
            if let prefix = string("subject_prefix") {
                settings.subjectPrefix = Mailman21Dump.Mapper.withoutSequence(prefix, notes: &notes).mailmanTrimmed()
            }
            mapModeration()
            switch string("reply_goes_to_list") {
            case nil: break
            case "no_munging": settings.replyTo = .leave
            case "point_to_list": settings.replyTo = .list
            case let style? where style == "explicit_header" || style == "explicit_header_only":
                let address = string("reply_to_address") ?? ""
                if address.isEmpty {
                    notes.append("not imported: reply_goes_to_list = \(style) (reply_to_address is empty): left alone")
                } else {
                    settings.replyTo = .explicit
                    settings.replyToAddress = address
                }
            case let other?: note("reply_goes_to_list", "unknown value \(other)")
            }
            if settings.replyTo != .explicit, let address = values["reply_to_address"]?.string, !address.isEmpty {
                note("reply_to_address", "reply_goes_to_list is not explicit_header")
            }
            used.insert("reply_to_address")
            switch string("dmarc_mitigate_action") {
            case nil: break
            case "no_mitigation": settings.dmarcMitigation = .none
            case "munge_from": settings.dmarcMitigation = .munge
            case "wrap_message": settings.dmarcMitigation = .wrap
            case let action? where action == "reject" || action == "discard":
                settings.dmarcMitigation = .munge
                notes.append(
                    "dmarc_mitigate_action = \(action): imported as dmarc-mitigation munge (Posta mitigates, it does not refuse such posts)"
                )
            case let other?: note("dmarc_mitigate_action", "unknown value \(other)")
            }
            if let always = bool("dmarc_mitigate_unconditionally") { settings.dmarcAlways = always }
            if let size = number("max_message_size") { settings.maxSize = Int64(Self.bounded(size) * 1024) }
            if let count = number("max_num_recipients") { settings.maxRecipients = Int(Self.bounded(count)) }
            if let flag = bool("require_explicit_destination") { settings.requireExplicitDestination = flag }
            if let flag = bool("administrivia") { settings.administrivia = flag }
            if let flag = bool("emergency") { settings.emergency = flag }
            if let policy = choice("subscription_policy", Self.policies) { settings.subscribePolicy = policy }
            if let policy = choice("unsubscription_policy", Self.policies) { settings.unsubscribePolicy = policy }
            if let threshold = number("digest_size_threshold") {
                settings.digestSizeThreshold = Int64(Self.bounded(threshold) * 1024)
            }
            if let periodic = bool("digest_send_periodic") { settings.digestPeriod = periodic ? .daily : .none }
            if let frequency = string("digest_volume_frequency"), frequency != "monthly" {
                note("digest_volume_frequency", "Posta starts a new volume each month")
            }
            if bool("digests_enabled") == false {
                notes.append("not imported: digests_enabled = false (Posta lists always offer digests)")
            }
            if let archive = choice("archive_policy", ["never": ArchivePolicy.none, "private": .private, "public": .public]) {
                settings.archive = archive
            }
            if let threshold = number("bounce_score_threshold") { settings.bounceThreshold = Int(Self.bounded(threshold)) }
            if let warnings = number("bounce_you_are_disabled_warnings") { settings.bounceWarnings = Int(Self.bounded(warnings)) }
            if let style = choice(
                "personalize", ["none": DeliveryStyle.bulk, "individual": .personalised, "full": .personalised])
            {
                settings.deliveryStyle = style
            }
            if let days = number("max_days_to_hold") { settings.holdDays = Int(Self.bounded(days)) }
            if let uri = string("footer_uri"), !uri.isEmpty {
                note("footer_uri", "a template URI is not fetched: set the footer with posta list set --footer")
            }
            if let pipeline = string("posting_pipeline"), pipeline != "default-posting-pipeline" {
                note("posting_pipeline", "Posta has one posting pipeline")
            }
        }

        /// Posting rights: `allow_list_posts` false (List-Post: NO) or members held is Posta's
        /// announce style.
        mutating func mapModeration() {
            let member = choice("default_member_action", Self.actions)
            let nonmember = choice("default_nonmember_action", Self.actions)
            let listPosts = bool("allow_list_posts")
            if let member { settings.memberAction = member }
            if let nonmember { settings.nonmemberAction = nonmember }
            if listPosts == false || member == .hold {
                settings.style = .announce
                if settings.nonmemberAction <= .defer {
                    settings.nonmemberAction = .hold
                    notes.append("default_nonmember_action = accept on an announce list: Posta holds non-members' posts")
                }
            }
        }
    }
}

/// A JSON value, decoded by Foundation's bounded parser (it refuses deep nesting).
enum JSONValue: Decodable, Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([Pair])

    struct Pair: Sendable, Hashable {
        var key: String
        var value: JSONValue
    }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
        } else if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(
                try object.allKeys.map { Pair(key: $0.stringValue, value: try object.decode(JSONValue.self, forKey: $0)) })
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func decode(_ bytes: [UInt8], what: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw MailmanImportError("\(what): not valid JSON (\(String("\(error)".prefix(200))))")
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var description: String {
        let text: String
        switch self {
        case .null: text = "null"
        case .bool(let flag): text = "\(flag)"
        case .number(let number): text = number == number.rounded() && abs(number) < 1e15 ? "\(Int(number))" : "\(number)"
        case .string(let value): text = "\"\(value)\""
        case .array(let items): text = "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let pairs): text = "{" + pairs.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
