import Admin
import Filter
import Hummingbird

/// `/admin/quarantine`: held messages with reason/sender/recipient filters, paged, with bulk
/// release/delete; `/admin/quarantine/{id}`: one message's envelope, header fields and verdict.
extension ConsolePages {
    func quarantine(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let reason = call.query.text("reason")
        let sender = call.query.text("sender")
        let recipient = call.query.text("recipient")
        let page = try await console.quarantineEntries(
            as: call.principal,
            QuarantineFilter(reason: reason, sender: sender, recipient: recipient, cursor: call.query.text("cursor")))
        let subjects = try await console.quarantineSubjects(as: call.principal, page.items)
        let rows: [[String: Any]] = page.items.map { entry in
            [
                "id": entry.id, "link": Self.quarantineLink(entry.id), "subject": subjects[entry.id] ?? "",
                "sender": entry.reversePath.isEmpty ? "<>" : entry.reversePath,
                "recipients": entry.recipients.joined(separator: ", "), "size": Format.bytes(entry.size),
                "held": Format.time(entry.heldAt), "reason": entry.reason,
            ]
        }
        var data: [String: Any] = [
            "entries": rows, "empty": rows.isEmpty, "reason": reason ?? "", "sender": sender ?? "",
            "recipient": recipient ?? "", "filtered": reason != nil || sender != nil || recipient != nil,
            "paged": call.query.text("cursor") != nil,
        ]
        if let next = page.next {
            var link = "/admin/quarantine?cursor=" + FormData.encode(next)
            for (name, value) in [("reason", reason), ("sender", sender), ("recipient", recipient)] {
                if let value { link += "&\(name)=" + FormData.encode(value) }
            }
            data["next"] = link
        }
        return self.page(call, "quarantine", title: "Quarantine", section: "quarantine", data, form: form)
    }

    static func quarantineLink(_ id: String) -> String { "/admin/quarantine/" + FormData.encode(id) }

    func quarantineEntry(_ call: ConsoleCall, id: String, form: FormState? = nil) async throws -> Response {
        let message = try await console.quarantinedMessage(as: call.principal, id: id)
        let entry = message.entry
        let fields: ([HeaderField]) -> [[String: Any]] = { list in
            list.map { ["name": $0.name, "value": $0.value, "unnamed": $0.name.isEmpty] }
        }
        let subject = message.headers.first { $0.name.lowercased() == "subject" }?.value
        let data: [String: Any] = [
            "id": entry.id, "sender": entry.reversePath.isEmpty ? "<>" : entry.reversePath,
            "recipients": entry.recipients, "size": Format.bytes(entry.size), "held": Format.time(entry.heldAt),
            "client": entry.clientIP, "reason": entry.reason, "subject": subject ?? "",
            "headers": fields(message.headers), "noHeaders": message.headers.isEmpty,
            "verdict": fields(message.verdictHeaders), "noVerdict": message.verdictHeaders.isEmpty,
        ]
        return page(call, "quarantine_entry", title: "Held message", section: "quarantine", data, form: form)
    }

    /// Release or delete the ticked messages (`id` repeated) or one message.
    func quarantineAction(_ call: ConsoleCall) async throws -> Response {
        guard let action = call.form.text("action").flatMap(QuarantineAction.init(rawValue:)) else {
            throw AdminError.invalid("Choose an action: release or delete.")
        }
        let ids = Self.tickedIDs(call)
        guard !ids.isEmpty else { throw AdminError.invalid("Tick at least one message.") }
        let failed = try await console.quarantine(as: call.principal, action, ids: ids)
        let verb = action == .release ? "Released" : "Deleted"
        if failed.isEmpty {
            return done("/admin/quarantine", "\(verb) \(ids.count) message\(ids.count == 1 ? "" : "s").")
        }
        return partlyFailed(
            ids.count == 1 && call.form["back"] == "show" ? Self.quarantineLink(ids[0]) : "/admin/quarantine",
            action.rawValue.capitalized, failed: failed, of: ids.count)
    }
}
