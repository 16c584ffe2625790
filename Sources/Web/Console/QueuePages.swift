import Admin
import Hummingbird
import Queue

/// `/admin/queue`: queued messages with state/sender/recipient filters and bulk actions;
/// `/admin/queue/show?id=`: one message with its deliveries and headers.
extension ConsolePages {
    func queue(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let state = call.query.text("state").flatMap { ["active", "deferred", "held"].contains($0) ? $0 : nil }
        let sender = call.query.text("sender")
        let recipient = call.query.text("recipient")
        let page = try await console.queueEntries(
            as: call.principal,
            QueueFilter(
                state: state, sender: sender, recipient: recipient, cursor: call.query.text("cursor"), limit: Self.pageSize))
        let rows: [[String: Any]] = page.items.map { entry in
            [
                "id": entry.id, "link": "/admin/queue/show?id=" + FormData.encode(entry.id),
                "sender": entry.sender.isEmpty ? "<>" : entry.sender,
                "recipients": entry.recipients.map(\.recipient).joined(separator: ", "), "size": Format.bytes(entry.size),
                "received": Format.time(entry.receivedAt), "held": entry.held,
                "state": AdminConsole.state(of: entry),
            ]
        }
        var data: [String: Any] = [
            "entries": rows, "empty": rows.isEmpty, "sender": sender ?? "", "recipient": recipient ?? "",
            "states": ["", "active", "deferred", "held"].map {
                ["value": $0, "label": $0.isEmpty ? "Any state" : $0.capitalized, "selected": $0 == (state ?? "")]
            },
            "filtered": state != nil || sender != nil || recipient != nil,
        ]
        if let next = page.next {
            var link = "/admin/queue?cursor=" + FormData.encode(next)
            for (name, value) in [("state", state), ("sender", sender), ("recipient", recipient)] {
                if let value { link += "&\(name)=" + FormData.encode(value) }
            }
            data["next"] = link
        }
        if call.query.text("cursor") != nil { data["first"] = true }
        return self.page(call, "queue", title: "Queue", section: "queue", data, form: form)
    }

    func queueEntry(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard let id = call.query.text("id") ?? call.form.text("id") else { throw AdminError.notFound("queued message") }
        let (entry, headers) = try await console.queueEntry(as: call.principal, id: id)
        let recipients: [[String: Any]] = entry.recipients.map {
            [
                "recipient": $0.recipient, "target": $0.target, "status": $0.status.rawValue, "attempts": $0.attempts,
                "next": Format.time($0.nextAttemptAt), "error": $0.lastError ?? "",
            ]
        }
        let data: [String: Any] = [
            "id": entry.id, "sender": entry.sender.isEmpty ? "<>" : entry.sender, "size": Format.bytes(entry.size),
            "received": Format.time(entry.receivedAt), "client": entry.clientIP, "held": entry.held,
            "state": AdminConsole.state(of: entry), "recipients": recipients, "headers": headers,
        ]
        return page(call, "queue_entry", title: "Message \(entry.id)", section: "queue", data, form: form)
    }

    /// One action on the ticked messages (`id` repeated) or on one message.
    func queueAction(_ call: ConsoleCall) async throws -> Response {
        guard let action = call.form.text("action").flatMap(QueueAction.init(rawValue:)) else {
            throw AdminError.invalid("Choose an action: retry, hold, release or delete.")
        }
        let ids = Self.tickedIDs(call)
        guard !ids.isEmpty else { throw AdminError.invalid("Tick at least one message.") }
        let failed = try await console.queue(as: call.principal, action, ids: ids)
        let back =
            call.form["back"] == "show" && action != .delete && ids.count == 1
            ? "/admin/queue/show?id=" + FormData.encode(ids[0]) : "/admin/queue"
        if failed.isEmpty {
            return done(back, "\(action.rawValue.capitalized): done for \(ids.count) message\(ids.count == 1 ? "" : "s").")
        }
        return partlyFailed(back, action.rawValue.capitalized, failed: failed, of: ids.count)
    }
}
