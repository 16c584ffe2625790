import Admin
import Core
import Hummingbird
import Lists

/// `/admin/list/held`: a list's held posts, each with approve, reject (with a reason) and
/// discard; `/admin/list/held/show`: one held post's header and text before deciding. The
/// decisions are `AdminConsole.decideHeldPost`, as `posta list held decide`.
extension ConsolePages {
    static func heldLink(_ list: String) -> String { "/admin/list/held?address=" + FormData.encode(list) }

    static func heldPostLink(_ list: String, id: Int64) -> String {
        "/admin/list/held/show?address=" + FormData.encode(list) + "&id=\(id)"
    }

    func heldListPosts(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let list = try await console.mailingList(as: call.principal, address: try Self.listAddress(call))
        let posts = try await console.heldPosts(as: call.principal, list: list.address)
        let rows: [[String: Any]] = posts.map { post in
            [
                "id": post.id, "link": Self.heldPostLink(list.address, id: post.id),
                "subject": post.subject.isEmpty ? "(no subject)" : post.subject,
                "sender": post.sender.isEmpty ? "<>" : post.sender, "size": Format.bytes(post.size), "reason": post.reason,
                "held": Format.time(post.heldAt),
            ]
        }
        let data: [String: Any] = [
            "address": list.address, "link": Self.listLink(list.address), "posts": rows, "empty": rows.isEmpty,
        ]
        return page(call, "console_list_held", title: "Held posts", section: "lists", data, form: form)
    }

    func heldListPost(_ call: ConsoleCall) async throws -> Response {
        guard let id = call.query.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("held post") }
        let view = try await console.heldPostView(as: call.principal, id: id)
        let post = view.post
        var data: [String: Any] = [
            "address": post.list, "link": Self.listLink(post.list), "heldLink": Self.heldLink(post.list), "id": post.id,
            "subject": post.subject, "hasSubject": !post.subject.isEmpty, "sender": post.sender.isEmpty ? "<>" : post.sender,
            "size": Format.bytes(post.size),
            "reason": post.reason, "held": Format.time(post.heldAt),
            "headers": view.headers.map { ["name": $0.name, "value": $0.value, "unnamed": $0.name.isEmpty] },
            "noHeaders": view.headers.isEmpty, "text": view.text, "noText": view.text.isEmpty,
        ]
        if view.truncated { data["truncated"] = Format.bytes(Int64(AdminConsole.maxHeldPostBytes)) }
        return page(call, "console_list_held_post", title: "Held post", section: "lists", data)
    }

    func decideHeldListPost(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        guard let id = call.form.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("held post") }
        let decision: ModeratorDecision = try Self.choice(call.form, "decision", "Decision")
        let reason = decision == .reject ? (call.form.text("reason") ?? "") : ""
        do {
            try await console.decideHeldPost(as: call.principal, id: id, decision, reason: reason)
        } catch AdminError.notFound {
            // Another moderator (or the notice's link) decided first: one decision wins.
            return redirect(Self.heldLink(list), Flash(.error, "That post is no longer held: it was decided already."))
        }
        let what =
            switch decision {
            case .approve: "Approved: the post goes to the members."
            case .reject: "Rejected: the author is told\(reason.isEmpty ? "" : " why")."
            case .discard: "Discarded."
            }
        return done(Self.heldLink(list), what)
    }
}
