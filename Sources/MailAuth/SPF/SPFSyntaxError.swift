/// A record that breaks the ABNF of RFC 7208 §12: the check ends in `permerror` (§4.6).
struct SPFSyntaxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
