/// Special-use mailbox attributes (RFC 6154 §2).
public enum SpecialUse: String, Sendable, Hashable, CaseIterable {
    case sent = "\\Sent"
    case drafts = "\\Drafts"
    case junk = "\\Junk"
    case trash = "\\Trash"
    case archive = "\\Archive"

    /// The mailbox name `provision` gives it (also its Maildir++ folder, with a leading dot).
    public var defaultName: String {
        switch self {
        case .sent: "Sent"
        case .drafts: "Drafts"
        case .junk: "Junk"
        case .trash: "Trash"
        case .archive: "Archive"
        }
    }
}
