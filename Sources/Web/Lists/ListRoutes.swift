import Hummingbird
import Lists
import Logging

extension WebRoutes {
    /// The members' list pages, public (a member has no login): the one-click unsubscribe URL of
    /// each copy (RFC 8058). GET shows what the link does and a button; POST — the button, or a
    /// mail provider's one-click request with `List-Unsubscribe=One-Click` — unsubscribes, so a
    /// link checker that fetches the URL unsubscribes nobody.
    public static func addLists(to router: Router<WebRequestContext>, lists: MailingLists, logger: Logger) {
        let pages = ListPages(lists: lists, logger: logger)
        router.get("/lists/unsubscribe/:token") { _, context in
            await pages.unsubscribe(token: context.parameters.get("token") ?? "", confirmed: false)
        }
        router.post("/lists/unsubscribe/:token") { _, context in
            await pages.unsubscribe(token: context.parameters.get("token") ?? "", confirmed: true)
        }
    }
}

/// The thin HTTP side of the member pages: ask `MailingLists`, render.
struct ListPages: Sendable {
    let lists: MailingLists
    let logger: Logger
    let templates: ConsoleTemplates?

    init(lists: MailingLists, logger: Logger) {
        self.lists = lists
        self.logger = logger
        do {
            templates = try ConsoleTemplates()
        } catch {
            logger.critical("list page templates do not parse", metadata: ["error": "\(error)"])
            templates = nil
        }
    }

    func unsubscribe(token: String, confirmed: Bool) async -> Response {
        do {
            let found = confirmed ? try await lists.unsubscribe(token: token) : try await lists.subscription(token: token)
            guard let (list, address) = found else {
                return render(["title": "Unsubscribe", "unknown": true], status: .notFound)
            }
            if confirmed {
                logger.info("list unsubscribe (one-click)", metadata: ["list": "\(list.address)", "member": "\(address)"])
            }
            return render([
                "title": confirmed ? "Unsubscribed" : "Unsubscribe", confirmed ? "done" : "confirm": true,
                "address": address, "listName": list.displayName.isEmpty ? list.address : list.displayName,
                "listAddress": list.address, "action": "/lists/unsubscribe/\(token)",
            ])
        } catch {
            logger.error("list unsubscribe failed", metadata: ["error": "\(error)"])
            return ConsoleHTTP.html("Try again later.\n", status: .serviceUnavailable)
        }
    }

    private func render(_ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        ConsoleHTTP.html(templates?.render("list_unsubscribe", context) ?? "", status: status)
    }
}
