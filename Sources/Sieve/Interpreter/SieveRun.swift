/// A runtime failure (RFC 5228 §2.10.6): the run ends and the message is kept.
struct SieveRuntimeError: Error {
    var message: String
    var position: SievePosition?
}

extension SieveScript {
    /// Runs the script on a message. Never throws: a runtime error (a limit hit, an invalid redirect
    /// address, conflicting actions) is returned in `SieveResult.runtimeError`.
    public func run(_ message: SieveMessage, _ context: SieveContext) async -> SieveResult {
        let run = SieveRun(script: self, message: message, context: context)
        return await run.execute()
    }
}

/// The state of one run: the message header as edited so far, the actions, the variables. Lives only
/// inside `SieveScript.run`.
final class SieveRun {
    /// How execution continues after a command.
    enum Flow {
        case next
        /// RFC 5228 §3.3: stop ends all processing.
        case stop
        /// RFC 6609 §3.3: return ends the current (included) script.
        case returned
    }

    /// The variables and match variables of one script (main or included; RFC 6609 §3.5).
    struct Scope {
        var unit: Int
        var expands: Bool
        var locals: [String: String] = [:]
        /// Names declared with `global` in this script.
        var globalNames: Set<String> = []
        /// RFC 5229 §3.2: ${0}..${9} of the last successful :matches.
        var matchValues: [String] = []
    }

    let script: SieveScript
    let message: SieveMessage
    let context: SieveContext
    let limits: SieveLimits
    /// The header as tests see it: RFC 5293 edits apply to it.
    var fields: [SieveMessage.Field]
    var actions: [SieveAction] = []
    var implicitKeep = true
    /// RFC 5232 §3: the internal flags variable.
    var internalFlags: [String] = []
    var headerEdits: [SieveHeaderEdit] = []
    var duplicateIDs: [SieveDuplicateID] = []
    var globals: [String: String] = [:]
    var scopes: [Scope] = []
    var includedOnce: Set<Int> = []
    var includeRuns = 0
    var redirects = 0
    /// Work done so far, against `SieveLimits.maxWork`.
    var work = 0

    init(script: SieveScript, message: SieveMessage, context: SieveContext) {
        self.script = script
        self.message = message
        self.context = context
        self.limits = script.limits
        self.fields = message.fields
    }

    /// Charges `amount` to the run's work budget (`SieveLimits.maxWork`).
    func charge(_ amount: Int) throws(SieveRuntimeError) {
        work = work &+ max(0, amount)
        guard work <= limits.maxWork else {
            throw SieveRuntimeError(message: "the script did more work than allowed (\(limits.maxWork) units)")
        }
    }

    var scope: Scope {
        get { scopes[scopes.count - 1] }
        set { scopes[scopes.count - 1] = newValue }
    }

    func execute() async -> SieveResult {
        do {
            _ = try await runUnit(0)
        } catch {
            let at = error.position.map { "line \($0.line): " } ?? ""
            return SieveResult(runtimeError: at + error.message)
        }
        // RFC 5228 §2.10.2: the implicit keep, unless cancelled; an explicit keep already did it.
        let applies = implicitKeep && !actions.contains(where: { if case .keep = $0 { true } else { false } })
        if applies { actions.append(.keep(flags: internalFlags)) }
        return SieveResult(
            actions: actions, headerEdits: headerEdits, duplicateIDs: duplicateIDs, implicitKeep: applies,
            implicitKeepFlags: internalFlags)
    }

    private func runUnit(_ unit: Int) async throws(SieveRuntimeError) -> Flow {
        let compiled = script.units[unit]
        scopes.append(Scope(unit: unit, expands: compiled.extensions.contains("variables")))
        defer { scopes.removeLast() }
        return try await execute(compiled.instructions)
    }

    private func execute(_ instructions: [SieveInstruction]) async throws(SieveRuntimeError) -> Flow {
        for instruction in instructions {
            let flow: Flow
            switch instruction {
            case .conditional(let branches):
                flow = try await conditional(branches)
            case .command(let call):
                try await command(call)
                flow = .next
            case .stop:
                flow = .stop
            case .returnFromInclude:
                flow = .returned
            case .include(let include):
                flow = try await self.include(include)
            case .nothing:
                flow = .next
            }
            if flow != .next { return flow }
        }
        return .next
    }

    // RFC 5228 §3.1: the first branch whose test holds runs.
    private func conditional(_ branches: [SieveBranch]) async throws(SieveRuntimeError) -> Flow {
        for branch in branches {
            if let test = branch.test {
                guard try await evaluate(test) else { continue }
            }
            return try await execute(branch.block)
        }
        return .next
    }

    // RFC 6609 §3.2: run an included script in its own variable scope; :once runs it at most once.
    private func include(_ include: SieveIncludeCall) async throws(SieveRuntimeError) -> Flow {
        if include.once {
            guard !includedOnce.contains(include.unit) else { return .next }
            includedOnce.insert(include.unit)
        }
        includeRuns += 1
        guard includeRuns <= limits.maxIncludes, scopes.count <= limits.maxIncludeDepth else {
            throw SieveRuntimeError(message: "too many includes executed", position: include.position)
        }
        let flow = try await runUnit(include.unit)
        return flow == .stop ? .stop : .next
    }

    private func command(_ call: SieveCall) async throws(SieveRuntimeError) {
        switch call.name {
        case "keep":
            try addStore(mailbox: nil, flags: try flags(call), create: false, copy: false, at: call)
        case "fileinto":
            try addStore(
                mailbox: try expand(call.string(0)), flags: try flags(call), create: call.has("create"),
                copy: call.has("copy"), at: call)
        case "redirect":
            try addRedirect(try expand(call.string(0)), copy: call.has("copy"), at: call)
        case "discard":
            // RFC 5228 §4.4: discard only cancels the implicit keep.
            implicitKeep = false
            try add(.discard, at: call)
        case "reject", "ereject":
            try add(.reject(reason: try expand(call.string(0)), extended: call.name == "ereject"), at: call)
            implicitKeep = false
        case "vacation":
            try add(.vacation(try vacation(call)), at: call)
        case "setflag", "addflag", "removeflag":
            try editFlags(call)
        case "set":
            try set(call)
        case "global":
            // RFC 6609 §3.5: these names refer to the global variables from now on in this script.
            for name in call.strings(0) { scope.globalNames.insert(name.lowercased()) }
        case "addheader":
            try addHeader(call)
        case "deleteheader":
            try deleteHeader(call)
        default:
            throw SieveRuntimeError(message: "unsupported command \(call.name)", position: call.position)
        }
    }
}
