import Admin
import Filter

extension APIService {
    func listFilterSettings(_ input: Operations.ListFilterSettings.Input) async throws
        -> Operations.ListFilterSettings.Output
    {
        let settings = try await console.filterSettings(as: principal())
        return .ok(.init(body: .json(.init(items: settings.map { .init($0) }))))
    }

    func getFilterSettings(_ input: Operations.GetFilterSettings.Input) async throws
        -> Operations.GetFilterSettings.Output
    {
        let settings = try await console.filterSettings(as: principal(), scope: input.path.scope)
        return .ok(.init(body: .json(.init(settings))))
    }

    func setFilterSettings(_ input: Operations.SetFilterSettings.Input) async throws
        -> Operations.SetFilterSettings.Output
    {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let settings = try await console.setFilterSettings(
            as: principal, scope: input.path.scope,
            SpamPreferences(junkThreshold: body.junkThreshold, rejectThreshold: body.rejectThreshold, junk: body.junk))
        return .ok(.init(body: .json(.init(settings))))
    }

    func deleteFilterSettings(_ input: Operations.DeleteFilterSettings.Input) async throws
        -> Operations.DeleteFilterSettings.Output
    {
        try await console.deleteFilterSettings(as: principal(), scope: input.path.scope)
        return .noContent(.init())
    }
}

extension Components.Schemas.SpamSettings {
    init(_ settings: ScopedSpamSettings) {
        self.init(
            scope: settings.scope, own: .init(settings.own), inherited: .init(settings.inherited),
            effective: .init(settings.effective))
    }
}

extension Components.Schemas.SpamPreferences {
    init(_ preferences: SpamPreferences) {
        self.init(
            junkThreshold: preferences.junkThreshold, rejectThreshold: preferences.rejectThreshold, junk: preferences.junk)
    }
}
