import Admin
import Core
import Monitor

/// `GET /summary` and `POST /summary/send`: the daily summary (docs/summary.md), translated to
/// and from `AdminConsole.dailySummary` / `sendDailySummary`.
extension APIService {
    func getDailySummary(_ input: Operations.GetDailySummary.Input) async throws -> Operations.GetDailySummary.Output {
        let principal = try await principal()
        let day = try Self.day(input.query.day)
        return .ok(.init(body: .json(.init(try await console.dailySummary(as: principal, day: day)))))
    }

    func sendDailySummary(_ input: Operations.SendDailySummary.Input) async throws -> Operations.SendDailySummary.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let result = try await console.sendDailySummary(
            as: principal, day: try Self.day(request.day), again: request.again ?? false)
        let day = DailySummaryMail.dayText(result.day)
        guard result.queued else {
            throw APIProblem(
                .conflict, detail: "the summary of \(day) was sent before; send {\"again\": true} to send it again")
        }
        return .ok(.init(body: .json(.init(day: day, again: result.again, queued: true))))
    }
}

extension Components.Schemas.DailySummary {
    init(_ summary: DailySummary) {
        func counts(_ items: [DailySummary.Count]) -> [Components.Schemas.SummaryCount] {
            items.map { .init(key: $0.key, count: $0.count) }
        }
        self.init(
            day: summary.day, received: counts(summary.received), submitted: summary.submitted,
            topSenders: counts(summary.topSenders), refused: summary.refused, topRefusals: counts(summary.topRefusals),
            failedLogins: summary.failedLogins, topFailingClients: counts(summary.topFailingClients),
            queuePeak: summary.queuePeak.map { .init(key: $0.key, count: $0.count) }, suspended: summary.suspended)
    }
}
