import LDAP

extension LDAPFilter {
    /// The filter with each assertion whose value holds `marker` turned into a presence test
    /// (`(mail=%s)` → `(mail=*)`): the user filter made to list every account.
    func replacingAssertions(containing marker: [UInt8]) -> LDAPFilter {
        func holds(_ value: [UInt8]?) -> Bool {
            guard let value, value.count >= marker.count else { return false }
            return (0...(value.count - marker.count)).contains { value[$0..<($0 + marker.count)].elementsEqual(marker) }
        }
        switch self {
        case .and(let items): return .and(items.map { $0.replacingAssertions(containing: marker) })
        case .or(let items): return .or(items.map { $0.replacingAssertions(containing: marker) })
        case .not(let item): return .not(item.replacingAssertions(containing: marker))
        case .equality(let attribute, let value), .approx(let attribute, let value),
            .greaterOrEqual(let attribute, let value), .lessOrEqual(let attribute, let value):
            return holds(value) ? .present(attribute) : self
        case .substrings(let attribute, let initial, let any, let final):
            return holds(initial) || holds(final) || any.contains(where: holds) ? .present(attribute) : self
        case .present, .extensible:
            return self
        }
    }
}
