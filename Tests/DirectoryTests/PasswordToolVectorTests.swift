import Foundation
import Testing

@testable import Directory

// Vectors made at test time by the real tools Posta must interoperate with:
// mkpasswd (Debian package `whois`), slappasswd (`slapd`), doveadm (`dovecot-core`).
// A missing tool fails the test with the package to install; it never skips.

/// The password every tool hashes: spaces, `&`, and multi-byte UTF-8.
let toolPassword = "Tr0ub4dor & ünïcode ✉"

/// Near misses of `password` that must never verify.
func passwordNearMisses(_ password: String) -> [String] {
    var misses = [
        "",
        "wrong password",
        String(password.dropLast()),
        password + "x",
        password + "\u{0}",
        password + "\u{0}x",
        password.uppercased(),
        " " + password,
    ]
    var firstChanged = Array(password.unicodeScalars)
    firstChanged[0] = firstChanged[0] == "U" ? "V" : "U"
    misses.append(String(String.UnicodeScalarView(firstChanged)))
    var lastChanged = Array(password.unicodeScalars)
    lastChanged[lastChanged.count - 1] = lastChanged.last == "✈" ? "✉" : "✈"
    misses.append(String(String.UnicodeScalarView(lastChanged)))
    return misses.filter { $0 != password }
}

struct PasswordToolError: Error, CustomStringConvertible {
    let description: String
}

/// A command-line tool from a Debian package, run with Foundation's `Process`.
enum PasswordTool: String, Sendable {
    case mkpasswd, slappasswd, doveadm

    var debianPackage: String {
        switch self {
        case .mkpasswd: "whois"
        case .slappasswd: "slapd"
        case .doveadm: "dovecot-core"
        }
    }

    private static let extraDirectories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    func locate() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + Self.extraDirectories
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(rawValue).path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate)
            }
        }
        throw PasswordToolError(
            description: """
                `\(rawValue)` not found on PATH or in \(Self.extraDirectories.joined(separator: ", ")): \
                install the Debian package `\(debianPackage)` \
                (DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \(debianPackage))
                """)
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the tool; throws unless it exits 0 (or `allowFailure`).
    func run(_ arguments: [String], stdin: String? = nil, allowFailure: Bool = false) throws -> Output {
        let process = Process()
        process.executableURL = try locate()
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data((stdin + "\n").utf8))
        }
        try input.fileHandleForWriting.close()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
        if result.status != 0 && !allowFailure {
            throw PasswordToolError(
                description: """
                    `\(rawValue) \(arguments.joined(separator: " "))` exited \(result.status): \(result.stderr)
                    """)
        }
        return result
    }

    /// The single line a hashing tool prints, without its newline.
    func hash(_ arguments: [String], stdin: String? = nil) throws -> String {
        let line = try run(arguments, stdin: stdin).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty, !line.contains("\n") else {
            throw PasswordToolError(
                description: "`\(rawValue) \(arguments.joined(separator: " "))` printed \(line.debugDescription)")
        }
        return line
    }

    /// `doveadm pw -s SCHEME -p PASSWORD`.
    static func doveadm(_ scheme: String, _ password: String) throws -> String {
        try PasswordTool.doveadm.hash(["pw", "-s", scheme, "-p", password])
    }

    /// `slappasswd -h {SCHEME} -s PASSWORD`.
    static func slappasswd(_ scheme: String, _ password: String, extra: [String] = []) throws -> String {
        try PasswordTool.slappasswd.hash(["-h", scheme] + extra + ["-s", password])
    }

    /// `mkpasswd -m METHOD --stdin` fed `password`.
    static func mkpasswd(_ method: String, _ password: String) throws -> String {
        try PasswordTool.mkpasswd.hash(["-m", method, "--stdin"], stdin: password)
    }
}

/// One way of producing a stored password with a real tool, and what Posta must make of it.
struct ToolVector: Sendable, CustomTestStringConvertible {
    var tool: PasswordTool
    var argument: String
    var extra: [String] = []
    var expectedPrefix: String
    var scheme: PasswordScheme
    var isWeak: Bool

    var testDescription: String { "\(tool.rawValue) \(([argument] + extra).joined(separator: " "))" }

    func produce(_ password: String) throws -> String {
        switch tool {
        case .mkpasswd: try PasswordTool.mkpasswd(argument, password)
        case .slappasswd: try PasswordTool.slappasswd(argument, password, extra: extra)
        case .doveadm: try PasswordTool.doveadm(argument, password)
        }
    }
}

let toolVectors: [ToolVector] = [
    // mkpasswd(1): bare crypt(3) strings.
    ToolVector(tool: .mkpasswd, argument: "sha-512", expectedPrefix: "$6$", scheme: .sha512Crypt, isWeak: false),
    ToolVector(tool: .mkpasswd, argument: "sha-256", expectedPrefix: "$5$", scheme: .sha256Crypt, isWeak: false),
    ToolVector(tool: .mkpasswd, argument: "bcrypt", expectedPrefix: "$2b$", scheme: .blfCrypt, isWeak: false),
    ToolVector(tool: .mkpasswd, argument: "bcrypt-a", expectedPrefix: "$2a$", scheme: .blfCrypt, isWeak: false),
    ToolVector(tool: .mkpasswd, argument: "yescrypt", expectedPrefix: "$y$", scheme: .crypt, isWeak: false),
    ToolVector(tool: .mkpasswd, argument: "md5crypt", expectedPrefix: "$1$", scheme: .md5Crypt, isWeak: true),
    // slappasswd(8): OpenLDAP's userPassword values.
    ToolVector(tool: .slappasswd, argument: "{SSHA}", expectedPrefix: "{SSHA}", scheme: .ssha, isWeak: false),
    ToolVector(tool: .slappasswd, argument: "{SHA}", expectedPrefix: "{SHA}", scheme: .sha, isWeak: true),
    ToolVector(
        tool: .slappasswd, argument: "{CRYPT}", extra: ["-c", "$6$%.16s"], expectedPrefix: "{CRYPT}$6$", scheme: .crypt,
        isWeak: false),
    // doveadm pw: Dovecot's {SCHEME} strings.
    ToolVector(
        tool: .doveadm, argument: "SHA512-CRYPT", expectedPrefix: "{SHA512-CRYPT}$6$", scheme: .sha512Crypt, isWeak: false),
    ToolVector(
        tool: .doveadm, argument: "SHA256-CRYPT", expectedPrefix: "{SHA256-CRYPT}$5$", scheme: .sha256Crypt, isWeak: false),
    ToolVector(tool: .doveadm, argument: "BLF-CRYPT", expectedPrefix: "{BLF-CRYPT}$2y$", scheme: .blfCrypt, isWeak: false),
    ToolVector(tool: .doveadm, argument: "MD5-CRYPT", expectedPrefix: "{MD5-CRYPT}$1$", scheme: .md5Crypt, isWeak: true),
    ToolVector(tool: .doveadm, argument: "CRYPT", expectedPrefix: "{CRYPT}$", scheme: .crypt, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SSHA", expectedPrefix: "{SSHA}", scheme: .ssha, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SSHA256", expectedPrefix: "{SSHA256}", scheme: .ssha256, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SSHA512", expectedPrefix: "{SSHA512}", scheme: .ssha512, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SHA", expectedPrefix: "{SHA}", scheme: .sha, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SHA1", expectedPrefix: "{SHA1}", scheme: .sha, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SHA256", expectedPrefix: "{SHA256}", scheme: .sha256, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SHA512", expectedPrefix: "{SHA512}", scheme: .sha512, isWeak: true),
    ToolVector(tool: .doveadm, argument: "PLAIN", expectedPrefix: "{PLAIN}", scheme: .plain, isWeak: true),
    ToolVector(tool: .doveadm, argument: "CLEARTEXT", expectedPrefix: "{CLEARTEXT}", scheme: .cleartext, isWeak: true),
    // Dovecot's encoding suffixes.
    ToolVector(tool: .doveadm, argument: "SHA.HEX", expectedPrefix: "{SHA.HEX}", scheme: .sha, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SHA256.HEX", expectedPrefix: "{SHA256.HEX}", scheme: .sha256, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SHA512.HEX", expectedPrefix: "{SHA512.HEX}", scheme: .sha512, isWeak: true),
    ToolVector(tool: .doveadm, argument: "SSHA.HEX", expectedPrefix: "{SSHA.HEX}", scheme: .ssha, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SSHA512.HEX", expectedPrefix: "{SSHA512.HEX}", scheme: .ssha512, isWeak: false),
    ToolVector(tool: .doveadm, argument: "SSHA256.B64", expectedPrefix: "{SSHA256.B64}", scheme: .ssha256, isWeak: false),
    ToolVector(tool: .doveadm, argument: "PLAIN.B64", expectedPrefix: "{PLAIN.B64}", scheme: .plain, isWeak: true),
    ToolVector(tool: .doveadm, argument: "PLAIN.HEX", expectedPrefix: "{PLAIN.HEX}", scheme: .plain, isWeak: true),
    ToolVector(
        tool: .doveadm, argument: "SHA512-CRYPT.HEX", expectedPrefix: "{SHA512-CRYPT.HEX}", scheme: .sha512Crypt, isWeak: false),
]

@Suite("Password vectors from mkpasswd, slappasswd and doveadm")
struct PasswordToolVectorTests {
    @Test(arguments: toolVectors)
    func verifiesToolOutput(_ vector: ToolVector) throws {
        let text = try vector.produce(toolPassword)
        #expect(text.hasPrefix(vector.expectedPrefix), "tool printed \(text)")

        let stored = try StoredPassword(text)
        #expect(stored.scheme == vector.scheme)
        #expect(stored.isWeak == vector.isWeak)
        #expect(stored.stored == text)
        #expect(stored.verify(toolPassword), "\(text) rejected the right password")
        for miss in passwordNearMisses(toolPassword) {
            #expect(!stored.verify(miss), "\(text) accepted \(miss.debugDescription)")
        }
    }

    @Test func desCryptUnderCryptPrefixIsWeakAndVerifies() throws {
        // Traditional DES crypt reads only 8 characters, so use an 8-character password.
        let password = "s3cr&t!x"
        let text = "{CRYPT}" + (try PasswordTool.mkpasswd("descrypt", password))
        let stored = try StoredPassword(text)
        #expect(stored.scheme == .crypt)
        #expect(stored.isWeak)
        #expect(stored.verify(password))
        #expect(!stored.verify("s3cr&t!y"))
        #expect(!stored.verify("S3cr&t!x"))
        #expect(!stored.verify(""))
    }

    @Test func hashesFromPostaAreAcceptedByDoveadm() throws {
        let stored = try PasswordHasher.hash(toolPassword)
        #expect(stored.stored.hasPrefix("{CRYPT}$y$"))
        let accepted = try PasswordTool.doveadm.run(["pw", "-t", stored.stored, "-p", toolPassword], allowFailure: true)
        #expect(accepted.status == 0, "doveadm rejected Posta's hash: \(accepted.stderr)")
        #expect(accepted.stdout.contains("(verified)"))
        let rejected = try PasswordTool.doveadm.run(["pw", "-t", stored.stored, "-p", toolPassword + "x"], allowFailure: true)
        #expect(rejected.status != 0, "doveadm accepted a wrong password against Posta's hash")
    }
}
