import Admin
import Filter
import Hummingbird

/// The "Spam" section of `/admin/me`: the user's own junk threshold and Junk delivery, with what
/// they inherit from their domain and the site.
extension ConsolePages {
    /// The section's data for the `me` template.
    func ownSpamData(_ call: ConsoleCall, form: FormState?) async throws -> [String: Any] {
        let settings = try await console.ownSpamSettings(as: call.principal)
        let inherited = settings.inherited
        // A refused spam form is shown as typed; any other form of the page leaves it as stored.
        let typed = form?.values["junk"].flatMap(Self.junkValue)
        let junkChoice = typed ?? settings.own.junk
        return [
            "spam": [
                "scanner": console.spamDefaults != nil,
                "junkThreshold": form?.values["junkThreshold"] ?? settings.own.junkThreshold.map(Self.score) ?? "",
                "inheritedThreshold": inherited.junkThreshold.map(Self.score) ?? "the scanner's own",
                "effective": Self.spamColumns(settings.own, inherited: inherited),
                "junkChoice": [
                    [
                        "value": "inherit",
                        "label": "As my domain does (\((inherited.junk ?? true) ? "into Junk" : "into the inbox"))",
                        "selected": junkChoice == nil,
                    ],
                    ["value": "on", "label": "Into my Junk folder", "selected": junkChoice == true],
                    ["value": "off", "label": "Into my inbox, marked as spam", "selected": junkChoice == false],
                ],
            ] as [String: Any]
        ]
    }

    func setOwnSpamSettings(_ call: ConsoleCall) async throws -> Response {
        let threshold = try Self.threshold(call.form["junkThreshold"], name: "spam threshold")
        guard let junk = Self.junkValue(call.form["junk"] ?? "") else {
            throw AdminError.invalid("Choose where spam goes.")
        }
        try await console.setOwnSpamSettings(as: call.principal, junkThreshold: threshold, junk: junk)
        return done("/admin/me", "Your spam settings are saved.")
    }
}
