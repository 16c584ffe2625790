import Admin
import ArgumentParser
import Core
import DNS
import Foundation
import MailAuth
import Queue
import Server

/// `posta dkim …`: the site's DKIM keys (docs/dkim.md) and two debugging tools.
struct DKIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim", abstract: "Manage DKIM signing keys; sign or verify a message by hand.",
        subcommands: [Keygen.self, List.self, Show.self, Rotate.self, Retire.self, Sign.self, Verify.self, Speed.self])

    /// `--algorithm rsa|ed25519`.
    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case rsa
        case ed25519

        var dkim: DKIMAlgorithm { self == .rsa ? .rsaSHA256 : .ed25519SHA256 }
    }

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new signing key for a domain and print the DNS record to publish.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The signing domain (d=), e.g. example.org.") var domain: String
        @Option(help: "The selector (s=); default posta-YYYY-MM, or posta-ed25519-YYYY-MM.") var selector: String?
        @Option(help: "rsa or ed25519.") var algorithm: Algorithm = .rsa
        @Option(help: "RSA key size in bits (1024-4096).") var bits = 2048

        func run() async throws {
            let key = try await global.withConsole {
                try await $0.generateDKIMKey(as: $1, domain: domain, algorithm: algorithm.dkim, bits: bits, selector: selector)
            }
            print("made \(key.algorithm.shortName) \(key.bits)-bit key '\(key.selector)' for \(key.domain); publish:")
            print(Self.record(key).zoneFileLine)
        }

        static func record(_ key: DKIMKeyInfo) -> PublishedDNSRecord {
            PublishedDNSRecord(name: key.dnsName, text: key.dnsRecord ?? "")
        }
    }

    /// A key as `list` and `show` print it: the private half only when asked for.
    struct KeyView: Encodable {
        var domain: String
        var selector: String
        var algorithm: String
        var bits: Int
        var state: String
        var createdAt: Int64
        var retireAfter: Int64?
        var retiredAt: Int64?
        var dnsName: String
        var dnsRecord: String?
        var privateKey: String?

        init(_ key: DKIMKey, includePrivate: Bool = false) {
            domain = key.domain
            selector = key.selector
            algorithm = key.algorithm.rawValue
            bits = key.bits
            state = key.state.rawValue
            createdAt = key.createdAt
            retireAfter = key.retireAfter
            retiredAt = key.retiredAt
            dnsName = key.recordName
            dnsRecord = key.isPublished ? key.recordText : nil
            privateKey = includePrivate && !key.privateKeyPEM.isEmpty ? key.privateKeyPEM : nil
        }

        enum CodingKeys: String, CodingKey {
            case domain, selector, algorithm, bits, state
            case createdAt = "created_at"
            case retireAfter = "retire_after"
            case retiredAt = "retired_at"
            case dnsName = "dns_name"
            case dnsRecord = "dns_record"
            case privateKey = "private_key"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the DKIM keys of every domain.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let keys = try await global.withSite { try await DKIMKeyStore(database: $0.database).keys() }
            if json { return try Output.json(keys.map { KeyView($0) }) }
            Output.table(
                ["DOMAIN", "SELECTOR", "ALGORITHM", "BITS", "STATE", "CREATED", "RETIRE AFTER"],
                keys.map {
                    [
                        $0.domain, $0.selector, $0.algorithm.rawValue, "\($0.bits)", $0.state.rawValue, Output.date($0.createdAt),
                        $0.retireAfter.map { Output.date($0) } ?? "",
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a domain's DKIM keys and their DNS records (private keys only with --private).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The signing domain.") var domain: String
        @Option(help: "Only this selector.") var selector: String?
        @Flag(help: "Also print the private keys (PEM).") var `private` = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var keys = try await global.withSite { try await DKIMKeyStore(database: $0.database).keys(domain: domain) }
            if let selector {
                keys = keys.filter { $0.selector == selector.lowercased() }
                guard !keys.isEmpty else { throw DKIMKeyError.unknownKey(domain: domain.lowercased(), selector: selector) }
            } else if keys.isEmpty {
                throw CLIError(
                    "\(domain.lowercased()) has no DKIM keys; make one with 'posta dkim keygen \(domain.lowercased())'")
            }
            let views = keys.map { KeyView($0, includePrivate: `private`) }
            if json { return try Output.json(views) }
            for (index, view) in views.enumerated() {
                if index > 0 { print("") }
                print("\(view.domain) selector \(view.selector): \(view.algorithm), \(view.bits) bits, \(view.state)")
                print("  created \(Output.date(view.createdAt))")
                if let retireAfter = view.retireAfter, view.state == "retiring" {
                    print("  published until \(Output.date(retireAfter)), then retired")
                }
                if let retiredAt = view.retiredAt { print("  retired \(Output.date(retiredAt))") }
                if let record = view.dnsRecord {
                    print("  " + PublishedDNSRecord(name: view.dnsName, text: record).zoneFileLine)
                }
                if let privateKey = view.privateKey { print(privateKey, terminator: privateKey.hasSuffix("\n") ? "" : "\n") }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a domain's signing keys by new ones under new selectors; the old ones stay published for a while.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The signing domain.") var domain: String
        @Option(help: "Only the key of this algorithm (rsa or ed25519).") var algorithm: Algorithm?
        @Option(help: "Days the old keys stay published (mail they signed may still wait in queues).")
        var keepDays = Int(DKIMKeyStore.defaultRetirementDelay / 86_400)

        func run() async throws {
            guard keepDays >= 0 else { throw CLIError("--keep-days must not be negative") }
            let rotated = try await global.withConsole {
                try await $0.rotateDKIMKeys(as: $1, domain: domain, algorithm: algorithm?.dkim, keepDays: keepDays)
            }.map { ($0.retiring, $0.active) }
            for (old, new) in rotated {
                print(
                    "\(new.domain): '\(new.selector)' (\(new.algorithm.shortName)) signs from now on; '\(old.selector)' stays published until \(Output.date(old.retireAfter))"
                )
            }
            print("publish:")
            for (_, new) in rotated { print(Keygen.record(new).zoneFileLine) }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a key: it leaves the DNS records and its private key is erased.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The signing domain.") var domain: String
        @Option(help: "The key's selector.") var selector: String
        @Flag(help: "Retire it even if it is active, or before its publishing period is over.") var force = false

        func run() async throws {
            let key = try await global.withConsole {
                try await $0.retireDKIMKey(as: $1, domain: domain, selector: selector, force: force)
            }
            print("retired '\(key.selector)' of \(key.domain); remove \(key.dnsName) from DNS")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the message on standard input with the domain's active keys and print it signed.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The signing domain (d=).") var domain: String
        @Option(help: "Sign with this key only (default: every active key of the domain).") var selector: String?

        func run() async throws {
            let keys = try await global.withSite { site in
                let store = DKIMKeyStore(database: site.database)
                if let selector {
                    guard let key = try await store.key(domain: domain, selector: selector) else {
                        throw DKIMKeyError.unknownKey(domain: domain.lowercased(), selector: selector)
                    }
                    return [key]
                }
                return try await store.signingKeys(domain: domain)
            }
            guard !keys.isEmpty else { throw DKIMKeyError.noActiveKey(domain: domain.lowercased()) }
            let input = Array(FileHandle.standardInput.readDataToEndOfFile())
            let message = DKIMMessageHeader.normalizingLineEnds(input)
            let now = UnixTime.now()
            // RSA on top: verifiers that look at the first signature only know it best.
            var fields = ""
            for key in keys.sorted(by: { $0.algorithm.rawValue > $1.algorithm.rawValue }) {
                fields += try key.signer().sign(message: message, time: now)
            }
            // The input's line ends are kept: LF in, LF out.
            let lfOnly = !input.contains(0x0D)
            let output =
                lfOnly ? Array(fields.replacingOccurrences(of: "\r\n", with: "\n").utf8) + input : Array(fields.utf8) + message
            FileHandle.standardOutput.write(Data(output))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every DKIM signature of the message on standard input; one result line each.",
            discussion: """
                Keys are looked up through the configured resolver ([delivery] nameservers, else \
                /etc/resolv.conf), or, when --dns-txt is given, only in the given records. Exits 0 \
                when at least one signature passes, 1 otherwise.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(
            name: .customLong("dns-txt"),
            help: "A key record to use instead of DNS, e.g. 'sel._domainkey.example.org=v=DKIM1; k=rsa; p=...' (repeatable).")
        var records: [String] = []

        func run() async throws {
            let dns: any DKIMDNS
            if records.isEmpty {
                dns = try resolver()
            } else {
                var zone = StaticTXTRecords()
                for record in records {
                    guard let equals = record.firstIndex(of: "=") else {
                        throw CLIError("--dns-txt wants NAME=VALUE, got '\(record)'")
                    }
                    zone.add(name: String(record[..<equals]), text: String(record[record.index(after: equals)...]))
                }
                dns = zone
            }
            let message = DKIMMessageHeader.normalizingLineEnds(Array(FileHandle.standardInput.readDataToEndOfFile()))
            let results = await DKIMVerifier(dns: dns).verify(message: message, now: UnixTime.now())
            for clause in DKIMSignatureResult.authenticationResultsClauses(results) { print(clause) }
            if !results.contains(where: { $0.result == .pass }) { throw ExitCode(1) }
        }

        /// The site's resolver when a configuration is found, else the system's.
        private func resolver() throws -> DNSResolver {
            let configuration = try (try? global.loadConfig())?.resolverConfiguration() ?? DNSResolverConfiguration.system()
            return DNSResolver(configuration: configuration)
        }
    }
}

/// Key records given on the command line: `--dns-txt NAME=VALUE`; other names do not exist.
struct StaticTXTRecords: DKIMDNS {
    private var records: [String: [String]] = [:]

    mutating func add(name: String, text: String) {
        records[Self.key(name), default: []].append(text)
    }

    func txt(_ name: String) async throws -> DNSResult<[String]> {
        records[Self.key(name)].map { .found($0) } ?? .nxDomain
    }

    private static func key(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
