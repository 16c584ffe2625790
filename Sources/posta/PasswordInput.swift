import ArgumentParser
import Directory
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a command gets a new password: from stdin for scripts, from the terminal for people,
/// or as a ready hash (migrations from Dovecot/LDAP keep their users' existing passwords).
struct PasswordInput: ParsableArguments {
    @Flag(help: "Read the password from standard input (first line).")
    var passwordStdin = false

    @Option(help: "Store this existing hash as is, e.g. '{SHA512-CRYPT}$6$…' or '{SSHA}…'.")
    var passwordHash: String?

    /// Shortest password accepted when one is set in clear.
    static let minimumLength = 8

    func read() throws -> StoredPassword {
        if let passwordHash {
            return try StoredPassword(passwordHash)
        }
        return try PasswordHasher.hash(try readPlain())
    }

    /// The new password in clear (stdin or the terminal), at least `minimumLength` long.
    func readPlain() throws -> String {
        guard passwordHash == nil else { throw CLIError("--password-hash is not accepted here: give the password") }
        let password: String
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw CLIError("no password on standard input") }
            password = line
        } else {
            guard isatty(STDIN_FILENO) != 0 else {
                throw CLIError("standard input is not a terminal: use --password-stdin or --password-hash")
            }
            let first = try prompt("New password: ")
            guard try prompt("Repeat password: ") == first else { throw CLIError("the passwords do not match") }
            password = first
        }
        guard password.count >= Self.minimumLength else {
            throw DirectoryError.weakPassword("shorter than \(Self.minimumLength) characters")
        }
        return password
    }

    private func prompt(_ text: String) throws -> String {
        guard let raw = getpass(text) else { throw CLIError("cannot read a password from the terminal") }
        return String(cString: raw)
    }
}
