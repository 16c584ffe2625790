import Admin
import Core
import Hummingbird
import Lists

/// `/admin/lists`: the mailing lists by domain, with a form to create one; `/admin/list`: one
/// list's settings (what `posta list set` takes), members (add, remove, change), pending
/// requests, and deletion after a confirmation page. Held posts: `ListHeldPages.swift`; bans
/// and header rules: `ListRulePages.swift`. Every
/// action is the `AdminConsole` call the CLI makes (permission `manageLists`, audited).
extension ConsolePages {
    /// Most lists whose members are counted on the index (a count reads the list's members).
    static let maxCountedLists = 50
    /// Most members shown on a list's page; a search narrows them.
    static let maxShownMembers = 200
    /// Most lines one add form takes.
    static let maxMemberLines = 5000

    /// The list pages' routes, registered by `WebRoutes.addConsole` with its `show` and `act`.
    static func listRoutes(
        show: (RouterPath, @escaping @Sendable (ConsolePages, ConsoleCall) async throws -> Response) -> Void,
        act: (
            RouterPath, @escaping @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response,
            @escaping @Sendable (ConsolePages, ConsoleCall) async throws -> Response
        ) -> Void
    ) {
        show("lists") { try await $0.mailingLists($1) }
        act("lists/add", { try await $0.mailingLists($1, form: $2) }, { try await $0.createMailingList($1) })
        show("list") { try await $0.mailingList($1) }
        let listForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.mailingList($1, form: $2)
        }
        act("list/settings", listForm, { try await $0.updateMailingList($1) })
        act("list/members/add", listForm, { try await $0.addMailingListMembers($1) })
        act("list/members/set", listForm, { try await $0.setMailingListMember($1) })
        act("list/members/delete", listForm, { try await $0.removeMailingListMember($1) })
        show("list/delete") { try await $0.mailingListDeletion($1) }
        act("list/delete", { try await $0.mailingListDeletion($1, form: $2) }, { try await $0.deleteMailingList($1) })
        show("list/held") { try await $0.heldListPosts($1) }
        show("list/held/show") { try await $0.heldListPost($1) }
        act("list/held/decide", { try await $0.heldListPosts($1, form: $2) }, { try await $0.decideHeldListPost($1) })
        show("list/rules") { try await $0.listRules($1) }
        let rulesForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.listRules($1, form: $2)
        }
        act("list/bans/add", rulesForm, { try await $0.addListBan($1) })
        act("list/bans/delete", rulesForm, { try await $0.removeListBan($1) })
        act("list/rules/add", rulesForm, { try await $0.addListHeaderRule($1) })
        act("list/rules/delete", rulesForm, { try await $0.removeListHeaderRule($1) })
    }

    static func listLink(_ address: String) -> String { "/admin/list?address=" + FormData.encode(address) }

    // MARK: The lists

    func mailingLists(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let domain = call.query.text("domain")
        let lists = try await console.mailingLists(as: call.principal, domain: domain)
        let domains = (try? await console.domains(as: call.principal).map(\.name)) ?? []
        // One read of every held post the principal may decide (none when lists are not set up).
        let held = (try? await console.heldPosts(as: call.principal)) ?? []
        let heldCounts = Dictionary(grouping: held, by: { $0.list.lowercased() }).mapValues(\.count)
        var rows: [[String: Any]] = []
        for (index, list) in lists.enumerated() {
            var row: [String: Any] = [
                "address": list.address, "link": Self.listLink(list.address), "style": list.style.rawValue,
                "heldLink": Self.heldLink(list.address),
            ]
            // Keys left out rather than empty: a section shows an empty string as present.
            if !list.displayName.isEmpty { row["name"] = list.displayName }
            let held = heldCounts[list.address.lowercased()] ?? 0
            if held > 0 { row["held"] = Format.count(held) }
            if index < Self.maxCountedLists {
                row["members"] = Format.count(
                    try await console.listMembers(as: call.principal, list: list.address, role: .member).count)
            }
            rows.append(row)
        }
        let style = form?.values["style"] ?? ListStyle.discussion.rawValue
        var data: [String: Any] = [
            "lists": rows, "empty": rows.isEmpty,
            "domains": domains.map { ["name": $0, "selected": $0 == domain] },
            "styles": Self.options(ListStyle.allCases.map(\.rawValue), selected: style),
        ]
        if let domain { data["domain"] = domain }
        return page(call, "console_lists", title: "Mailing lists", section: "lists", data, form: form)
    }

    func createMailingList(_ call: ConsoleCall) async throws -> Response {
        guard let address = call.form.text("address") else { throw AdminError.invalid("Enter the list's address.") }
        var settings = ListSettings()
        settings.displayName = call.form.text("name") ?? ""
        settings.style = try Self.choice(call.form, "style", "Style")
        var owner: (address: String, name: String)?
        if let text = call.form.text("owner") {
            guard let parsed = MemberLine.parse(text) else { throw AdminError.invalid("The owner is not an address: \(text)") }
            owner = parsed
        }
        let list = try await console.createList(as: call.principal, address: address, settings: settings)
        if let owner {
            let result = try await console.addListMembers(as: call.principal, list: list.address, members: [owner], role: .owner)
            if let refused = result.refused.first {
                return redirect(
                    Self.listLink(list.address),
                    Flash(.error, "List \(list.address) created, but the owner was refused: \(refused.reason)"))
            }
        }
        return done(Self.listLink(list.address), "List \(list.address) created.")
    }

    // MARK: One list

    /// The list named by the query (`address`) or by a re-shown form (`list`).
    static func listAddress(_ call: ConsoleCall) throws -> String {
        guard let address = call.query.text("address") ?? call.form.text("list") else { throw AdminError.notFound("list") }
        return address
    }

    func mailingList(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let list = try await console.mailingList(as: call.principal, address: try Self.listAddress(call))
        let members = try await console.listMembers(as: call.principal, list: list.address)
        let held = (try? await console.heldPosts(as: call.principal, list: list.address)) ?? []
        let pending = try await console.pendingListRequests(as: call.principal, list: list.address)
            .filter { $0.kind != .held }
        let query = call.query.text("q")?.lowercased()
        let matching = members.filter { member in
            query.map { member.address.lowercased().contains($0) || member.displayName.lowercased().contains($0) } ?? true
        }
        let count = { (role: ListRole) in members.filter { $0.role == role }.count }
        // A refused settings form is shown as typed; any other form leaves the settings as stored.
        let typed = form?.values["form"] == "settings" ? form?.values : nil
        var data = settingsData(list, typed: typed)
        data["address"] = list.address
        // The list's address under its own name too: inside a member's row, `address` is the member's.
        data["list"] = list.address
        data["link"] = Self.listLink(list.address)
        data["listID"] = list.listID
        data["members"] = matching.prefix(Self.maxShownMembers).map(Self.memberRow)
        data["noMembers"] = matching.isEmpty
        if matching.count > Self.maxShownMembers { data["cut"] = Format.count(matching.count) }
        data["shownMax"] = Self.maxShownMembers
        data["q"] = call.query.text("q") ?? ""
        data["searched"] = query != nil
        data["memberCount"] = Format.count(count(.member), "member")
        data["ownerCount"] = Format.count(count(.owner), "owner")
        data["moderatorCount"] = Format.count(count(.moderator), "moderator")
        let disabled = members.filter { $0.role == .member && $0.disabled != nil }.count
        if disabled > 0 { data["disabled"] = Format.count(disabled) }
        if !held.isEmpty { data["held"] = Format.count(held.count, "held post") }
        data["heldLink"] = Self.heldLink(list.address)
        data["rulesLink"] = Self.rulesLink(list.address)
        data["deleteLink"] = "/admin/list/delete?address=" + FormData.encode(list.address)
        data["roles"] = Self.options(ListRole.allCases.map(\.rawValue), selected: form?.values["role"] ?? "member")
        data["pending"] = pending.map { request in
            [
                "kind": Self.pendingLabel(request.kind), "address": request.address, "requestName": request.displayName,
                "named": !request.displayName.isEmpty,
                "requested": Format.time(request.createdAt), "expires": Format.time(request.expiresAt),
            ]
        }
        data["noPending"] = pending.isEmpty
        return page(call, "console_list", title: list.address, section: "lists", data, form: form)
    }

    static func memberRow(_ member: ListMember) -> [String: Any] {
        [
            "address": member.address, "memberName": member.displayName, "named": !member.displayName.isEmpty,
            "role": member.role.rawValue,
            "delivery": member.disabled.map { "off (\($0.rawValue))" } ?? "on", "off": member.disabled != nil,
            "mode": member.mode.rawValue, "moderation": member.moderation?.rawValue ?? "list default",
            "source": member.source,
            "bounces": member.bounceScore == 0 && member.bounceWarnings == 0
                ? "none" : "score \(member.bounceScore), warned \(member.bounceWarnings)",
            "deliveries": options(["on", "off"], selected: member.disabled == nil ? "on" : "off"),
            "modes": options(DeliveryMode.allCases.map(\.rawValue), selected: member.mode.rawValue),
            "moderations": options(
                ["list"] + ModerationAction.allCases.map(\.rawValue), selected: member.moderation?.rawValue ?? "list"),
        ]
    }

    static func pendingLabel(_ kind: PendingKind) -> String {
        switch kind {
        case .subscribe: "to join, waiting for the address to confirm"
        case .unsubscribe: "to leave, waiting for the member to confirm"
        case .invite: "invited, waiting for the address to accept"
        case .approveJoin: "to join, waiting for a moderator"
        case .approveLeave: "to leave, waiting for a moderator"
        case .held: "a held post"
        case .reenable: "delivery off after bounces, waiting for the member"
        }
    }

    /// The settings form's values: as stored, or as typed in a refused form.
    func settingsData(_ list: MailingList, typed: [String: String]?) -> [String: Any] {
        func value(_ name: String, _ stored: String) -> String { typed.map { $0[name] ?? "" } ?? stored }
        func flag(_ name: String, _ stored: Bool) -> Bool { typed.map { $0[name] != nil } ?? stored }
        func choose<T: RawRepresentable & CaseIterable>(_ name: String, _ stored: T) -> [[String: Any]]
        where T.RawValue == String {
            Self.options(T.allCases.map(\.rawValue), selected: value(name, stored.rawValue))
        }
        return [
            "description": value("description", list.description),
            "displayName": value("name", list.displayName),
            "styles": choose("style", list.style),
            "subjectPrefix": value("subject-prefix", list.subjectPrefix),
            "replyTos": choose("reply-to", list.replyTo),
            "replyToAddress": value("reply-to-address", list.replyToAddress),
            "memberActions": choose("member-action", list.memberAction),
            "nonmemberActions": choose("nonmember-action", list.nonmemberAction),
            "emergency": flag("emergency", list.emergency),
            "maxSize": value("max-size", Format.sizeInput(list.maxSize)),
            "maxRecipients": value("max-recipients", "\(list.maxRecipients)"),
            "requireExplicitDestination": flag("require-explicit-destination", list.requireExplicitDestination),
            "administrivia": flag("administrivia", list.administrivia),
            "dmarcMitigations": choose("dmarc-mitigation", list.dmarcMitigation),
            "dmarcAlways": flag("dmarc-always", list.dmarcAlways),
            "footer": value("footer", list.footer),
            "bounceThreshold": value("bounce-threshold", "\(list.bounceThreshold)"),
            "bounceWarnings": value("bounce-warnings", "\(list.bounceWarnings)"),
            "subscribePolicies": choose("subscribe-policy", list.subscribePolicy),
            "unsubscribePolicies": choose("unsubscribe-policy", list.unsubscribePolicy),
            "digestSizeThreshold": value("digest-size-threshold", Format.sizeInput(list.digestSizeThreshold)),
            "digestPeriods": choose("digest-period", list.digestPeriod),
            "archives": choose("archive", list.archive),
            "membersFrom": value("members-from", list.memberSource?.description ?? "none"),
            "deliveryStyles": choose("delivery-style", list.deliveryStyle),
            "holdDays": value("hold-days", "\(list.holdDays)"),
        ]
    }

    /// `<option>`s: each value, the one given selected.
    static func options(_ values: [String], selected: String) -> [[String: Any]] {
        values.map { ["value": $0, "selected": $0 == selected] }
    }

    // MARK: Settings

    func updateMailingList(_ call: ConsoleCall) async throws -> Response {
        let address = try Self.listAddress(call)
        let change = try Self.settingsChange(call.form)
        let list = try await console.updateList(as: call.principal, address: address, change)
        return done(Self.listLink(list.address), "Settings of \(list.address) saved.")
    }

    /// The settings of the form (every field of `posta list set`; an unticked box is false),
    /// checked before anything changes.
    static func settingsChange(_ form: FormData) throws -> @Sendable (inout MailingList) -> Void {
        let name = form.text("name") ?? ""
        let description = form.text("description") ?? ""
        let style: ListStyle = try choice(form, "style", "Style")
        let subjectPrefix = form["subject-prefix"] ?? ""
        let replyTo: ReplyToPolicy = try choice(form, "reply-to", "Reply-To")
        let replyToAddress = form.text("reply-to-address") ?? ""
        if replyTo == .explicit && replyToAddress.isEmpty {
            throw AdminError.invalid("Enter the Reply-To address, or choose another Reply-To.")
        }
        let memberAction: ModerationAction = try choice(form, "member-action", "Posts of members")
        let nonmemberAction: ModerationAction = try choice(form, "nonmember-action", "Posts of non-members")
        let emergency = form["emergency"] != nil
        let maxSize = try size(form, "max-size", "Largest post")
        let maxRecipients = try number(form, "max-recipients", "Most recipients")
        let explicit = form["require-explicit-destination"] != nil
        let administrivia = form["administrivia"] != nil
        let dmarcMitigation: DMARCMitigation = try choice(form, "dmarc-mitigation", "DMARC mitigation")
        let dmarcAlways = form["dmarc-always"] != nil
        // The footer as typed, line ends as the browser sent them (CRLF) made LF.
        let footer = (form["footer"] ?? "").replacing("\r\n", with: "\n").trimmingWhitespace()
        let bounceThreshold = try number(form, "bounce-threshold", "Bounce threshold")
        let bounceWarnings = try number(form, "bounce-warnings", "Bounce warnings")
        let subscribePolicy: SubscriptionPolicy = try choice(form, "subscribe-policy", "Joining")
        let unsubscribePolicy: SubscriptionPolicy = try choice(form, "unsubscribe-policy", "Leaving")
        let digestSize = try size(form, "digest-size-threshold", "Digest size")
        let digestPeriod: DigestPeriod = try choice(form, "digest-period", "Digest period")
        let archive: ArchivePolicy = try choice(form, "archive", "Archive")
        let deliveryStyle: DeliveryStyle = try choice(form, "delivery-style", "Delivery")
        let holdDays = try number(form, "hold-days", "Days a post stays held")
        var source: MemberSource?
        if let text = form.text("members-from"), text.lowercased() != "none" {
            guard let parsed = MemberSource(text) else {
                throw AdminError.invalid("Members from: domain:DOMAIN, alias:ADDRESS or none.")
            }
            source = parsed
        }
        let memberSource = source
        return { list in
            list.displayName = name
            list.description = description
            list.style = style
            list.subjectPrefix = subjectPrefix
            list.replyTo = replyTo
            list.replyToAddress = replyToAddress
            list.memberAction = memberAction
            list.nonmemberAction = nonmemberAction
            list.emergency = emergency
            list.maxSize = maxSize
            list.maxRecipients = maxRecipients
            list.requireExplicitDestination = explicit
            list.administrivia = administrivia
            list.dmarcMitigation = dmarcMitigation
            list.dmarcAlways = dmarcAlways
            list.footer = footer
            list.bounceThreshold = bounceThreshold
            list.bounceWarnings = bounceWarnings
            list.subscribePolicy = subscribePolicy
            list.unsubscribePolicy = unsubscribePolicy
            list.digestSizeThreshold = digestSize
            list.digestPeriod = digestPeriod
            list.archive = archive
            list.memberSource = memberSource
            list.deliveryStyle = deliveryStyle
            list.holdDays = holdDays
        }
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ form: FormData, _ name: String, _ label: String) throws -> T
    where T.RawValue == String {
        guard let text = form.text(name), let value = T(rawValue: text) else {
            throw AdminError.invalid("\(label): choose one of \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    static func size(_ form: FormData, _ name: String, _ label: String) throws -> Int64 {
        guard let bytes = Format.parseSize(form[name] ?? "") else {
            throw AdminError.invalid("\(label): a size such as 30K or 2M (0: no limit).")
        }
        return bytes
    }

    static func number(_ form: FormData, _ name: String, _ label: String) throws -> Int {
        guard let number = Int(form.text(name) ?? "0"), number >= 0, number <= 1_000_000 else {
            throw AdminError.invalid("\(label): a whole number, 0 or more.")
        }
        return number
    }

    // MARK: Members

    func addMailingListMembers(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        let role: ListRole = try Self.choice(call.form, "role", "Role")
        var entries: [(address: String, name: String)] = []
        var refused: [String] = []
        let lines = (call.form["addresses"] ?? "").split(whereSeparator: \.isNewline)
        guard lines.count <= Self.maxMemberLines else {
            throw AdminError.invalid("At most \(Self.maxMemberLines) lines at once; `posta list member add --file` takes more.")
        }
        for line in lines {
            let text = String(line).trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            if let entry = MemberLine.parse(text) { entries.append(entry) } else { refused.append("\(text): not an address") }
        }
        guard !entries.isEmpty else {
            throw AdminError.invalid(refused.isEmpty ? "Enter at least one address." : refused.joined(separator: "; "))
        }
        let result = try await console.addListMembers(as: call.principal, list: list, members: entries, role: role)
        refused += result.refused.map { "\($0.address): \($0.reason)" }
        let added = Format.count(result.added.count, role.rawValue)
        if result.added.isEmpty { throw AdminError.conflict("Nobody added. " + refused.joined(separator: "; ")) }
        if !refused.isEmpty {
            return redirect(
                Self.listLink(list), Flash(.error, "Added \(added); \(refused.count) refused: \(refused.joined(separator: "; "))")
            )
        }
        return done(Self.listLink(list), "Added \(added).")
    }

    func setMailingListMember(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        guard let address = call.form.text("address") else { throw AdminError.notFound("member") }
        let role: ListRole = try Self.choice(call.form, "role", "Role")
        let current = try await console.listMembers(as: call.principal, list: list, role: role)
            .first { $0.address.lowercased() == address.lowercased() }
        guard let current else { throw AdminError.notFound("member \(address)") }
        // Delivery changes only when switched: an "off" left alone keeps its reason (bounces).
        var disabled: DeliveryDisabled?? = nil
        switch call.form.text("delivery") {
        case "on" where current.disabled != nil: disabled = .some(nil)
        case "off" where current.disabled == nil: disabled = .some(.moderator)
        case "on", "off", nil: break
        default: throw AdminError.invalid("Delivery: on or off.")
        }
        var moderation: ModerationAction?? = nil
        if let text = call.form.text("moderation") {
            if text == "list" {
                moderation = .some(nil)
            } else {
                moderation = .some(try Self.choice(call.form, "moderation", "Moderation") as ModerationAction)
            }
        }
        let mode: DeliveryMode? = call.form.text("mode") == nil ? nil : try Self.choice(call.form, "mode", "Mode")
        let member = try await console.setListMember(
            as: call.principal, list: list, address: address, role: role, disabled: disabled, moderation: moderation,
            mode: mode)
        return done(
            Self.listLink(list),
            "\(member.address): delivery \(member.disabled == nil ? "on" : "off") (\(member.mode.rawValue)), moderation \(member.moderation?.rawValue ?? "as the list")."
        )
    }

    func removeMailingListMember(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        guard let address = call.form.text("address") else { throw AdminError.notFound("member") }
        let role: ListRole = try Self.choice(call.form, "role", "Role")
        try await console.removeListMember(as: call.principal, list: list, address: address, role: role)
        return done(Self.listLink(list), "Removed \(address) (\(role.rawValue)).")
    }

    // MARK: Deletion

    /// The confirmation page: what deleting the list removes.
    func mailingListDeletion(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let list = try await console.mailingList(as: call.principal, address: try Self.listAddress(call))
        let members = try await console.listMembers(as: call.principal, list: list.address)
        let held = (try? await console.heldPosts(as: call.principal, list: list.address)) ?? []
        let data: [String: Any] = [
            "address": list.address, "link": Self.listLink(list.address),
            "members": Format.count(members.count, "member"), "held": Format.count(held.count, "held post"),
            "archive": list.archive != .none,
        ]
        return page(call, "console_list_delete", title: "Delete \(list.address)", section: "lists", data, form: form)
    }

    func deleteMailingList(_ call: ConsoleCall) async throws -> Response {
        let address = try Self.listAddress(call)
        // The confirmation page's button names the list again: a stray POST deletes nothing.
        guard call.form.text("confirm")?.lowercased() == address.lowercased() else {
            throw AdminError.invalid("Confirm the deletion on this page.")
        }
        try await console.deleteList(as: call.principal, address: address)
        return done("/admin/lists?domain=" + FormData.encode(Self.domain(of: address)), "List \(address) deleted.")
    }

    /// A redirect with `flash` for the next page.
    func redirect(_ location: String, _ flash: Flash) -> Response {
        var response = ConsoleHTTP.redirect(location)
        ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, flash.cookieValue))
        return response
    }
}
