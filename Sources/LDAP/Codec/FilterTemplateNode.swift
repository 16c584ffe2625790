/// An assertion value as parsed: literal bytes and, in a template, placeholders.
struct FilterValueTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case bytes([UInt8])
        case login, localPart, domain
    }

    var parts: [Part] = []

    var isEmpty: Bool { parts.isEmpty }

    mutating func append(_ byte: UInt8) {
        if case .bytes(var existing)? = parts.last {
            parts.removeLast()
            existing.append(byte)
            parts.append(.bytes(existing))
        } else {
            parts.append(.bytes([byte]))
        }
    }

    /// The value with placeholders replaced by raw bytes: the result is only ever a value.
    func bytes(_ values: LDAPFilterTemplate.Values) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .bytes(let bytes): out += bytes
            case .login: out += values.s
            case .localPart: out += values.u
            case .domain: out += values.d
            }
        }
        return out
    }
}

/// A parsed filter whose values may hold placeholders; same shape as `LDAPFilter`.
indirect enum FilterTemplateNode: Sendable, Hashable {
    enum Comparison: Sendable, Hashable {
        case equality, greaterOrEqual, lessOrEqual, approx
    }

    case and([FilterTemplateNode])
    case or([FilterTemplateNode])
    case not(FilterTemplateNode)
    case compare(Comparison, String, FilterValueTemplate)
    case substrings(String, initial: FilterValueTemplate?, any: [FilterValueTemplate], final: FilterValueTemplate?)
    case present(String)
    case extensible(rule: String?, attribute: String?, value: FilterValueTemplate, dnAttributes: Bool)

    /// The filter with `values` substituted into the tree; the structure is the template's.
    func filter(_ values: LDAPFilterTemplate.Values) -> LDAPFilter {
        switch self {
        case .and(let items): .and(items.map { $0.filter(values) })
        case .or(let items): .or(items.map { $0.filter(values) })
        case .not(let item): .not(item.filter(values))
        case .compare(.equality, let attribute, let value): .equality(attribute, value.bytes(values))
        case .compare(.greaterOrEqual, let attribute, let value): .greaterOrEqual(attribute, value.bytes(values))
        case .compare(.lessOrEqual, let attribute, let value): .lessOrEqual(attribute, value.bytes(values))
        case .compare(.approx, let attribute, let value): .approx(attribute, value.bytes(values))
        case .substrings(let attribute, let initial, let any, let final):
            // A piece that substitutes to nothing stays an (empty) piece: it is never dropped,
            // so `(mail=*%u*)` cannot widen into `(mail=*)`.
            .substrings(
                attribute, initial: initial?.bytes(values), any: any.map { $0.bytes(values) }, final: final?.bytes(values))
        case .present(let attribute): .present(attribute)
        case .extensible(let rule, let attribute, let value, let dnAttributes):
            .extensible(rule: rule, attribute: attribute, value: value.bytes(values), dnAttributes: dnAttributes)
        }
    }
}
