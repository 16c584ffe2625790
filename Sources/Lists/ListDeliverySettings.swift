/// Where a list's links point and how its copies are sent, from the site's configuration.
public struct ListDeliverySettings: Sendable {
    /// `https://mail.example.org` (with the port when not 443): the base of unsubscribe links.
    public var webBase: String
    /// The host name in Received fields and generated messages.
    public var hostname: String
    /// Where held posts are kept until a moderator decides.
    public var heldDirectory: String
    /// Where posts wait for the next digest (beside the held posts unless said otherwise).
    public var digestDirectory: String
    /// Where archived posts are kept (beside the held posts).
    public var archiveDirectory: String
    /// The most posts one list holds at once; further posts to be held are discarded (logged),
    /// so a flood can fill neither the disk nor the moderators' mailboxes.
    public var maxHeld = 1000

    public init(webBase: String, hostname: String, heldDirectory: String, digestDirectory: String? = nil) {
        self.webBase = webBase
        self.hostname = hostname
        self.heldDirectory = heldDirectory
        let parent = heldDirectory.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        self.archiveDirectory = parent + "/archive"
        self.digestDirectory = digestDirectory ?? parent + "/digest"
    }

    /// The base URL for `hostname` and the HTTPS listener's port (nil: 443).
    public static func webBase(hostname: String, httpsPort: Int?) -> String {
        "https://\(hostname)" + (httpsPort == nil || httpsPort == 443 ? "" : ":\(httpsPort!)")
    }

    /// A member's one-click unsubscribe URL (RFC 8058).
    func unsubscribeURL(token: String) -> String { "\(webBase)/lists/unsubscribe/\(token)" }

    /// A member's options page (delivery on or off, digest), named by the same token.
    func optionsURL(token: String) -> String { "\(webBase)/lists/options/\(token)" }
}
