/// How deep a search goes below its base (RFC 4511 §4.5.1.2).
public enum LDAPSearchScope: Int, Sendable, Hashable, CaseIterable {
    case baseObject = 0
    case singleLevel = 1
    case wholeSubtree = 2
}

/// When aliases are dereferenced during a search (RFC 4511 §4.5.1.3).
public enum LDAPDerefAliases: Int, Sendable, Hashable, CaseIterable {
    case never = 0
    case inSearching = 1
    case findingBaseObject = 2
    case always = 3
}
