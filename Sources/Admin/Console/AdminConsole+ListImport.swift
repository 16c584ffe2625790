import Core
import Lists

/// One setting an import gives a list: its value before (nil for a new list) and after.
public struct ListImportSetting: Sendable, Hashable, Encodable {
    public var name: String
    public var before: String?
    public var after: String
}

/// A member, owner or moderator an import could not add or change, and why.
public struct ListImportRefusal: Sendable, Hashable, Encodable {
    public var address: String
    public var role: ListRole
    public var reason: String
}

/// What an import of a Mailman list did (or, for a dry run, would do).
public struct ListImportResult: Sendable, Hashable, Encodable {
    public var list: String
    public var dryRun: Bool
    /// The list is new (or would be).
    public var created: Bool
    /// Every setting of a new list; the changed ones of an existing list.
    public var settings: [ListImportSetting]
    /// Members, owners and moderators added, with their delivery and moderation.
    public var added: [ImportedListMember]
    /// Those already on the list whose delivery mode, delivery or moderation changed.
    public var changed: [ImportedListMember]
    public var refused: [ListImportRefusal]
    /// Everything of the export that did not carry over ("not imported: …").
    public var warnings: [String]
}

extension AdminConsole {
    /// Imports a list exported from Mailman (`Mailman3Export`, `Mailman21Dump`) as `address`: creates
    /// it with the export's settings and members, or, with `update`, gives an existing list the
    /// export's settings and adds or changes its members (none is removed). A dry run checks
    /// the same and writes nothing. Permission `manageLists` in the list's domain; audited as
    /// `list.import` (and `list.create`/`list.update` for the settings).
    public func importList(
        as principal: Principal, address: String, export: MailmanListExport, update: Bool, dryRun: Bool
    ) async throws -> ListImportResult {
        try principal.require(.manageLists, in: try Self.listDomain(address))
        let existing: MailingList?
        do {
            existing = try await lists.list(address)
        } catch ListError.unknownList {
            existing = nil
        } catch let error as ListError {
            throw AdminError.invalid(error.description)
        }
        if let existing, !update {
            throw AdminError.conflict("list \(existing.address) exists already: import with --update to change it")
        }
        let before = existing.map { ListSettings($0).lines }
        var settings: [ListImportSetting] = []
        for (index, line) in export.settings.lines.enumerated() {
            guard let before else {
                settings.append(ListImportSetting(name: line.name, before: nil, after: line.value))
                continue
            }
            let old = before[index].value
            if old == line.value || (line.name == "subject-prefix" && export.settings.subjectPrefix == nil) { continue }
            settings.append(ListImportSetting(name: line.name, before: old, after: line.value))
        }
        var present: [ListMember] = []
        if let existing { present = try await Self.translateLists { try await lists.members(existing.address) } }
        var byKey: [String: ListMember] = [:]
        for member in present { byKey["\(member.role.rawValue) \(member.address.lowercased())"] = member }
        var result = ListImportResult(
            list: existing?.address ?? address, dryRun: dryRun, created: existing == nil, settings: settings, added: [],
            changed: [], refused: [], warnings: export.warnings)
        var toAdd: [ImportedListMember] = []
        for member in export.members {
            guard (try? MailAddress(parsing: member.address)) != nil else {
                result.refused.append(ListImportRefusal(address: member.address, role: member.role, reason: "not an address"))
                continue
            }
            if let old = byKey["\(member.role.rawValue) \(member.address.lowercased())"] {
                if old.mode != member.mode || old.disabled != member.disabled || old.moderation != member.moderation {
                    result.changed.append(member)
                }
            } else {
                toAdd.append(member)
            }
        }
        if dryRun {
            result.added = toAdd
            return result
        }

        let list: MailingList
        if let existing {
            list = try await Self.translateLists { try await lists.update(existing.address) { export.settings.apply(to: &$0) } }
            await audit(principal, "list.update", target: list.address, before: existing, after: list)
        } else {
            list = try await Self.translateLists { try await lists.create(address, settings: export.settings) }
            await audit(principal, "list.create", target: list.address, after: list)
        }
        result.list = list.address
        for member in toAdd {
            do {
                try await lists.addMember(
                    list.address, address: member.address, displayName: member.displayName, role: member.role)
                if member.mode != .regular || member.disabled != nil || member.moderation != nil {
                    try await lists.setMember(
                        list.address, address: member.address, role: member.role, disabled: .some(member.disabled),
                        moderation: .some(member.moderation), mode: member.mode)
                }
                result.added.append(member)
            } catch let error as ListError {
                result.refused.append(ListImportRefusal(address: member.address, role: member.role, reason: error.description))
            }
        }
        var changed: [ImportedListMember] = []
        for member in result.changed {
            do {
                try await lists.setMember(
                    list.address, address: member.address, role: member.role, disabled: .some(member.disabled),
                    moderation: .some(member.moderation), mode: member.mode)
                changed.append(member)
            } catch let error as ListError {
                result.refused.append(ListImportRefusal(address: member.address, role: member.role, reason: error.description))
            }
        }
        result.changed = changed
        await audit(
            principal, "list.import", target: list.address,
            after: ImportAudit(
                added: result.added.map { "\($0.role.rawValue) \($0.address)" },
                changed: result.changed.map { "\($0.role.rawValue) \($0.address)" }, refused: result.refused.count,
                warnings: result.warnings.count))
        return result
    }

    private struct ImportAudit: Encodable, Sendable {
        var added: [String]
        var changed: [String]
        var refused: Int
        var warnings: Int
    }
}
