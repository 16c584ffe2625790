import Admin
import Hummingbird
import Logging

extension WebRoutes {
    /// The admin console and self-service pages under `/admin` (HTML, served on HTTPS only):
    /// docs/admin-console.md lists the pages, who sees what, and the security measures.
    /// `autoconfig`, when given, lets mail users download an Apple configuration profile of their account.
    public static func addConsole(
        to router: Router<WebRequestContext>, console: AdminConsole, autoconfig: AutoconfigSite? = nil, logger: Logger
    ) {
        let templates: ConsoleTemplates
        do {
            templates = try ConsoleTemplates()
        } catch {
            // The templates are part of the binary and parsed by the tests: this cannot happen in a
            // released build; serve nothing rather than crash.
            logger.critical("admin console templates do not parse", metadata: ["error": "\(error)"])
            return
        }
        let pages = ConsolePages(console: console, templates: templates, autoconfig: autoconfig, logger: logger)
        let admin = router.group("admin").add(
            middleware: PageHeadersMiddleware(
                errorPage: { pages.error(status: $0, title: $1, message: $2) }, tooLarge: "The form was too large.",
                secure: { ConsoleHTTP.secure(&$0.headers) }, logger: logger))

        admin.get("assets/console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ConsoleTemplates.css)))
        }
        admin.get("assets/console.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ConsoleTemplates.javascript)))
        }
        admin.get("login") { request, context in try await pages.loginForm(request, context) }
        admin.post("login") { request, context in try await pages.logIn(request, context) }
        admin.post("logout") { request, context in try await pages.logOut(request, context) }

        /// A page: GET renders it.
        func show(_ path: RouterPath, _ render: @escaping @Sendable (ConsolePages, ConsoleCall) async throws -> Response) {
            admin.get(path) { request, context in try await pages.run(request, context) { try await render(pages, $0) } }
        }
        /// An action: POST (CSRF-checked), re-showing `form`'s page when refused.
        func act(
            _ path: RouterPath, form: @escaping @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response,
            action: @escaping @Sendable (ConsolePages, ConsoleCall) async throws -> Response
        ) {
            admin.post(path) { request, context in
                let reshow: ConsolePages.Reshow = { try await form(pages, $0, $1) }
                return try await pages.run(request, context, reshow: reshow) { try await action(pages, $0) }
            }
        }

        // The router matches "/admin" and "/admin/" alike.
        show("") { try await $0.dashboard($1) }
        show("domains") { try await $0.domains($1) }
        act("domains/add", form: { try await $0.domains($1, form: $2) }, action: { try await $0.addDomain($1) })
        act("domains/delete", form: { try await $0.domains($1, form: $2) }, action: { try await $0.deleteDomain($1) })

        show("accounts") { try await $0.accounts($1) }
        act("accounts/add", form: { try await $0.accounts($1, form: $2) }, action: { try await $0.createAccount($1) })
        show("account") { try await $0.account($1) }
        let accountForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.account($1, form: $2)
        }
        act("account/enabled", form: accountForm, action: { try await $0.setAccountEnabled($1) })
        act("account/password", form: accountForm, action: { try await $0.resetAccountPassword($1) })
        act("account/quota", form: accountForm, action: { try await $0.setAccountQuota($1) })
        act("account/name", form: accountForm, action: { try await $0.setAccountName($1) })
        act("account/throttle", form: accountForm, action: { try await $0.liftAccountThrottle($1) })
        act("account/delete", form: accountForm, action: { try await $0.deleteAccount($1) })
        // Deleted messages kept for undelete (DeletedMessagePages.swift).
        show("account/deleted") { try await $0.deletedMessages($1) }
        act(
            "account/deleted/restore", form: { try await $0.deletedMessages($1, form: $2) },
            action: { try await $0.restoreDeletedMessages($1) })

        show("aliases") { try await $0.aliases($1) }
        act("aliases/add", form: { try await $0.aliases($1, form: $2) }, action: { try await $0.addAlias($1) })
        act("aliases/delete", form: { try await $0.aliases($1, form: $2) }, action: { try await $0.deleteAlias($1) })

        // Mailing lists and their held posts (ListPages.swift).
        ConsolePages.listRoutes(show: show, act: { act($0, form: $1, action: $2) })

        show("queue") { try await $0.queue($1) }
        show("queue/show") { try await $0.queueEntry($1) }
        act("queue/action", form: { try await $0.queue($1, form: $2) }, action: { try await $0.queueAction($1) })

        show("quarantine") { try await $0.quarantine($1) }
        act(
            "quarantine/action", form: { try await $0.quarantine($1, form: $2) },
            action: { try await $0.quarantineAction($1) })
        admin.get("quarantine/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await pages.run(request, context) { try await pages.quarantineEntry($0, id: id) }
        }
        show("filters") { try await $0.filters($1) }
        act("filters/set", form: { try await $0.filters($1, form: $2) }, action: { try await $0.setFilterSettings($1) })
        act("filters/delete", form: { try await $0.filters($1, form: $2) }, action: { try await $0.deleteFilterSettings($1) })

        show("logins") { try await $0.loginLog($1) }
        show("audit") { try await $0.auditLog($1) }

        show("admins") { try await $0.administrators($1) }
        act("admins/add", form: { try await $0.administrators($1, form: $2) }, action: { try await $0.addAdministrator($1) })
        act(
            "admins/delete", form: { try await $0.administrators($1, form: $2) }, action: { try await $0.deleteAdministrator($1) }
        )
        act("admins/role", form: { try await $0.administrators($1, form: $2) }, action: { try await $0.setAdministratorRole($1) })

        show("policies") { try await $0.policies($1) }
        let policiesForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.policies($1, form: $2)
        }
        act("policies/enabled", form: policiesForm, action: { try await $0.setPolicyEnabled($1) })
        act("policies/change", form: policiesForm, action: { try await $0.changePolicy($1) })
        act("policies/rule/enabled", form: policiesForm, action: { try await $0.setPolicyRuleEnabled($1) })
        act("policies/rule", form: policiesForm, action: { try await $0.changePolicyRule($1) })
        act("policies/add", form: policiesForm, action: { try await $0.addPolicy($1) })
        act("policies/delete", form: policiesForm, action: { try await $0.deletePolicy($1) })
        act("policies/member", form: policiesForm, action: { try await $0.addPolicyMember($1) })
        act("policies/member/delete", form: policiesForm, action: { try await $0.deletePolicyMember($1) })
        act("policies/rule/add", form: policiesForm, action: { try await $0.addPolicyRule($1) })
        act("policies/rule/delete", form: policiesForm, action: { try await $0.deletePolicyRule($1) })
        act("policies/group", form: policiesForm, action: { try await $0.addPolicyGroup($1) })
        act("policies/group/delete", form: policiesForm, action: { try await $0.deletePolicyGroup($1) })
        act("policies/group/entry", form: policiesForm, action: { try await $0.addPolicyGroupEntry($1) })
        act("policies/group/entry/delete", form: policiesForm, action: { try await $0.deletePolicyGroupEntry($1) })

        show("abuse") { try await $0.abuse($1) }
        show("abuse/show") { try await $0.abuseAccount($1) }
        act("abuse/release", form: { try await $0.abuseAccount($1, form: $2) }, action: { try await $0.releaseAbuse($1) })
        act("abuse/ignore", form: { try await $0.abuse($1, form: $2) }, action: { try await $0.ignoreAbuse($1) })
        show("abuse/report") { try await $0.abuseReport($1) }

        show("reports/summary") { try await $0.dailySummary($1) }
        act(
            "reports/summary/send", form: { try await $0.dailySummary($1, form: $2) },
            action: { try await $0.sendDailySummary($1) })

        show("dkim") { try await $0.dkim($1) }
        let dkimForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.dkim($1, form: $2)
        }
        act("dkim/generate", form: dkimForm, action: { try await $0.generateDKIMKey($1) })
        act("dkim/rotate", form: dkimForm, action: { try await $0.rotateDKIMKeys($1) })
        act("dkim/retire", form: dkimForm, action: { try await $0.retireDKIMKey($1) })

        show("dns") { try await $0.dnsRecords($1) }
        show("dns/zone") { try await $0.dnsZoneFile($1) }
        show("reports") { try await $0.reports($1) }
        show("reports/dmarc") { try await $0.dmarcReports($1) }
        show("reports/dmarc/download") { try await $0.downloadDMARCReport($1) }
        show("reports/tls") { try await $0.tlsReports($1) }
        show("reports/tls/download") { try await $0.downloadTLSReport($1) }
        show("reports/mta-sts") { try await $0.mtaSTSPolicies($1) }
        act("reports/send", form: { try await $0.reports($1, form: $2) }, action: { try await $0.sendReports($1) })
        // A report file: the one form sent as multipart/form-data.
        admin.post("reports/import") { request, context in
            let reshow: ConsolePages.Reshow = { try await pages.reports($0, form: $1) }
            return try await pages.run(request, context, reshow: reshow, uploads: true) { try await pages.importReport($0) }
        }

        show("me") { try await $0.me($1) }
        show("me/profile.mobileconfig") { try await $0.mobileConfigProfile($1) }
        act("me/password", form: { try await $0.me($1, form: $2) }, action: { try await $0.changeOwnPassword($1) })
        act("me/forward", form: { try await $0.me($1, form: $2) }, action: { try await $0.setForwarding($1) })
        act("me/spam", form: { try await $0.me($1, form: $2) }, action: { try await $0.setOwnSpamSettings($1) })

        show("security") { try await $0.security($1) }
        let securityForm: @Sendable (ConsolePages, ConsoleCall, FormState) async throws -> Response = {
            try await $0.security($1, form: $2)
        }
        act("security/totp/start", form: securityForm, action: { try await $0.startTOTP($1) })
        act("security/totp/confirm", form: securityForm, action: { try await $0.confirmTOTP($1) })
        act("security/totp/off", form: securityForm, action: { try await $0.turnOffTOTP($1) })

        // Anything else under /admin: the 404 page, inside the frame when logged in.
        show("**") { pages, call in
            pages.errorPage(call, status: .notFound, title: "Not found", message: "There is no such page in the console.")
        }
        admin.post("**") { _, _ in
            pages.error(status: .notFound, title: "Not found", message: "There is no such page in the console.")
        }
    }
}
