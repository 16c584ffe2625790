/// Ends an evaluation early with one of the two error results (RFC 7208 §2.6.6, §2.6.7),
/// through any depth of include and redirect.
enum SPFAbort: Error {
    case temperror(String)
    case permerror(String)
}
