/// A Mailman 2.1 list: `config_list -o - LIST` (its settings as Python assignments,
/// `PythonAssignments`) and `list_members -f LIST` (the members, `Name <address>` a line),
/// optionally with the digest, no-mail and moderated members' rosters (`list_members -d`,
/// `-n`, and the addresses with the moderation flag). docs/lists.md lists the mapping.
public enum Mailman21Dump {
    /// Settings read for their effect on others, or that name the list itself: never warned about.
    static let context: Set<String> = ["host_name", "mime_is_default_digest", "member_moderation_notice"]

    /// The export of `config` and `members` (2.1's text formats); every setting that does not
    /// carry over is a warning.
    public static func parse(config: [UInt8], members: [UInt8], rosters: MailmanRosterMarks = MailmanRosterMarks()) throws
        -> MailmanListExport
    {
        let parsed = try PythonAssignments.parse(config)
        var values: [String: PythonValue] = [:]
        var order: [String] = []
        for (name, value) in parsed.assignments {
            if values.updateValue(value, forKey: name) == nil { order.append(name) }
        }
        var mapper = Mapper(values: values)
        mapper.map()
        let owners = mapper.people(role: .owner, from: "owner")
        let moderators = mapper.people(role: .moderator, from: "moderator")
        var export = MailmanListExport(settings: mapper.settings)
        export.warnings = mapper.notes
        for name in order where !mapper.used.contains(name) && !context.contains(name) {
            export.warnings.append("not imported: \(name) = \(values[name]!)")
        }
        let plainByDefault = values["mime_is_default_digest"]?.boolValue == false
        var roster = try MailmanMemberText.parse(members)
        export.warnings += rosters.mark(
            &roster, digestMode: plainByDefault ? .plainDigest : .mimeDigest, moderation: mapper.memberModerationAction)
        export.add(roster)
        export.add(owners)
        export.add(moderators)
        export.warnings += mapper.peopleNotes
        return export
    }

    /// The setting-by-setting translation; `used` collects the names consumed.
    struct Mapper {
        let values: [String: PythonValue]
        var settings = ListSettings()
        var used: Set<String> = []
        var notes: [String] = []
        var peopleNotes: [String] = []
        var memberModerationAction = ModerationAction.hold

        init(values: [String: PythonValue]) { self.values = values }

        mutating func take(_ name: String) -> PythonValue? {
            guard let value = values[name] else { return nil }
            used.insert(name)
            return value
        }

        mutating func note(_ name: String, _ why: String) {
            notes.append("not imported: \(name) = \(values[name].map { "\($0)" } ?? "?") (\(why))")
        }

        mutating func string(_ name: String) -> String? {
            guard let value = take(name) else { return nil }
            guard let text = value.stringValue else {
                note(name, "not a string")
                return nil
            }
            return text
        }

        mutating func int(_ name: String) -> Int? {
            guard let value = take(name) else { return nil }
            guard let number = value.intValue else {
                note(name, "not a number")
                return nil
            }
            return number
        }

        mutating func bool(_ name: String) -> Bool? { int(name).map { $0 != 0 } }

        /// 0..3 as accept/hold/reject/discard (generic_nonmember_action); 2.1's accept still lets
        /// the later checks (size, recipients) hold a post: Posta's `defer`.
        static let actions: [ModerationAction] = [.defer, .hold, .reject, .discard]

        mutating func map() {
            if let name = string("real_name") { settings.displayName = name }
            if let text = string("description") { settings.description = text }
            if let prefix = string("subject_prefix") {
                settings.subjectPrefix = Self.withoutSequence(prefix, notes: &notes).mailmanTrimmed()
            }
            switch int("reply_goes_to_list") {
            case nil: break
            case 0: settings.replyTo = .leave
            case 1: settings.replyTo = .list
            case 2:
                let address = string("reply_to_address") ?? ""
                if address.isEmpty {
                    notes.append("not imported: reply_goes_to_list = 2 (explicit, but reply_to_address is empty): left alone")
                } else {
                    settings.replyTo = .explicit
                    settings.replyToAddress = address
                }
            case let other?: note("reply_goes_to_list", "unknown value \(other)")
            }
            if settings.replyTo != .explicit, let address = values["reply_to_address"], address != .string("") {
                _ = take("reply_to_address")
                note("reply_to_address", "reply_goes_to_list is not 2")
            } else if settings.replyTo != .explicit {
                _ = take("reply_to_address")
            }
            if let size = int("max_message_size") { settings.maxSize = Int64(min(max(0, size), 1_000_000_000)) * 1024 }
            if let count = int("max_num_recipients") { settings.maxRecipients = max(0, count) }
            if let action = int("generic_nonmember_action") {
                if Self.actions.indices.contains(action) {
                    settings.nonmemberAction = Self.actions[action]
                } else {
                    note("generic_nonmember_action", "unknown value")
                }
            }
            // member_moderation_action: 0 hold, 1 reject, 2 discard (what a moderated member's post gets).
            switch int("member_moderation_action") {
            case 1?: memberModerationAction = .reject
            case 2?: memberModerationAction = .discard
            default: memberModerationAction = .hold
            }
            if bool("default_member_moderation") == true {
                // Every new member moderated: the way 2.1 runs an announce list. Posta has no
                // per-list default for new members; the list's member action holds them all.
                settings.style = .announce
                settings.memberAction = memberModerationAction
                notes.append(
                    "default_member_moderation = 1: imported as style announce with member-action "
                        + "\(memberModerationAction.rawValue) (every member moderated, not only new ones)")
            }
            if settings.style == .announce, settings.nonmemberAction <= .defer {
                settings.nonmemberAction = .hold
                notes.append("generic_nonmember_action = 0 (accept) on an announce list: Posta holds non-members' posts")
            }
            switch int("subscribe_policy") {
            case nil: break
            case 0: settings.subscribePolicy = .open
            case 1: settings.subscribePolicy = .confirm
            case 2: settings.subscribePolicy = .moderate
            case 3: settings.subscribePolicy = .confirmThenModerate
            case let other?: note("subscribe_policy", "unknown value \(other)")
            }
            switch int("unsubscribe_policy") {
            case nil: break
            case 0: settings.unsubscribePolicy = .confirm
            case 1: settings.unsubscribePolicy = .confirmThenModerate
            case let other?: note("unsubscribe_policy", "unknown value \(other)")
            }
            if let archive = bool("archive") {
                if !archive {
                    settings.archive = .none
                    _ = take("archive_private")
                } else {
                    settings.archive = bool("archive_private") == false ? .public : .private
                }
            }
            if bool("digestable") == false {
                notes.append("not imported: digestable = False (Posta lists always offer digests)")
            }
            if let threshold = int("digest_size_threshhold") {
                settings.digestSizeThreshold = Int64(min(max(0, threshold), 1_000_000_000)) * 1024
            }
            if let periodic = bool("digest_send_periodic") { settings.digestPeriod = periodic ? .daily : .none }
            if let frequency = int("digest_volume_frequency"), frequency != 1 {
                note("digest_volume_frequency", "Posta starts a new volume each month")
            }
            if let text = string("msg_footer") { settings.footer = footer(text) }
            if let emergency = bool("emergency") { settings.emergency = emergency }
            if let administrivia = bool("administrivia") { settings.administrivia = administrivia }
            if let explicit = bool("require_explicit_destination") { settings.requireExplicitDestination = explicit }
            if let threshold = int("bounce_score_threshold") { settings.bounceThreshold = max(0, threshold) }
            if let warnings = int("bounce_you_are_disabled_warnings") { settings.bounceWarnings = max(0, warnings) }
            // personalize: 0 one copy for many, 1 and 2 a copy per member.
            if let personalize = int("personalize") { settings.deliveryStyle = personalize == 0 ? .bulk : .personalised }
            if let days = int("max_days_to_hold") { settings.holdDays = max(0, days) }
            mapDMARC()
        }

        /// `from_is_list` (every post) wins over `dmarc_moderation_action` (strict domains only).
        mutating func mapDMARC() {
            let always = int("from_is_list")
            let strict = int("dmarc_moderation_action")
            switch always {
            case 1?:
                settings.dmarcMitigation = .munge
                settings.dmarcAlways = true
            case 2?:
                settings.dmarcMitigation = .wrap
                settings.dmarcAlways = true
            case 0?, nil: break
            case let other?: note("from_is_list", "unknown value \(other)")
            }
            guard !settings.dmarcAlways else { return }
            switch strict {
            case nil: break
            case 0?: settings.dmarcMitigation = .none
            case 1?: settings.dmarcMitigation = .munge
            case 2?: settings.dmarcMitigation = .wrap
            case 3?, 4?:
                settings.dmarcMitigation = .munge
                notes.append(
                    "dmarc_moderation_action = \(strict!) (\(strict == 3 ? "reject" : "discard")): imported as dmarc-mitigation munge "
                        + "(Posta mitigates, it does not refuse such posts)")
            case let other?: note("dmarc_moderation_action", "unknown value \(other)")
            }
        }

        /// 2.1's footer with the substitutions Posta can make now; any other `%(name)s` is left
        /// and noted.
        mutating func footer(_ text: String) -> String {
            let name = values["real_name"]?.stringValue ?? ""
            let host = values["host_name"]?.stringValue ?? ""
            let listName = name.lowercased()
            var out = text
            for (key, value) in [
                ("real_name", name), ("list_name", listName), ("_internal_name", listName), ("host_name", host),
                ("description", values["description"]?.stringValue ?? ""),
            ] {
                out = out.replacingAll("%(\(key))s", with: value)
            }
            if out.contains("%(") {
                notes.append("msg_footer: substitutions Posta does not make are left as written (\"%(…)s\")")
            }
            return out
        }

        /// 2.1's prefix may number posts (`[dept %d]`, `%05d`): Posta does not; the number goes.
        static func withoutSequence(_ prefix: String, notes: inout [String]) -> String {
            var out = ""
            var rest = Substring(prefix)
            var removed = false
            while let percent = rest.firstIndex(of: "%") {
                out += rest[..<percent]
                let after = rest[rest.index(after: percent)...]
                let digits = after.prefix(while: { $0.isASCII && $0.isNumber })
                if after.dropFirst(digits.count).first == "d" {
                    rest = after.dropFirst(digits.count + 1)
                    removed = true
                    // "[dept %d]" becomes "[dept]", not "[dept ]".
                    while out.last == " " && (rest.first == "]" || rest.first == ")" || rest.first == " ") { out.removeLast() }
                } else {
                    out.append("%")
                    rest = after
                }
            }
            out += rest
            if removed {
                notes.append("subject_prefix = '\(prefix)': the post number (%d) is dropped, Posta does not number posts")
            }
            return out
        }

        /// The owners or moderators (`owner = ['a@x']`); addresses only, 2.1 keeps no names.
        mutating func people(role: ListRole, from name: String) -> [ImportedListMember] {
            guard let value = take(name) else { return [] }
            guard let addresses = value.stringList else {
                peopleNotes.append("not imported: \(name) = \(value) (not a list of addresses)")
                return []
            }
            var out: [ImportedListMember] = []
            for address in addresses {
                guard let (parsed, displayName) = MailmanMemberText.entry(address.mailmanTrimmed()) else {
                    peopleNotes.append("not imported: \(role.rawValue) '\(address)' (not an address)")
                    continue
                }
                out.append(ImportedListMember(address: parsed, displayName: displayName, role: role))
            }
            return out
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
