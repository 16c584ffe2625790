/// Checks a parsed script against the command registry (RFC 5228 §2.6, §3.2, §8.3) and turns it into
/// instructions: every error found is collected, in script order.
struct SieveValidator {
    let limits: SieveLimits
    /// Compiles an included script (RFC 6609 §3.2), returning its unit index; nil after reporting an error,
    /// or `SieveValidator.missingOptional` for an `:optional` include of a missing script.
    let include: (String, SieveIncludeLocation, Bool, SievePosition, inout [SieveDiagnostic]) -> Int?
    private(set) var diagnostics: [SieveDiagnostic] = []
    private(set) var extensions: Set<String> = []

    static let missingOptional = -1

    init(
        limits: SieveLimits,
        include: @escaping (String, SieveIncludeLocation, Bool, SievePosition, inout [SieveDiagnostic]) -> Int?
    ) {
        self.limits = limits
        self.include = include
    }

    mutating func appendDiagnostic(_ diagnostic: SieveDiagnostic) { diagnostics.append(diagnostic) }

    private mutating func error(_ at: SievePosition, _ message: String) {
        diagnostics.append(at.error(message))
    }

    func has(_ capability: String) -> Bool { extensions.contains(capability) }

    // MARK: Commands

    /// Validates the top level of a script.
    mutating func validateScript(_ nodes: [SieveNode]) -> [SieveInstruction] {
        var index = 0
        // RFC 5228 §3.2: require only at the beginning of the script.
        while index < nodes.count, nodes[index].name.lowercased() == "require" {
            require(nodes[index])
            index += 1
        }
        return validateBlock(Array(nodes[index...]))
    }

    private mutating func require(_ node: SieveNode) {
        guard node.tests.isEmpty, node.block == nil, node.arguments.count == 1,
            case .strings(let names, _) = node.arguments[0].value
        else {
            error(node.position, "the require command expects one string list argument")
            return
        }
        for name in names {
            let capability = name.lowercased()
            guard SieveExtensions.supported.contains(capability) else {
                error(node.arguments[0].position, "require command: unknown Sieve capability '\(name)'")
                continue
            }
            extensions.insert(capability)
            for implied in SieveExtensions.implied[capability] ?? [] { extensions.insert(implied) }
        }
    }

    private mutating func validateBlock(_ nodes: [SieveNode]) -> [SieveInstruction] {
        var instructions: [SieveInstruction] = []
        for node in nodes {
            let name = node.name.lowercased()
            switch name {
            case "require":
                error(node.position, "the require command can only be placed at top level at the beginning of the file")
            case "if":
                guard let call = validate(node, commandNamed: name) else { continue }
                instructions.append(.conditional([SieveBranch(test: call.tests.first, block: validateBlock(node.block ?? []))]))
            case "elsif", "else":
                // RFC 5228 §3.1: elsif and else only after if or elsif.
                guard case .conditional(var branches) = instructions.last, branches.last?.test != nil else {
                    error(node.position, "the \(name) command must follow an if or elsif command")
                    continue
                }
                guard let call = validate(node, commandNamed: name) else { continue }
                branches.append(
                    SieveBranch(test: name == "else" ? nil : call.tests.first, block: validateBlock(node.block ?? [])))
                instructions[instructions.count - 1] = .conditional(branches)
            default:
                guard let call = validate(node, commandNamed: name) else { continue }
                if let instruction = instruction(for: call) { instructions.append(instruction) }
            }
        }
        return instructions
    }

    private mutating func instruction(for call: SieveCall) -> SieveInstruction? {
        switch call.name {
        case "stop": return .stop
        case "return": return .returnFromInclude
        case "include":
            let location: SieveIncludeLocation = call.has("global") ? .global : .personal
            guard let unit = include(call.string(0), location, call.has("optional"), call.position, &diagnostics) else {
                return nil
            }
            if unit == Self.missingOptional { return .nothing }
            return .include(SieveIncludeCall(unit: unit, once: call.has("once"), position: call.position))
        default:
            return .command(call)
        }
    }

    private mutating func validate(_ node: SieveNode, commandNamed name: String) -> SieveCall? {
        guard let signature = SieveCommandRegistry.commands[name] else {
            if SieveCommandRegistry.tests[name] != nil {
                error(node.position, "'\(node.name)' is a test, not a command")
            } else {
                error(node.position, "unknown command '\(node.name)'")
            }
            return nil
        }
        if signature.block, node.block == nil {
            error(node.position, "the \(name) command requires a block")
        } else if !signature.block, node.block != nil {
            error(node.position, "the \(name) command does not take a block")
        }
        return validate(node, signature: signature)
    }

    // MARK: Tests

    private mutating func validateTest(_ node: SieveNode) -> SieveCall? {
        let name = node.name.lowercased()
        guard let signature = SieveCommandRegistry.tests[name] else {
            if SieveCommandRegistry.commands[name] != nil {
                error(node.position, "'\(node.name)' is a command, not a test")
            } else {
                error(node.position, "unknown test '\(node.name)'")
            }
            return nil
        }
        return validate(node, signature: signature)
    }

    // MARK: Arguments

    private mutating func validate(_ node: SieveNode, signature: SieveSignature) -> SieveCall? {
        let name = signature.name
        let kind = signature.isTest ? "test" : "command"
        if !signature.requires.isEmpty, !signature.requires.contains(where: has) {
            error(
                node.position,
                "unknown \(kind) '\(node.name)' (the \"\(signature.requires[0])\" extension is not required)")
            return nil
        }
        let errorsBefore = diagnostics.count
        var call = SieveCall(
            name: name, position: node.position, tags: [:], arguments: [], match: SieveMatchSpec(), tests: [])
        var positional: [SieveArgument] = []
        var seen: Set<String> = []
        var groups: [String: String] = [:]
        var index = 0
        let arguments = node.arguments
        func next() -> SieveArgument? {
            index += 1
            return index < arguments.count ? arguments[index] : nil
        }
        while index < arguments.count {
            let argument = arguments[index]
            guard case .tag(let rawTag) = argument.value else {
                positional.append(argument)
                index += 1
                continue
            }
            let tag = rawTag.lowercased()
            let category = tagCategory(tag, signature: signature)
            if let category {
                if let previous = groups[category] {
                    error(argument.position, "the \(name) \(kind) takes only one \(category) (:\(previous) and :\(tag))")
                }
                groups[category] = tag
            }
            if seen.contains(tag) { error(argument.position, "tag :\(tag) given twice") }
            seen.insert(tag)
            switch (category, tag) {
            case ("match type", "is"): call.match.matchType = .is
            case ("match type", "contains"): call.match.matchType = .contains
            case ("match type", "matches"): call.match.matchType = .matches
            case ("match type", "count"), ("match type", "value"):
                // RFC 5231 §4: the relational match types take a relation.
                requireExtension("relational", for: tag, at: argument.position)
                guard let relationArgument = next(), case .strings(let list, false) = relationArgument.value,
                    let relation = SieveRelation(rawValue: list[0].lowercased())
                else {
                    error(argument.position, ":\(tag) expects a relation (\"gt\", \"ge\", \"lt\", \"le\", \"eq\", \"ne\")")
                    return nil
                }
                call.match.matchType = tag == "count" ? .count(relation) : .value(relation)
            case ("comparator", _):
                guard let nameArgument = next(), case .strings(let list, false) = nameArgument.value else {
                    error(argument.position, ":comparator expects a string")
                    return nil
                }
                // RFC 5228 §2.7.3: comparators other than i;octet and i;ascii-casemap must be required.
                guard let comparator = SieveComparator(rawValue: list[0].lowercased()) else {
                    error(nameArgument.position, "unknown comparator '\(list[0])'")
                    index += 1
                    continue
                }
                if comparator == .asciiNumeric { requireExtension("comparator-i;ascii-numeric", for: tag, at: argument.position) }
                call.match.comparator = comparator
            case ("address part", _):
                if tag == "user" || tag == "detail" { requireExtension("subaddress", for: tag, at: argument.position) }
                call.match.addressPart = SieveAddressPart(rawValue: tag) ?? .all
            case ("index", "index"):
                // RFC 5293 §5: deleteheader has :index of its own; elsewhere it is RFC 5260 §6's.
                if name != "deleteheader" { requireExtension("index", for: tag, at: argument.position) }
                guard let numberArgument = next(), case .number(let number) = numberArgument.value else {
                    error(argument.position, ":index expects a number")
                    return nil
                }
                if number < 1 { error(numberArgument.position, ":index must be 1 or more") }
                call.match.index = number
            case ("last", "last") where signature.index:
                if name != "deleteheader" { requireExtension("index", for: tag, at: argument.position) }
                call.match.last = true
            default:
                guard let spec = signature.tags[tag] else {
                    error(argument.position, "unknown tag :\(rawTag) for the \(name) \(kind)")
                    return nil
                }
                if let needed = spec.requires { requireExtension(needed, for: tag, at: argument.position) }
                if let group = spec.group {
                    if let previous = groups[group] { error(argument.position, ":\(previous) and :\(tag) exclude each other") }
                    groups[group] = tag
                }
                if let type = spec.argument {
                    guard let value = next() else {
                        error(argument.position, ":\(tag) expects a \(type.display)")
                        return nil
                    }
                    guard let checked = check(value, as: type, what: ":\(tag)") else { return nil }
                    call.tags[tag] = checked
                } else {
                    call.tags[tag] = .strings([])
                }
            }
            index += 1
        }
        // RFC 5260 §6: :last only with :index.
        // (deleteheader's :last alone is accepted and ignored, as Pigeonhole does.)
        if call.match.last, call.match.index == nil, name != "deleteheader" {
            error(node.position, ":last requires :index")
        }
        // RFC 4790 §9.1: i;ascii-numeric has no substring operation.
        if call.match.comparator == .asciiNumeric {
            switch call.match.matchType {
            case .contains, .matches:
                error(node.position, "comparator i;ascii-numeric does not support substring matching")
            default: break
            }
        }
        call.arguments = positionals(positional, signature: signature, node: node)
        switch signature.tests {
        case .none:
            if !node.tests.isEmpty { error(node.position, "the \(name) \(kind) does not take a test") }
        case .one:
            if node.tests.count != 1 || node.testList {
                error(node.position, "the \(name) \(kind) expects one test")
            } else if let test = validateTest(node.tests[0]) {
                call.tests = [test]
            }
        case .list:
            if !node.testList { error(node.position, "the \(name) test expects a list of tests") }
            call.tests = node.tests.compactMap { validateTest($0) }
        }
        guard diagnostics.count == errorsBefore else { return nil }
        checkSemantics(call)
        return call
    }

    private func tagCategory(_ tag: String, signature: SieveSignature) -> String? {
        if signature.matchType, ["is", "contains", "matches", "count", "value"].contains(tag) { return "match type" }
        if signature.comparator, tag == "comparator" { return "comparator" }
        if signature.addressPart, SieveAddressPart(rawValue: tag) != nil { return "address part" }
        if signature.index, tag == "index" || tag == "last" { return tag }
        return nil
    }

    private mutating func requireExtension(_ capability: String, for tag: String, at: SievePosition) {
        if !has(capability) { error(at, "tag :\(tag) requires the \"\(capability)\" extension") }
    }

    private mutating func positionals(_ given: [SieveArgument], signature: SieveSignature, node: SieveNode) -> [SieveValue?] {
        let required = signature.positional.filter { !$0.optional }.count
        guard given.count == signature.positional.count || given.count == required else {
            let expected = required == signature.positional.count ? "\(required)" : "\(required) or \(signature.positional.count)"
            error(
                given.first?.position ?? node.position,
                "the \(signature.name) \(signature.isTest ? "test" : "command") expects \(expected) positional arguments, got \(given.count)"
            )
            return []
        }
        var values: [SieveValue?] = []
        var next = 0
        for spec in signature.positional {
            if spec.optional, given.count == required {
                values.append(nil)
                continue
            }
            values.append(check(given[next], as: spec.type, what: "argument \(next + 1) of \(signature.name)"))
            next += 1
        }
        return values
    }

    private mutating func check(_ argument: SieveArgument, as type: SieveSignature.ArgumentType, what: String) -> SieveValue? {
        switch (type, argument.value) {
        case (.number, .number(let number)):
            return .number(number)
        case (.string, .strings(let list, false)), (.stringList, .strings(let list, _)):
            return .strings(list.map { decodeEncoded($0, at: argument.position) })
        default:
            error(argument.position, "\(what) expects a \(type.display)")
            return nil
        }
    }

    private mutating func decodeEncoded(_ string: String, at: SievePosition) -> String {
        guard has("encoded-character") else { return string }
        do {
            return try SieveEncodedCharacter.decode(string)
        } catch {
            if case .invalidCodePoint(let value) = error {
                self.error(at, "invalid unicode character '\(value)' in encoded character substitution")
            }
            return string
        }
    }
}
