import Admin
import Hummingbird

/// `/admin/logins` (the login log: login, IP, protocol, failures only) and `/admin/audit` (who
/// did what, before and after, when, from where), both with cursor paging.
extension ConsolePages {
    func loginLog(_ call: ConsoleCall) async throws -> Response {
        let q = call.query
        let failures = q["failures"] == "1"
        let page = try await console.loginLog(
            as: call.principal,
            LoginLogFilter(
                login: q.text("login"), ip: q.text("ip"), protocolName: q.text("protocol"), onlyFailures: failures,
                cursor: q.text("cursor"), limit: Self.pageSize))
        let rows = page.items.map(Self.loginRow)
        var data: [String: Any] = [
            "events": rows, "empty": rows.isEmpty, "login": q.text("login") ?? "", "ip": q.text("ip") ?? "",
            "protocol": q.text("protocol") ?? "", "failures": failures,
        ]
        data["next"] = page.next.map { Self.nextLink("/admin/logins", q, cursor: $0) }
        if q.text("cursor") != nil { data["first"] = "/admin/logins" }
        return self.page(call, "logins", title: "Login log", section: "logins", data)
    }

    func auditLog(_ call: ConsoleCall) async throws -> Response {
        let q = call.query
        let until = Format.parseDay(q.text("until")).map { $0 + 86_400 }
        let page = try await console.auditLog(
            as: call.principal,
            AuditFilter(
                actor: q.text("actor"), action: q.text("action"), target: q.text("target"),
                since: Format.parseDay(q.text("since")), until: until, cursor: q.text("cursor"), limit: Self.pageSize))
        let rows: [[String: Any]] = page.items.map {
            var row: [String: Any] = [
                "time": Format.time($0.at), "actor": $0.actor, "channel": $0.channel.rawValue, "action": $0.action,
                "target": $0.target, "before": $0.before ?? "(none)", "after": $0.after ?? "(none)",
                "hasChange": $0.before != nil || $0.after != nil,
            ]
            if let ip = $0.clientIP, !ip.isEmpty { row["ip"] = ip }
            if let credential = $0.credential { row["credential"] = credential }
            return row
        }
        var data: [String: Any] = [
            "entries": rows, "empty": rows.isEmpty, "actor": q.text("actor") ?? "", "action": q.text("action") ?? "",
            "target": q.text("target") ?? "", "since": q.text("since") ?? "", "until": q.text("until") ?? "",
        ]
        data["next"] = page.next.map { Self.nextLink("/admin/audit", q, cursor: $0) }
        if q.text("cursor") != nil { data["first"] = "/admin/audit" }
        return self.page(call, "audit", title: "Audit log", section: "audit", data)
    }

    /// The link to the next page: the same filters, the new cursor.
    static func nextLink(_ path: String, _ query: FormData, cursor: String) -> String {
        var parts = query.fields.filter { $0.name != "cursor" && !$0.value.isEmpty }.map {
            FormData.encode($0.name) + "=" + FormData.encode($0.value)
        }
        parts.append("cursor=" + FormData.encode(cursor))
        return path + "?" + parts.joined(separator: "&")
    }
}
