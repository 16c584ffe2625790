/// RFC 5229 variables: expansion of `${name}` and `${N}`, `set` and its modifiers, and RFC 6609 §3.5
/// global variables. Values are truncated to `SieveLimits.maxVariableBytes` (RFC 5229 §6).
extension SieveRun {
    /// RFC 5229 §3: expands variable references in a string when the current script requires
    /// "variables" (once, not recursively). An expansion longer than `maxStringBytes` is an error.
    func expand(_ string: String) throws(SieveRuntimeError) -> String {
        guard scope.expands, string.utf8.contains(UInt8(ascii: "$")) else { return string }
        let bytes = Array(string.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
                let close = bytes[(index + 2)...].prefix(260).firstIndex(of: UInt8(ascii: "}")),
                let value = reference(String(decoding: bytes[(index + 2)..<close], as: UTF8.self))
            {
                out.append(contentsOf: value.utf8)
                index = close + 1
            } else {
                out.append(bytes[index])
                index += 1
            }
            guard out.count <= limits.maxStringBytes else {
                throw SieveRuntimeError(message: "expanded string exceeds \(limits.maxStringBytes) bytes")
            }
        }
        try charge(out.count)
        return String(decoding: out, as: UTF8.self)
    }

    func expand(_ strings: [String]) throws(SieveRuntimeError) -> [String] {
        var result: [String] = []
        result.reserveCapacity(strings.count)
        for string in strings { result.append(try expand(string)) }
        return result
    }

    /// The value of `${name}`; nil when `name` is not a variable reference (then it stays as written).
    private func reference(_ name: String) -> String? {
        // RFC 5229 §3: num-variable = 1*DIGIT; beyond the match values it is empty.
        if !name.isEmpty, name.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            guard name.utf8.count <= 3, let number = Int(name), number < scope.matchValues.count else { return "" }
            return scope.matchValues[number]
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ SieveASCII.isIdentifier($0) }) else { return nil }
        if parts.count == 1 { return variableValue(name) }
        // RFC 6609 §3.5: the "global" namespace; a reference in a namespace not known is empty (as Pigeonhole).
        if parts.count == 2, parts[0].lowercased() == "global" { return globals[parts[1].lowercased()] ?? "" }
        return ""
    }

    /// A variable's value ("" when unset).
    func variableValue(_ name: String) -> String {
        let key = name.lowercased()
        if key.hasPrefix("global.") { return globals[String(key.dropFirst(7))] ?? "" }
        if scope.globalNames.contains(key) { return globals[key] ?? "" }
        return scope.locals[key] ?? ""
    }

    func setVariable(_ name: String, _ value: String, at call: SieveCall) throws(SieveRuntimeError) {
        let key = name.lowercased()
        let truncated = Self.truncate(value, to: limits.maxVariableBytes)
        let tooMany = SieveRuntimeError(
            message: "too many variables (limit \(limits.maxVariables))", position: call.position)
        if key.hasPrefix("global.") || scope.globalNames.contains(key) {
            let globalKey = key.hasPrefix("global.") ? String(key.dropFirst(7)) : key
            guard globals[globalKey] != nil || globals.count < limits.maxVariables else { throw tooMany }
            globals[globalKey] = truncated
        } else {
            guard scope.locals[key] != nil || scope.locals.count < limits.maxVariables else { throw tooMany }
            scope.locals[key] = truncated
        }
    }

    /// Cuts a string to at most `limit` UTF-8 bytes, on a character boundary.
    static func truncate(_ value: String, to limit: Int) -> String {
        guard value.utf8.count > limit else { return value }
        var bytes = 0
        var end = value.unicodeScalars.startIndex
        for scalar in value.unicodeScalars {
            let width = UTF8.width(scalar)
            if bytes + width > limit { break }
            bytes += width
            end = value.unicodeScalars.index(after: end)
        }
        return String(value.unicodeScalars[..<end])
    }

    // RFC 5229 §4: set [MODIFIER] <name> <value>, modifiers applied from the highest precedence down.
    func set(_ call: SieveCall) throws(SieveRuntimeError) {
        var value = try expand(call.string(1))
        // Precedence 40: :lower / :upper.
        if call.has("lower") { value = value.lowercased() }
        if call.has("upper") { value = value.uppercased() }
        // Precedence 30: :lowerfirst / :upperfirst.
        if let first = value.first {
            if call.has("lowerfirst") { value = first.lowercased() + value.dropFirst() }
            if call.has("upperfirst") { value = first.uppercased() + value.dropFirst() }
        }
        // Precedence 20: :quotewildcard.
        if call.has("quotewildcard") {
            var quoted = ""
            for character in value {
                if character == "*" || character == "?" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            value = quoted
        }
        // Precedence 10: :length, in characters.
        if call.has("length") { value = String(value.count) }
        try setVariable(call.string(0), value, at: call)
    }

    /// RFC 5229 §3.2: after a successful :matches, ${0} is the whole value and ${1}.. the wildcards.
    func setMatchValues(_ value: String, _ captures: [String]) {
        guard scope.expands else { return }
        scope.matchValues = [value] + captures.prefix(9).map { Self.truncate($0, to: limits.maxVariableBytes) }
    }
}
