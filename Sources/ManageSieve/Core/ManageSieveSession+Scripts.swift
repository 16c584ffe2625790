extension ManageSieveSession {
    /// RFC 5804 §2.5–§2.12 in the authenticated state: each becomes one effect on the script store.
    mutating func scriptCommand(_ command: ManageSieveCommand, account: ManageSieveAccount, _ out: inout [ManageSieveAction]) {
        let operation: ManageSieveScriptOperation
        do {
            switch command {
            case .haveSpace(let name, let size): operation = .haveSpace(name: try Self.name(name), size: Int(size))
            case .putScript(let name, let script): operation = .put(name: try Self.name(name), text: try Self.script(script))
            case .listScripts: operation = .list
            // §2.8: the empty name deactivates.
            case .setActive(let name): operation = .setActive(name: name.isEmpty ? nil : try Self.name(name))
            case .getScript(let name): operation = .get(name: try Self.name(name))
            case .deleteScript(let name): operation = .delete(name: try Self.name(name))
            case .renameScript(let from, let to): operation = .rename(from: try Self.name(from), to: try Self.name(to))
            case .checkScript(let script): operation = .check(text: try Self.script(script))
            default: return out.append(.send(.no("Unknown command")))
            }
        } catch {
            return out.append(.send(.no(error.message)))
        }
        pending = .script(operation)
        out.append(.effect(.script(accountID: account.id, operation)))
    }

    /// §1.6: names are UTF-8 (the storage checks the rest of the rules).
    private static func name(_ bytes: [UInt8]) throws(ManageSieveSyntaxError) -> String {
        guard let name = String(validating: bytes, as: UTF8.self) else { throw .init("Invalid script name: not UTF-8") }
        return name
    }

    /// RFC 5228 §2.1: a script is UTF-8.
    private static func script(_ bytes: [UInt8]) throws(ManageSieveSyntaxError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .init("Script is not valid UTF-8") }
        return text
    }

    /// The response to a script operation's result; false when the result does not answer it.
    mutating func scriptResult(
        _ operation: ManageSieveScriptOperation, _ result: ManageSieveEffectResult, _ out: inout [ManageSieveAction]
    ) -> Bool {
        switch (operation, result) {
        case (.list, .scripts(let scripts)):
            // §2.7: one line per script, the active one marked.
            for script in scripts {
                out.append(.send(.line([.text(script.name)] + (script.active ? [.atom("ACTIVE")] : []))))
            }
            out.append(.send(.ok("Listscripts completed")))
        case (.get, .script(let text)):
            // §2.9: the script as a literal, then OK.
            out.append(.send(.literal(Array(text.utf8))))
            out.append(.send(.ok("Getscript completed")))
        case (.list, .done), (.get, .done), (_, .scripts), (_, .script), (_, .loggedIn), (_, .loginFailed):
            return false
        case (_, .done):
            out.append(.send(.ok(Self.completion(operation))))
        case (_, .failed(let failure)):
            out.append(.send(Self.response(failure)))
        }
        return true
    }

    private static func completion(_ operation: ManageSieveScriptOperation) -> String {
        switch operation {
        case .haveSpace: "Putscript would succeed"
        case .put: "Putscript completed"
        case .setActive(nil): "All scripts deactivated"
        case .setActive: "Setactive completed"
        case .delete: "Deletescript completed"
        case .rename: "Renamescript completed"
        case .check: "Script is valid"
        case .list, .get: "Completed"
        }
    }

    /// Errors shown for an invalid script, at most.
    static let maxReportedErrors = 20

    /// §1.3 response codes for the storage's refusals.
    static func response(_ failure: ManageSieveFailure) -> ManageSieveResponse {
        switch failure {
        case .invalidScript(let errors):
            // §2.6: a human-readable description; several lines go out as a literal.
            let lines = errors.prefix(maxReportedErrors).map { String($0.prefix(500)) }
            let more = errors.count > maxReportedErrors ? ["… \(errors.count - maxReportedErrors) more errors"] : []
            return .no((lines + more).joined(separator: "\r\n").nonEmpty ?? "Script is invalid")
        case .invalidName: return .no("Invalid script name")
        case .noSuchScript: return .no("There is no script by that name", code: .nonexistent)
        case .alreadyExists: return .no("A script by that name already exists", code: .alreadyExists)
        case .activeScript: return .no("The active script cannot be deleted: deactivate it first", code: .active)
        case .tooManyScripts(let limit): return .no("At most \(limit) scripts are allowed", code: .quotaMaxScripts)
        case .tooLarge(let limit): return .no("Scripts are limited to \(limit) octets", code: .quotaMaxSize)
        case .temporary: return .no("Temporary failure, try again later", code: .tryLater)
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
