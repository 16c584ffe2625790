/// The recursive-descent parser of RFC 5228 §8.2. Nesting of blocks and tests together is bounded by
/// `SieveLimits.maxNestingDepth`, checked before descending, so hostile input cannot exhaust the stack.
struct SieveParser {
    private var lexer: SieveLexer
    private let limits: SieveLimits
    private var current: SieveLexeme
    private var depth = 0

    /// Parses a whole script, or throws the first syntax error.
    static func parse(_ text: String, limits: SieveLimits) throws(SieveCompileError) -> [SieveNode] {
        let bytes = Array(text.utf8)
        guard bytes.count <= limits.maxScriptBytes else {
            throw SieveCompileError(diagnostics: [
                SievePosition(line: 1, column: 1).error(
                    "script is too large (\(bytes.count) bytes, limit \(limits.maxScriptBytes))")
            ])
        }
        var parser = try SieveParser(bytes, limits: limits)
        let commands = try parser.commands()
        guard parser.current.token == .end else {
            throw parser.unexpected("a command")
        }
        return commands
    }

    private init(_ bytes: [UInt8], limits: SieveLimits) throws(SieveCompileError) {
        lexer = SieveLexer(bytes, limits: limits)
        self.limits = limits
        current = try lexer.next()
    }

    private mutating func advance() throws(SieveCompileError) { current = try lexer.next() }

    private func unexpected(_ expected: String) -> SieveCompileError {
        SieveCompileError(diagnostics: [current.position.error("expected \(expected), found \(current.token.display)")])
    }

    private func isPunctuation(_ char: Character) -> Bool {
        current.token == .punctuation(char.asciiValue!)
    }

    private mutating func enter() throws(SieveCompileError) {
        depth += 1
        guard depth <= limits.maxNestingDepth else {
            throw SieveCompileError(diagnostics: [
                current.position.error("nesting is too deep (limit \(limits.maxNestingDepth))")
            ])
        }
    }

    // commands = *command
    private mutating func commands() throws(SieveCompileError) -> [SieveNode] {
        var commands: [SieveNode] = []
        while case .identifier = current.token { commands.append(try command()) }
        return commands
    }

    // command = identifier arguments (";" / block)
    private mutating func command() throws(SieveCompileError) -> SieveNode {
        guard case .identifier(let name) = current.token else { throw unexpected("a command") }
        let position = current.position
        try advance()
        var node = try argumentsAndTests(name: name, position: position)
        if isPunctuation(";") {
            try advance()
        } else if isPunctuation("{") {
            try enter()
            try advance()
            node.block = try commands()
            guard isPunctuation("}") else { throw unexpected("'}' or a command") }
            try advance()
            depth -= 1
        } else {
            throw unexpected("';' or '{'")
        }
        return node
    }

    // arguments = *argument [ test / test-list ]
    private mutating func argumentsAndTests(name: String, position: SievePosition) throws(SieveCompileError) -> SieveNode {
        var node = SieveNode(name: name, position: position, arguments: [], tests: [], testList: false, block: nil)
        while true {
            let at = current.position
            switch current.token {
            case .tag(let tag):
                node.arguments.append(SieveArgument(value: .tag(tag), position: at))
                try advance()
            case .number(let number):
                node.arguments.append(SieveArgument(value: .number(number), position: at))
                try advance()
            case .string(let string):
                node.arguments.append(SieveArgument(value: .strings([string], isList: false), position: at))
                try advance()
            case .punctuation(UInt8(ascii: "[")):
                node.arguments.append(SieveArgument(value: .strings(try stringList(), isList: true), position: at))
            default:
                if case .identifier = current.token {
                    node.tests = [try test()]
                } else if isPunctuation("(") {
                    node.tests = try testList()
                    node.testList = true
                }
                return node
            }
        }
    }

    // string-list = "[" string *("," string) "]" / string
    private mutating func stringList() throws(SieveCompileError) -> [String] {
        try advance()
        var strings: [String] = []
        while true {
            guard case .string(let string) = current.token else { throw unexpected("a string") }
            strings.append(string)
            guard strings.count <= limits.maxStringListItems else {
                throw SieveCompileError(diagnostics: [
                    current.position.error("string list has too many items (limit \(limits.maxStringListItems))")
                ])
            }
            try advance()
            if isPunctuation(",") {
                try advance()
            } else if isPunctuation("]") {
                try advance()
                return strings
            } else {
                throw unexpected("',' or ']'")
            }
        }
    }

    // test = identifier arguments
    private mutating func test() throws(SieveCompileError) -> SieveNode {
        guard case .identifier(let name) = current.token else { throw unexpected("a test") }
        try enter()
        let position = current.position
        try advance()
        let node = try argumentsAndTests(name: name, position: position)
        depth -= 1
        return node
    }

    // test-list = "(" test *("," test) ")"
    private mutating func testList() throws(SieveCompileError) -> [SieveNode] {
        try enter()
        try advance()
        var tests: [SieveNode] = []
        while true {
            tests.append(try test())
            if isPunctuation(",") {
                try advance()
            } else if isPunctuation(")") {
                try advance()
                depth -= 1
                return tests
            } else {
                throw unexpected("',' or ')'")
            }
        }
    }
}
