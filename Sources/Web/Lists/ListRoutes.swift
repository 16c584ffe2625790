import Admin
import Hummingbird
import Lists
import Logging

extension WebRoutes {
    /// The members' list pages, public (a member has no login); every page that changes
    /// something does it on POST only, so a link checker that fetches a URL changes nothing:
    /// - `/lists/unsubscribe/TOKEN`: each copy's one-click unsubscribe URL (RFC 8058);
    /// - `/lists/options/TOKEN`: a member's delivery options, by the same token (`ListOptionsPages`);
    /// - `/lists/confirm/COOKIE`: the link of a confirmation or moderator notice;
    /// - `/lists/subscribe/ADDRESS`: the subscription form (confirmed by mail, always);
    /// - `/lists/archive/ADDRESS…`: the archive (`ListArchivePages`).
    public static func addLists(
        to router: Router<WebRequestContext>, lists: MailingLists, transport: ListTransport?, console: AdminConsole?,
        logger: Logger
    ) {
        let pages = ListPages(lists: lists, transport: transport, logger: logger)
        if let transport {
            let archive = ListArchivePages(
                lists: lists, archive: transport.archive, console: console, templates: pages.templates, logger: logger)
            router.get("/lists/archive/:list") { request, context in
                await archive.index(context.parameters.get("list") ?? "", request, context)
            }
            router.get("/lists/archive/:list/m/:key") { request, context in
                await archive.message(
                    context.parameters.get("list") ?? "", key: context.parameters.get("key") ?? "", request, context)
            }
            router.get("/lists/archive/:list/t/:key") { request, context in
                await archive.thread(
                    context.parameters.get("list") ?? "", key: context.parameters.get("key") ?? "", request, context)
            }
            router.get("/lists/archive/:list/mbox") { request, context in
                await archive.mbox(context.parameters.get("list") ?? "", request, context)
            }
        }
        router.get("/lists/unsubscribe/:token") { _, context in
            await pages.unsubscribe(token: context.parameters.get("token") ?? "", confirmed: false)
        }
        router.post("/lists/unsubscribe/:token") { _, context in
            await pages.unsubscribe(token: context.parameters.get("token") ?? "", confirmed: true)
        }
        let options = ListOptionsPages(lists: lists, templates: pages.templates, logger: logger)
        router.get("/lists/options/:token") { _, context in
            await options.show(token: context.parameters.get("token") ?? "")
        }
        router.post("/lists/options/:token") { request, context in
            await options.save(token: context.parameters.get("token") ?? "", form: try await ConsolePages.formBody(request))
        }
        router.get("/lists/confirm/:cookie") { _, context in
            await pages.confirmation(cookie: context.parameters.get("cookie") ?? "")
        }
        router.post("/lists/confirm/:cookie") { request, context in
            await pages.confirm(cookie: context.parameters.get("cookie") ?? "", form: try await ConsolePages.formBody(request))
        }
        router.get("/lists/subscribe/:address") { _, context in
            await pages.subscribeForm(list: context.parameters.get("address") ?? "")
        }
        router.post("/lists/subscribe/:address") { request, context in
            await pages.subscribe(list: context.parameters.get("address") ?? "", form: try await ConsolePages.formBody(request))
        }
    }
}

/// The thin HTTP side of the member pages: ask `MailingLists` and `ListTransport`, render.
struct ListPages: Sendable {
    let lists: MailingLists
    let transport: ListTransport?
    let logger: Logger
    let templates: ConsoleTemplates?

    init(lists: MailingLists, transport: ListTransport?, logger: Logger) {
        self.lists = lists
        self.transport = transport
        self.logger = logger
        do {
            templates = try ConsoleTemplates()
        } catch {
            logger.critical("list page templates do not parse", metadata: ["error": "\(error)"])
            templates = nil
        }
    }

    func unsubscribe(token: String, confirmed: Bool) async -> Response {
        await guarded {
            let found = confirmed ? try await lists.unsubscribe(token: token) : try await lists.subscription(token: token)
            guard let (list, address) = found else {
                return render("list_unsubscribe", ["title": "Unsubscribe", "unknown": true], status: .notFound)
            }
            if confirmed {
                logger.info("list unsubscribe (one-click)", metadata: ["list": "\(list.address)", "member": "\(address)"])
            }
            return render(
                "list_unsubscribe",
                [
                    "title": confirmed ? "Unsubscribed" : "Unsubscribe", confirmed ? "done" : "confirm": true,
                    "address": address, "listName": Self.name(list), "listAddress": list.address,
                    "action": "/lists/unsubscribe/\(token)", "options": "/lists/options/\(token)",
                ])
        }
    }

    /// What a cookie's link would do, with its button(s).
    func confirmation(cookie: String) async -> Response {
        await guarded {
            guard let (list, request) = try await lists.pending(cookie: cookie) else {
                return render("list_confirm", ["title": "Confirm", "unknown": true], status: .notFound)
            }
            var context: [String: Any] = ["title": "Confirm", "action": "/lists/confirm/\(cookie)"]
            var shown: [String: Any] = [:]
            switch request.kind {
            case .subscribe, .invite:
                shown = ["what": "Join \(Self.name(list)) (\(list.address)) as \(request.address)?", "button": "Join the list"]
            case .unsubscribe:
                shown = ["what": "Leave \(Self.name(list)) (\(list.address)) as \(request.address)?", "button": "Leave the list"]
            case .reenable:
                shown = [
                    "what": "Get the posts of \(Self.name(list)) (\(list.address)) at \(request.address) again?",
                    "button": "Deliver again",
                ]
            case .approveJoin:
                shown = ["what": "\(request.address) asks to join \(list.address).", "moderator": true]
            case .approveLeave:
                shown = ["what": "\(request.address) asks to leave \(list.address).", "moderator": true]
            case .held:
                shown = ["what": "A post to \(list.address) waits for a moderator.", "moderator": true]
                if let id = request.heldID, let post = try await transport?.held(list: list.address).first(where: { $0.id == id })
                {
                    shown["held"] = ["sender": post.sender, "subject": post.subject, "reason": post.reason]
                }
            }
            context["request"] = shown
            if shown["moderator"] != nil { context["title"] = "Moderate" }
            return render("list_confirm", context)
        }
    }

    /// Uses the cookie: the button's `decision` (approve, reject with `reason`, discard).
    func confirm(cookie: String, form: FormData?) async -> Response {
        await guarded {
            guard let transport else { return ConsoleHTTP.html("Lists are not set up here.\n", status: .serviceUnavailable) }
            let decision: ModeratorDecision = form?["decision"].flatMap(ModeratorDecision.init(rawValue:)) ?? .approve
            let reason = String((form?.text("reason") ?? "").prefix(500))
            let result = try await transport.confirm(cookie: cookie, accept: decision == .approve, decision: (decision, reason))
            logger.info("list confirmation (web)", metadata: ["result": "\(result)"])
            return render("list_confirm", ["title": "Confirmed", "done": Self.sentence(result)])
        }
    }

    func subscribeForm(list address: String) async -> Response {
        await guarded {
            guard let list = try? await lists.list(address) else {
                return render("list_subscribe", ["title": "Subscribe", "unknown": true], status: .notFound)
            }
            return render("list_subscribe", ["title": "Subscribe", "list": listContext(list, ["form": true])])
        }
    }

    /// A subscription request from the form: always confirmed by mail (or moderated), and the
    /// page says the same whether or not the address is a member already.
    func subscribe(list address: String, form: FormData?) async -> Response {
        await guarded {
            guard let transport, let list = try? await lists.list(address) else {
                return render("list_subscribe", ["title": "Subscribe", "unknown": true], status: .notFound)
            }
            let subscriber = form?.text("address") ?? ""
            let name = String((form?.text("name") ?? "").prefix(200))
            let step: SubscriptionStep
            do {
                step = try await lists.requestSubscription(list.address, address: subscriber, displayName: name, source: .web)
            } catch ListError.invalid {
                let fields: [String: Any] = [
                    "form": true, "message": "Enter a mail address such as name@example.org.", "address": subscriber,
                    "name": name,
                ]
                return render(
                    "list_subscribe", ["title": "Subscribe", "list": listContext(list, fields)], status: .unprocessableContent)
            }
            let said = try await transport.follow(step, list: list, address: subscriber)
            logger.info("list subscription request (web)", metadata: ["list": "\(list.address)", "result": "\(said)"])
            return render("list_subscribe", ["title": "Subscribe", "list": listContext(list, ["sent": subscriber])])
        }
    }

    private func listContext(_ list: MailingList, _ extra: [String: Any]) -> [String: Any] {
        var context: [String: Any] = [
            "listName": Self.name(list), "listAddress": list.address, "description": list.description,
            "action": "/lists/subscribe/\(list.address)",
        ]
        context.merge(extra) { _, new in new }
        return context
    }

    static func name(_ list: MailingList) -> String { list.displayName.isEmpty ? list.address : list.displayName }

    /// The result line of `ListTransport.confirm`, as a sentence for the page.
    static func sentence(_ result: String) -> String {
        let text = result.hasPrefix("confirm: ") ? String(result.dropFirst("confirm: ".count)) : result
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst() + (text.hasSuffix(".") ? "" : ".")
    }

    private func guarded(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            logger.error("list page failed", metadata: ["error": "\(error)"])
            return ConsoleHTTP.html("Try again later.\n", status: .serviceUnavailable)
        }
    }

    private func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        ConsoleHTTP.html(templates?.render(template, context) ?? "", status: status)
    }
}
