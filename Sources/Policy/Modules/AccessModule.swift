/// Access control: a fixed action for everything the policy matches (Cluebringer's access
/// control module). Acts at every stage before END-OF-MESSAGE; at END-OF-MESSAGE only HOLD and
/// DISCARD, which concern the message as a whole.
struct AccessModule: Sendable {
    let action: PolicyAction
    let text: String

    init(_ settings: PolicySettings) throws {
        guard settings.values["action"] != nil else { throw PolicySettingError("access: action is required") }
        action = try settings.action("action", default: .dunno)
        text = settings.string("text")
    }

    func evaluate(_ request: PolicyRequest) -> PolicyVerdict? {
        if request.stage == .endOfMessage && action != .hold && action != .discard { return nil }
        return PolicyVerdict(action: action, text: text.isEmpty ? defaultText : text)
    }

    private var defaultText: String {
        switch action {
        case .reject: "Access denied"
        case .deferred: "Try again later"
        default: ""
        }
    }
}
