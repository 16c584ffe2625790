/// Why a list operation was refused.
public enum ListError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownList(String)
    case duplicateList(String)
    /// The address (or its `-owner`/`-bounces` companion) is an account or alias already.
    case addressTaken(String)
    case notLocal(String)
    case unknownMember(String, list: String)
    case duplicateMember(String, list: String)
    case invalid(String)
    case unknownHeld(Int64)

    public var description: String {
        switch self {
        case .unknownList(let a): "no such list '\(a)'"
        case .duplicateList(let a): "list '\(a)' already exists"
        case .addressTaken(let a): "'\(a)' is an account or alias already"
        case .notLocal(let a): "'\(a)' is not in a local domain (add the domain first)"
        case .unknownMember(let m, let l): "'\(m)' is not on list '\(l)' in that role"
        case .duplicateMember(let m, let l): "'\(m)' is on list '\(l)' in that role already"
        case .invalid(let why): why
        case .unknownHeld(let id): "no held post \(id)"
        }
    }
}
