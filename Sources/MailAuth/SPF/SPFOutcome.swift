/// What `check_host()` returned (RFC 7208 §4): the result and why.
public struct SPFOutcome: Sendable, Hashable {
    public var result: SPFResult
    /// The directive that matched as written in the record (`-all`, `ip4:192.0.2.0/24`), or
    /// `default` when none did (§4.7); nil for `none` and errors.
    public var mechanism: String?
    /// For `fail`: the explanation string (§6.2), the domain's own or the configured default.
    public var explanation: String?
    /// For `none`, `temperror` and `permerror`: what went wrong, for logs and `Received-SPF`.
    public var problem: String?

    public init(result: SPFResult, mechanism: String? = nil, explanation: String? = nil, problem: String? = nil) {
        self.result = result
        self.mechanism = mechanism
        self.explanation = explanation
        self.problem = problem
    }
}
