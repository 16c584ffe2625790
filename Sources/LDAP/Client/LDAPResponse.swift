/// The complete answer to one request: its final result and, for a search, what came before it
/// (RFC 4511 §4.5.2: entries and references, then searchResultDone).
public struct LDAPResponse: Sendable {
    public var result: LDAPResult
    public var entries: [LDAPEntry]
    /// Continuation references (§4.5.3); they are reported, never followed.
    public var references: [[String]]
    /// The response controls of the final message (§4.1.11).
    public var controls: [LDAPControl]
    /// An extended response's `responseName` and `responseValue` (§4.12).
    public var extendedName: String?
    public var extendedValue: [UInt8]?

    public init(
        result: LDAPResult, entries: [LDAPEntry] = [], references: [[String]] = [], controls: [LDAPControl] = [],
        extendedName: String? = nil, extendedValue: [UInt8]? = nil
    ) {
        self.result = result
        self.entries = entries
        self.references = references
        self.controls = controls
        self.extendedName = extendedName
        self.extendedValue = extendedValue
    }

    /// The control with `oid`, if the server sent one.
    public func control(_ oid: String) -> LDAPControl? { controls.first { $0.oid == oid } }
}
