import Hummingbird
import Lists
import Logging

/// A member's options page, `/lists/options/TOKEN`: delivery on or off, each post or a digest,
/// and the way to the unsubscribe page. The token in the URL is the member's secret (the one of
/// its unsubscribe link), so there is no login and no CSRF token: a page of another site cannot
/// post here without knowing it. GET only shows; POST applies (`MailingLists.changeMemberOptions`,
/// which holds the rules) and shows the page again with what was saved.
struct ListOptionsPages: Sendable {
    let lists: MailingLists
    let templates: ConsoleTemplates?
    let logger: Logger

    func show(token: String) async -> Response {
        await guarded {
            guard let options = try await lists.memberOptions(token: token) else { return unknown() }
            return page(options, token: token)
        }
    }

    /// The form's `delivery` (`on`, `off`) and `mode` (a `DeliveryMode`); a field missing or
    /// holding something else changes nothing.
    func save(token: String, form: FormData?) async -> Response {
        await guarded {
            let change = MemberOptionsChange(
                delivery: form?["delivery"].flatMap { $0 == "on" ? true : $0 == "off" ? false : nil },
                mode: form?["mode"].flatMap(DeliveryMode.init(rawValue:)))
            guard let (options, delivery) = try await lists.changeMemberOptions(token: token, change) else { return unknown() }
            logger.info(
                "list member options (web)",
                metadata: [
                    "list": "\(options.list.address)", "member": "\(options.address)", "delivery": "\(delivery)",
                    "mode": "\(options.mode.rawValue)",
                ])
            let saved: String? =
                switch delivery {
                case .refused: change.mode == nil ? nil : "The delivery mode is saved."
                case .reenabled: "Saved: delivery is on again, and the bounces are forgotten."
                default: "Saved."
                }
            return page(options, token: token, saved: saved, refused: delivery == .refused)
        }
    }

    private func page(_ options: MemberOptions, token: String, saved: String? = nil, refused: Bool = false) -> Response {
        let list = options.list
        let labels: [(DeliveryMode, String)] = [
            (.regular, "Each post as it comes"), (.mimeDigest, "Digest, posts attached (MIME)"),
            (.plainDigest, "Digest, plain text"),
        ]
        var member: [String: Any] = [
            "listName": ListPages.name(list), "listAddress": list.address, "description": list.description,
            "address": options.address, "action": "/lists/options/\(token)", "unsubscribe": "/lists/unsubscribe/\(token)",
            "on": options.disabled == nil, "moderator": options.disabled == .moderator,
            "bounces": options.disabled == .bounces && !refused,
            "modes": labels.map { mode, label in
                ["value": mode.rawValue, "label": label, "selected": mode == options.mode] as [String: Any]
            },
            "deliveryNote": options.mayTurnOn
                ? "While delivery is off you stay a member, and can turn it on here at any time."
                : "You stay a member; only a moderator can change this.",
            "digestNote": Self.digestNote(list), "refused": refused,
        ]
        if let saved { member["saved"] = saved }
        return render(["title": "Your options", "member": member])
    }

    /// When this list's digest goes out, as the form's help says it.
    static func digestNote(_ list: MailingList) -> String {
        let size = list.digestSizeThreshold > 0 ? "the waiting posts pass \(max(1, list.digestSizeThreshold / 1024)) KiB" : nil
        let when: String
        switch (list.digestPeriod, size) {
        case (.none, let size?): when = "when \(size)"
        case (.none, nil): when = "when an owner sends it"
        case (let period, let size?): when = "\(period.rawValue), or sooner when \(size)"
        case (let period, nil): when = period.rawValue
        }
        return "A digest collects the posts into one message, sent \(when)."
    }

    private func unknown() -> Response {
        render(["title": "Your options", "unknown": true], status: .notFound)
    }

    private func guarded(_ body: () async throws -> Response) async -> Response {
        var response: Response
        do {
            response = try await body()
        } catch {
            logger.error("list options page failed", metadata: ["error": "\(error)"])
            response = ConsoleHTTP.html("Try again later.\n", status: .serviceUnavailable)
        }
        ConsoleHTTP.secure(&response.headers)
        // The member's own page (its address, its secret link): never kept by a shared cache.
        response.headers[.cacheControl] = "private, no-store"
        return response
    }

    private func render(_ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        ConsoleHTTP.html(templates?.render("list_options", context) ?? "", status: status)
    }
}
