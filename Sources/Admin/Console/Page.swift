/// One page of a long listing, and the cursor of the next (nil on the last page). Cursors are
/// opaque strings (base64url of the last key shown), stable while rows are added or removed.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: String?

    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}
