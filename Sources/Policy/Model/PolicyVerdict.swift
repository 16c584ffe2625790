/// The engine's answer: an action, the text for the client, and header fields to add.
public struct PolicyVerdict: Sendable, Hashable {
    public var action: PolicyAction
    /// Reply text for REJECT/DEFER (without code); a reason for the log otherwise.
    public var text: String
    /// Complete header fields (`Name: value`, unfolded or folded with CRLF + space) to prepend.
    public var headers: [String]
    /// The policy and module that decided, for logs (`policy/module`), empty for `DUNNO`.
    public var decidedBy: String

    public init(action: PolicyAction, text: String = "", headers: [String] = [], decidedBy: String = "") {
        self.action = action
        self.text = text
        self.headers = headers
        self.decidedBy = decidedBy
    }

    /// No policy objected.
    public static let dunno = PolicyVerdict(action: .dunno)
}
