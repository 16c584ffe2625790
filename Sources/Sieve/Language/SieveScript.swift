/// Where an included script lives (RFC 6609 §3.2): the user's own scripts or the site's.
public enum SieveIncludeLocation: String, Sendable {
    /// `:personal` (the default): one of the account's own scripts.
    case personal
    /// `:global`: a script the site administrator provides.
    case global
}

/// A compiled script (immutable, Sendable, cacheable): the main script and every script it includes
/// (RFC 6609), each validated against its own `require`s.
public struct SieveScript: Sendable {
    /// The script's name as given to `compile`.
    public let name: String
    /// The limits it was compiled with; runs use them too.
    public let limits: SieveLimits
    /// `units[0]` is the main script; include instructions point into the array.
    let units: [SieveUnit]

    /// Every capability a script may require (what ManageSieve advertises as SIEVE, RFC 5804 §1.7).
    public static var supportedExtensions: Set<String> { SieveExtensions.supported }

    /// The extensions the main script requires (RFC 5228 §3.2).
    public var extensions: Set<String> { units[0].extensions }

    /// Compiles a script. `includes` returns a script's text for `include :personal`/`:global` (nil: no
    /// such script); it is called at compile time only, and included scripts are compiled in.
    public static func compile(
        _ text: String, name: String = "script", limits: SieveLimits = .init(),
        includes: (String, SieveIncludeLocation) -> String? = { _, _ in nil }
    ) throws(SieveCompileError) -> SieveScript {
        let units = try withoutActuallyEscaping(includes) { (resolver) throws(SieveCompileError) -> [SieveUnit] in
            let compiler = SieveCompiler(limits: limits, resolver: resolver)
            _ = try compiler.compileUnit(text, name: name, location: nil, depth: 0)
            return compiler.units
        }
        return SieveScript(name: name, limits: limits, units: units)
    }
}

/// Compiles a script and, depth first, the scripts it includes (RFC 6609 §3.2), sharing a unit per
/// (location, name) and refusing include loops and the limits' depth and count.
private final class SieveCompiler {
    let limits: SieveLimits
    let resolver: (String, SieveIncludeLocation) -> String?
    var units: [SieveUnit] = []
    var unitByKey: [String: Int] = [:]
    var compiling: [String] = []

    init(limits: SieveLimits, resolver: @escaping (String, SieveIncludeLocation) -> String?) {
        self.limits = limits
        self.resolver = resolver
    }

    func compileUnit(
        _ text: String, name: String, location: SieveIncludeLocation?, depth: Int
    ) throws(SieveCompileError) -> Int {
        let nodes = try SieveParser.parse(text, limits: limits)
        let index = units.count
        units.append(SieveUnit(name: name, location: location, extensions: [], instructions: []))
        var validator = SieveValidator(limits: limits) { [unowned self] name, location, optional, position, diagnostics in
            self.include(name, location, optional: optional, at: position, depth: depth + 1, diagnostics: &diagnostics)
        }
        let instructions = validator.validateScript(nodes)
        guard validator.diagnostics.isEmpty else { throw SieveCompileError(diagnostics: validator.diagnostics) }
        units[index] = SieveUnit(name: name, location: location, extensions: validator.extensions, instructions: instructions)
        return index
    }

    private func include(
        _ name: String, _ location: SieveIncludeLocation, optional: Bool, at position: SievePosition, depth: Int,
        diagnostics: inout [SieveDiagnostic]
    ) -> Int? {
        let key = "\(location.rawValue):\(name)"
        // RFC 6609 §3.2: an include loop is an error.
        if compiling.contains(key) {
            diagnostics.append(position.error("circular include of \(location.rawValue) script '\(name)'"))
            return nil
        }
        if let unit = unitByKey[key] { return unit }
        guard depth <= limits.maxIncludeDepth else {
            diagnostics.append(position.error("includes are nested too deeply (limit \(limits.maxIncludeDepth))"))
            return nil
        }
        guard units.count <= limits.maxIncludes else {
            diagnostics.append(position.error("too many included scripts (limit \(limits.maxIncludes))"))
            return nil
        }
        guard let text = resolver(name, location) else {
            if optional { return SieveValidator.missingOptional }
            diagnostics.append(position.error("included \(location.rawValue) script '\(name)' does not exist"))
            return nil
        }
        compiling.append(key)
        defer { compiling.removeLast() }
        do {
            let unit = try compileUnit(text, name: name, location: location, depth: depth)
            unitByKey[key] = unit
            return unit
        } catch {
            for inner in error.diagnostics {
                diagnostics.append(position.error("in included script '\(name)': \(inner)"))
            }
            return nil
        }
    }
}
