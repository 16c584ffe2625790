import Admin
import Core
import Hummingbird
import MailAuth
import Policy

/// `/admin/reports` and its pages: DMARC aggregate reports received about the site's domains
/// (RFC 9990), TLS reports received (RFC 8460), the MTA-STS policies cached for recipient
/// domains (RFC 8461, site-wide), downloads of the reports Posta would write for a domain and
/// day, and "send now" for a day's reports (superadmins). Every read and action is an
/// `AdminConsole` call; these pages only lay out what it answers.
extension ConsolePages {
    /// Days the overview's DMARC table covers.
    static let reportOverviewDays: Int64 = 30

    func reports(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let since = UnixTime.dayStart(of: UnixTime.now()) - Self.reportOverviewDays * UnixTime.daySeconds
        let sources = try await console.dmarcSources(as: call.principal, since: since)
        return page(call, "reports", title: "Reports", section: "reports", reportsData(call, sources: sources), form: form)
    }

    /// The overview's fields, shared by the page and the "sent" answer of the send form.
    func reportsData(_ call: ConsoleCall, sources: [DMARCSourceSummary]) -> [String: Any] {
        var order: [String] = []
        var totals: [String: (sources: Int, messages: Int64, pass: Int64, fail: Int64)] = [:]
        for source in sources {
            if totals[source.domain] == nil { order.append(source.domain) }
            var total = totals[source.domain] ?? (0, 0, 0, 0)
            total.sources += 1
            total.messages += source.messages
            total.pass += source.dmarcPass
            total.fail += source.dmarcFail
            totals[source.domain] = total
        }
        let domains: [[String: Any]] = order.map { domain in
            let total = totals[domain] ?? (0, 0, 0, 0)
            return [
                "domain": domain, "sources": total.sources, "messages": total.messages, "pass": total.pass,
                "fail": total.fail, "failing": total.fail > 0,
                "link": "/admin/reports/dmarc?domain=" + FormData.encode(domain),
            ]
        }
        let siteWide = Self.seesSiteWideReports(call.principal)
        return [
            "domains": domains, "empty": domains.isEmpty, "days": Self.reportOverviewDays, "siteWide": siteWide,
            "maySend": call.principal.may(.manageReports) && siteWide,
            "yesterday": UnixTime.dayText(UnixTime.now() - UnixTime.daySeconds),
        ]
    }

    /// `/admin/reports/dmarc`: received reports and their sources, by domain and since a day.
    func dmarcReports(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let domain = call.query.text("domain")
        let sinceText = call.query.text("since")
        let since = try Self.dayField(sinceText, field: "since")
        let limit = AdminConsole.reportListLimit
        let sources = try await console.dmarcSources(as: call.principal, domain: domain, since: since, limit: limit + 1)
        let reports = try await console.dmarcReports(as: call.principal, domain: domain, since: since, limit: limit + 1)
        let sourceRows: [[String: Any]] = sources.prefix(limit).map { source in
            [
                "domain": source.domain, "ip": source.sourceIP, "messages": source.messages,
                "dkim": "\(source.dkimPass)/\(source.dkimFail)", "spf": "\(source.spfPass)/\(source.spfFail)",
                "dmarcPass": source.dmarcPass, "dmarcFail": source.dmarcFail, "failing": source.dmarcFail > 0,
                "disposition": source.disposition, "reporters": source.reporters,
            ]
        }
        let reportRows: [[String: Any]] = reports.prefix(limit).map { report in
            [
                "domain": report.policyDomain, "reporter": report.orgName, "begin": Format.time(report.begin),
                "end": Format.time(report.end), "records": report.records, "messages": report.messages,
                "id": report.reportID,
            ]
        }
        let data: [String: Any] = [
            "domain": domain ?? "", "since": sinceText ?? "", "filtered": domain != nil || since != nil,
            "sources": sourceRows, "noSources": sourceRows.isEmpty, "sourcesCut": sources.count > limit,
            "reports": reportRows, "noReports": reportRows.isEmpty, "reportsCut": reports.count > limit, "limit": limit,
            "yesterday": UnixTime.dayText(UnixTime.now() - UnixTime.daySeconds),
            "localDomains": await visibleDomains(call),
        ]
        return page(call, "reports_dmarc", title: "DMARC reports", section: "reports", data, form: form)
    }

    /// `/admin/reports/tls`: received TLS reports, one row per report and policy domain.
    func tlsReports(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let domain = call.query.text("domain")
        let limit = AdminConsole.reportListLimit
        let received = try await console.receivedTLSReports(as: call.principal, domain: domain, limit: limit + 1)
        var rows: [[String: Any]] = []
        for item in received.prefix(limit) {
            for policy in item.report.policies {
                let failures = (policy.failureDetails ?? []).map {
                    ["type": $0.resultType.rawValue, "count": $0.failedSessionCount] as [String: Any]
                }
                rows.append([
                    "period": String(item.report.dateRange.start.prefix(10)), "domain": policy.policy.policyDomain,
                    "reporter": item.report.organizationName, "policyType": policy.policy.policyType.rawValue,
                    "ok": policy.summary.totalSuccessfulSessionCount, "failed": policy.summary.totalFailureSessionCount,
                    "failing": policy.summary.totalFailureSessionCount > 0, "failures": failures,
                    "noFailures": failures.isEmpty, "id": item.report.reportID, "received": Format.time(item.receivedAt),
                ])
            }
        }
        let data: [String: Any] = [
            "domain": domain ?? "", "rows": rows, "empty": rows.isEmpty, "cut": received.count > limit, "limit": limit,
            "yesterday": UnixTime.dayText(UnixTime.now() - UnixTime.daySeconds),
            "localDomains": await visibleDomains(call),
        ]
        return page(call, "reports_tls", title: "TLS reports", section: "reports", data, form: form)
    }

    /// `/admin/reports/mta-sts`: the cached MTA-STS policies of recipient domains (site-wide).
    func mtaSTSPolicies(_ call: ConsoleCall) async throws -> Response {
        let now = UnixTime.now()
        let rows: [[String: Any]] = try await console.mtaSTSPolicies(as: call.principal).map { cached in
            [
                "domain": cached.domain, "id": cached.id, "mode": cached.policy.mode.rawValue,
                "modeClass": cached.policy.mode == .enforce ? "ok" : cached.policy.mode == .testing ? "warn" : "off",
                "mx": cached.policy.mx.map(\.description), "fetched": Format.time(cached.fetchedAt),
                "expires": Format.time(cached.expiresAt), "expired": !cached.isValid(at: now),
            ]
        }
        return page(
            call, "reports_mta_sts", title: "MTA-STS policies", section: "reports", ["policies": rows, "empty": rows.isEmpty])
    }

    /// The DMARC aggregate report Posta would send `domain` for `day`, as an XML file.
    func downloadDMARCReport(_ call: ConsoleCall) async throws -> Response {
        let (domain, day) = try Self.reportRequest(call)
        return Self.attachment(try await console.dmarcReportDocument(as: call.principal, domain: domain, periodStart: day))
    }

    /// The TLS report Posta would send `domain` for `day`, as a JSON file.
    func downloadTLSReport(_ call: ConsoleCall) async throws -> Response {
        let (domain, day) = try Self.reportRequest(call)
        return Self.attachment(try await console.tlsReportDocument(as: call.principal, domain: domain, periodStart: day))
    }

    /// Queues a day's DMARC and/or TLS reports now and shows, per domain, whom they went to.
    func sendReports(_ call: ConsoleCall) async throws -> Response {
        guard let day = Format.parseDay(call.form.text("day")) else { throw AdminError.invalid("Choose a day.") }
        let kind = call.form.text("kind") ?? "both"
        guard ["dmarc", "tls", "both"].contains(kind) else { throw AdminError.invalid("Choose which reports to send.") }
        var sent: [[String: Any]] = []
        if kind != "tls" {
            sent += try await console.queueDMARCReports(as: call.principal, periodStart: day).map { Self.sentRow("DMARC", $0) }
        }
        if kind != "dmarc" {
            sent += try await console.queueTLSReports(as: call.principal, periodStart: day).map { Self.sentRow("TLS", $0) }
        }
        let since = UnixTime.dayStart(of: UnixTime.now()) - Self.reportOverviewDays * UnixTime.daySeconds
        let sources = try await console.dmarcSources(as: call.principal, since: since)
        var data = reportsData(call, sources: sources)
        data["sent"] = sent
        data["sentDay"] = UnixTime.dayText(day)
        data["sentNothing"] = sent.isEmpty
        data["showSent"] = true
        return page(call, "reports", title: "Reports", section: "reports", data)
    }

    /// Stores an uploaded report file: DMARC aggregate reports (XML, gzip, zip, a message) or an
    /// SMTP TLS report (JSON, gzip), as `posta dmarc import` and `posta tlsrpt import` do.
    func importReport(_ call: ConsoleCall) async throws -> Response {
        guard let file = call.form.files["report"], !file.isEmpty else { throw AdminError.invalid("Choose a report file.") }
        switch call.form.text("kind") {
        case "dmarc":
            let imported = try await console.importDMARCReports(as: call.principal, payload: file)
            let new = imported.filter { !$0.duplicate }
            let names = imported.map { "\($0.policyDomain) from \($0.orgName)" }.joined(separator: ", ")
            return done(
                "/admin/reports/dmarc",
                new.isEmpty
                    ? "Already imported: \(names)." : "Imported \(new.count) DMARC report\(new.count == 1 ? "" : "s"): \(names).")
        case "tls":
            let imported = try await console.importTLSReport(as: call.principal, payload: file)
            let about = imported.policyDomains.joined(separator: ", ")
            return done(
                "/admin/reports/tls",
                imported.stored
                    ? "Imported the TLS report of \(imported.organizationName) about \(about)."
                    : "Already imported: the TLS report \(imported.reportID) of \(imported.organizationName).")
        default:
            throw AdminError.invalid("Choose the kind of report.")
        }
    }

    static func sentRow(_ kind: String, _ queued: QueuedReport) -> [String: Any] {
        [
            "kind": kind, "domain": queued.domain, "recipients": queued.recipients, "problems": queued.problems,
            "none": queued.recipients.isEmpty,
        ]
    }

    /// Whether the principal sees the site-wide reports (MTA-STS cache, daily summary).
    static func seesSiteWideReports(_ principal: Principal) -> Bool {
        principal.may(.viewReports) && principal.domainScope == nil
    }

    /// The domains the principal acts in, for the filters' suggestions (none when unreadable).
    func visibleDomains(_ call: ConsoleCall) async -> [String] {
        (try? await console.domains(as: call.principal).map(\.name)) ?? []
    }

    /// `domain` and `day` of a download link.
    static func reportRequest(_ call: ConsoleCall) throws -> (String, Int64) {
        guard let domain = call.query.text("domain") else { throw AdminError.invalid("Name the domain.") }
        guard let day = try Self.dayField(call.query.text("day"), field: "day") else { throw AdminError.invalid("Choose a day.") }
        return (domain, day)
    }

    /// A `YYYY-MM-DD` query field: nil when absent, refused when it is no day.
    static func dayField(_ text: String?, field: String) throws -> Int64? {
        guard let text else { return nil }
        guard let day = Format.parseDay(text) else { throw AdminError.invalid("The \(field) day is not YYYY-MM-DD.") }
        return day
    }

    /// A written report as a file download.
    static func attachment(_ report: WrittenReport) -> Response {
        var response = Response(
            status: .ok, headers: [.contentType: report.contentType], body: .init(byteBuffer: ByteBuffer(bytes: report.bytes)))
        // The name holds only the reporter's and the domain's DNS names, digits and `!` (RFC 9990 §3.5.2).
        let name = report.filename.filter { $0.isLetter || $0.isNumber || "!.-_".contains($0) }
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }
}
