/// The tree `HTMLParser` builds and `HTMLSerializer` writes: elements, text and comments. Names are
/// lower-case (WHATWG HTML §13.2.5.8 lower-cases ASCII in tag and attribute names); text is decoded
/// (character references resolved), so a value here is what a browser's DOM would hold.
public enum HTMLNode: Sendable, Equatable {
    case element(HTMLElement)
    case text(String)
    case comment(String)
}

/// One attribute: a lower-case name and its decoded value. A tag's repeated attribute is dropped
/// (§13.2.5.33: the first one wins), so names are unique within an element.
public struct HTMLAttribute: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An element with its attributes in source order and its children.
public struct HTMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [HTMLAttribute]
    public var children: [HTMLNode]

    public init(name: String, attributes: [HTMLAttribute] = [], children: [HTMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// The value of the attribute `name` (lower-case), if present.
    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}

/// A parsed document flattened into one fragment: `html`, `head` and `body` are not kept as elements
/// (their children are), so `children` is what a body would hold.
public struct HTMLDocument: Sendable, Equatable {
    public var children: [HTMLNode]
    /// The input was longer than the limits allowed (bytes or nodes); the tree holds its start.
    public var truncated: Bool

    public init(children: [HTMLNode], truncated: Bool = false) {
        self.children = children
        self.truncated = truncated
    }
}

/// Bounds on the work and memory one parse may take.
public struct HTMLParseLimits: Sendable, Equatable {
    /// Input beyond this many UTF-8 bytes is cut off at a character boundary.
    public var maxInputBytes: Int
    /// Elements nested deeper than this are not opened: their content joins the parent.
    public var maxDepth: Int
    /// Parsing stops after this many nodes.
    public var maxNodes: Int

    public init(maxInputBytes: Int = 8 << 20, maxDepth: Int = 256, maxNodes: Int = 200_000) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
