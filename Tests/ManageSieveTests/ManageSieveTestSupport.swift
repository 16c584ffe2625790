import Connection

@testable import ManageSieve

/// An in-memory script store with the storage's rules (RFC 5804 §1.6 names, one active script,
/// quotas) and a toy compiler: a line whose first word is not a known command is a syntax error.
struct FakeScripts {
    var scripts: [String: String] = [:]
    var active: String?
    var maximumScripts = 5
    var maximumScriptSize = 1024
    var failing = false

    static let commands: Set<String> = [
        "require", "if", "elsif", "else", "keep", "discard", "fileinto", "redirect", "stop", "reject", "vacation", "}",
    ]

    static func compile(_ text: String) -> [String] {
        var errors: [String] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated()
        {
            let word = line.drop { $0 == " " || $0 == "\t" }.split(separator: " ").first.map(String.init) ?? ""
            if word.isEmpty || word == "\r" || word.hasPrefix("#") { continue }
            let command = String(word.prefix { $0.isLetter || $0 == "}" }).lowercased()
            if !commands.contains(command) { errors.append("line \(number + 1): Syntax error") }
        }
        return errors
    }

    /// RFC 5804 §1.6: no control characters, at least one character.
    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128
            && !name.unicodeScalars.contains {
                $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
            }
    }

    mutating func perform(_ operation: ManageSieveScriptOperation) -> ManageSieveEffectResult {
        if failing { return .failed(.temporary) }
        switch operation {
        case .haveSpace(let name, let size):
            guard Self.validName(name) else { return .failed(.invalidName(name)) }
            if size > maximumScriptSize { return .failed(.tooLarge(maximumScriptSize)) }
            if scripts[name] == nil && scripts.count >= maximumScripts { return .failed(.tooManyScripts(maximumScripts)) }
            return .done
        case .put(let name, let text):
            guard Self.validName(name) else { return .failed(.invalidName(name)) }
            let errors = Self.compile(text)
            guard errors.isEmpty else { return .failed(.invalidScript(errors)) }
            if text.utf8.count > maximumScriptSize { return .failed(.tooLarge(maximumScriptSize)) }
            if scripts[name] == nil && scripts.count >= maximumScripts { return .failed(.tooManyScripts(maximumScripts)) }
            scripts[name] = text
            return .done
        case .list:
            return .scripts(scripts.keys.sorted().map { ManageSieveScriptEntry(name: $0, active: $0 == active) })
        case .setActive(let name):
            guard let name else {
                active = nil
                return .done
            }
            guard scripts[name] != nil else { return .failed(.noSuchScript(name)) }
            active = name
            return .done
        case .get(let name):
            guard let text = scripts[name] else { return .failed(.noSuchScript(name)) }
            return .script(text)
        case .delete(let name):
            guard scripts[name] != nil else { return .failed(.noSuchScript(name)) }
            guard active != name else { return .failed(.activeScript(name)) }
            scripts[name] = nil
            return .done
        case .rename(let from, let to):
            guard Self.validName(to) else { return .failed(.invalidName(to)) }
            guard let text = scripts[from] else { return .failed(.noSuchScript(from)) }
            guard scripts[to] == nil else { return .failed(.alreadyExists(to)) }
            scripts[from] = nil
            scripts[to] = text
            if active == from { active = to }
            return .done
        case .check(let text):
            let errors = Self.compile(text)
            return errors.isEmpty ? .done : .failed(.invalidScript(errors))
        }
    }
}

/// Drives a session the way the adapter does, running effects against `FakeScripts` and a fixed
/// set of users, and renders what the client would see.
struct Harness {
    var session: ManageSieveSession
    var scripts = FakeScripts()
    var users = ["tim": "tanstaaftanstaaf", "alice@example.org": "secret"]
    /// Logins the fake directory refuses as throttled.
    var throttled = false
    var effects: [ManageSieveEffect] = []

    static let extensions = "fileinto reject envelope vacation"

    init(
        tls: Bool = true, startTLS: Bool = true, plaintext: Bool = false, maxScriptSize: Int = 1024,
        maxAuthFailures: Int = 3, maxCommandsBeforeLogin: Int = 50
    ) {
        session = ManageSieveSession(
            configuration: ManageSieveConfiguration(
                hostname: "sieve.example.org", startTLSAvailable: startTLS, allowPlaintextAuth: plaintext,
                sieveExtensions: Self.extensions, maxScriptSize: maxScriptSize,
                maxCommandsBeforeLogin: maxCommandsBeforeLogin, maxAuthFailures: maxAuthFailures),
            isTLS: tls)
        scripts.maximumScriptSize = maxScriptSize
    }

    /// A session logged in as `tim`.
    static func loggedIn(maxScriptSize: Int = 1024) -> Harness {
        var h = Harness(maxScriptSize: maxScriptSize)
        _ = h.greeting()
        _ = h.send(
            "AUTHENTICATE \"PLAIN\" \"\(SASLBase64.encode(SASLPlain.message(user: "tim", password: "tanstaaftanstaaf")))\"\r\n")
        return h
    }

    mutating func greeting() -> String { run(session.start()) }

    mutating func send(_ text: String) -> String { send(Array(text.utf8)) }

    mutating func send(_ bytes: [UInt8]) -> String { run(session.receive(bytes)) }

    mutating func run(_ actions: [ManageSieveAction]) -> String {
        var out = ""
        for action in actions {
            switch action {
            case .send(let response): out += String(decoding: response.encode(), as: UTF8.self)
            case .startTLS: out += "<starttls>"
            case .close: out += "<close>"
            case .authenticated, .unauthenticated: break
            case .effect(let effect):
                effects.append(effect)
                out += run(session.resume(perform(effect)))
            }
        }
        return out
    }

    mutating func perform(_ effect: ManageSieveEffect) -> ManageSieveEffectResult {
        switch effect {
        case .login(let user, let password, _):
            if throttled { return .loginFailed(.throttled) }
            guard users[user] == password else { return .loginFailed(.invalidCredentials) }
            return .loggedIn(ManageSieveAccount(id: 7, name: user))
        case .script(let accountID, let operation):
            precondition(accountID == 7)
            return scripts.perform(operation)
        }
    }
}

/// `C:`/`S:` lines as in the RFC, joined with CRLF.
func crlf(_ lines: String...) -> String { lines.map { $0 + "\r\n" }.joined() }
