/// RFC 5228 §2.7 and RFC 5231: matching a test's values against its keys.
extension SieveRun {
    /// Whether any value matches any key under the match type and comparator; `:count` compares the
    /// number of values (RFC 5231 §4.2). A successful `:matches` sets the match variables.
    func matches(_ values: [String], _ keys: [String], _ spec: SieveMatchSpec) throws(SieveRuntimeError) -> Bool {
        // The worst case of what follows, charged before it is done.
        let valueBytes = values.reduce(0) { $0 &+ $1.utf8.count + 1 }
        let keyBytes = keys.reduce(0) { $0 &+ $1.utf8.count + 1 }
        switch spec.matchType {
        case .contains, .matches:
            let (product, overflow) = valueBytes.multipliedReportingOverflow(by: keyBytes)
            try charge(overflow ? Int.max : product)
        default:
            try charge(valueBytes &+ keyBytes)
        }
        switch spec.matchType {
        case .count(let relation):
            let count = String(values.count)
            return keys.contains { relation.holds(spec.comparator.order(count, $0)) }
        case .value(let relation):
            return values.contains { value in keys.contains { relation.holds(spec.comparator.order(value, $0)) } }
        case .is:
            return values.contains { value in keys.contains { spec.comparator.isEqual(value, $0) } }
        case .contains:
            return values.contains { value in keys.contains { spec.comparator.contains(value, $0) } }
        case .matches:
            let globs = keys.map(SieveGlob.init)
            for value in values {
                for glob in globs {
                    if let captures = glob.match(value, comparator: spec.comparator) {
                        setMatchValues(value, captures)
                        return true
                    }
                }
            }
            return false
        }
    }

    /// RFC 5260 §6: the fields of a name a test looks at, narrowed to one by :index (and :last).
    func selectFields(_ names: [String], _ spec: SieveMatchSpec) -> [SieveMessage.Field] {
        var selected: [SieveMessage.Field] = []
        for name in names {
            let named = fields.filter { $0.hasName(name) }
            if let index = spec.index {
                guard index >= 1, index <= named.count else { continue }
                selected.append(named[spec.last ? named.count - index : index - 1])
            } else {
                selected += named
            }
        }
        return selected
    }
}
