import Admin
import Hummingbird
import Logging
import Webmail

extension WebRoutes {
    /// The webmail under `/mail` (HTML, HTTPS only), on the console's sessions: docs/webmail.md
    /// lists the pages and the security measures. `sender` sends composed mail through the
    /// submission pipeline; without it the compose page can only save drafts.
    public static func addWebmail(
        to router: Router<WebRequestContext>, console: AdminConsole, webmail: Webmail, sender: (any WebmailSending)?,
        logger: Logger
    ) {
        let templates: ConsoleTemplates
        do {
            templates = try ConsoleTemplates()
        } catch {
            logger.critical("webmail templates do not parse", metadata: ["error": "\(error)"])
            return
        }
        let pages = MailPages(console: console, webmail: webmail, templates: templates, logger: logger, sender: sender)
        let mail = router.group("mail").add(
            middleware: PageHeadersMiddleware(
                errorPage: { pages.bareError(status: $0, title: $1, message: $2) },
                tooLarge: "The message with its attachments is larger than this site allows.",
                secure: { MailHTTP.secure(&$0) }, logger: logger))

        mail.get("assets/mail.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ConsoleTemplates.mailCSS)))
        }
        mail.get("assets/mail.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ConsoleTemplates.mailJavaScript)))
        }
        mail.get("login") { request, context in try await pages.loginForm(request, context) }
        mail.post("login") { request, context in try await pages.logIn(request, context) }
        mail.post("logout") { request, context in try await pages.logOut(request, context) }

        func show(_ path: RouterPath, _ render: @escaping @Sendable (MailPages, MailCall) async throws -> Response) {
            mail.get(path) { request, context in try await pages.run(request, context) { try await render(pages, $0) } }
        }
        func act(
            _ path: RouterPath, uploads: Bool = false,
            _ action: @escaping @Sendable (MailPages, MailCall) async throws -> Response
        ) {
            mail.post(path) { request, context in
                try await pages.run(request, context, post: true, uploads: uploads) { try await action(pages, $0) }
            }
        }

        show("") { _, _ in ConsoleHTTP.redirect(MailViews.folderLink("INBOX")) }
        show("list") { try await $0.list($1) }
        show("conversation") { try await $0.conversation($1) }
        show("search") { try await $0.search($1) }
        show("message") { try await $0.message($1) }
        show("message/html") { try await $0.htmlFrame($1) }
        show("message/part") { try await $0.attachment($1) }
        show("message/source") { try await $0.source($1) }
        show("events") { try await $0.events($1) }
        act("actions") { try await $0.act($1) }
        act("remote/trust") { try await $0.trustSender($1) }
        show("folders") { try await $0.folderPage($1) }
        act("folders/create") { try await $0.createFolder($1) }
        act("folders/rename") { try await $0.renameFolder($1) }
        act("folders/delete") { try await $0.deleteFolder($1) }
        show("deleted") { try await $0.deletedPage($1) }
        act("deleted/restore") { try await $0.restoreDeleted($1) }
        show("settings") { try await $0.settingsPage($1) }
        act("settings") { try await $0.saveSettings($1) }
        show("compose") { try await $0.composeForm($1) }
        act("compose", uploads: true) { try await $0.compose($1) }
        show("addresses") { try await $0.addresses($1) }
    }
}
