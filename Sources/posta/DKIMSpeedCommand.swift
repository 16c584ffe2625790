import ArgumentParser
import Core
import Foundation
import MailAuth

extension DKIMCommand {
    /// `posta dkim speed`: what signing and verifying cost on this machine, one core, in the
    /// manner of `openssl speed`. Keys are made for the run and never stored; verification reads
    /// the public key from memory, so no DNS time is counted.
    struct Speed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure DKIM signing and verifying on one core: messages per CPU second.",
            discussion: """
                Each message (by default a 4 KiB and a 1 MiB text message made up for the run) is \
                signed and verified with a new RSA-2048 and a new Ed25519 key, relaxed/relaxed, \
                for --seconds of CPU time each. bench/dkim runs it beside dkimpy.
                """)
        @Option(help: "CPU seconds spent on each measurement.") var seconds: Double = 1
        @Option(name: .customLong("message"), help: "A message file to measure instead of the made-up ones (repeatable).")
        var messages: [String] = []
        @Flag(help: "Print JSON: one object per message and algorithm.") var json = false

        func run() async throws {
            var inputs: [(name: String, octets: [UInt8])] = []
            if messages.isEmpty {
                inputs = [("4KiB", Self.madeUp(size: 4096)), ("1MiB", Self.madeUp(size: 1 << 20))]
            } else {
                for path in messages {
                    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                    inputs.append(((path as NSString).lastPathComponent, DKIMMessageHeader.normalizingLineEnds(Array(data))))
                }
            }
            var rows: [Row] = []
            for algorithm in [DKIMAlgorithm.rsaSHA256, .ed25519SHA256] {
                let key = try DKIMPrivateKey.generate(algorithm)
                let signer = try DKIMSigner(key: key, domain: "speed.example", selector: "s")
                var zone = StaticTXTRecords()
                zone.add(name: "s._domainkey.speed.example", text: key.keyRecord)
                let verifier = DKIMVerifier(dns: zone)
                for input in inputs {
                    let now = UnixTime.now()
                    let signed = Array(try signer.sign(message: input.octets, time: now).utf8) + input.octets
                    let results = await verifier.verify(message: signed, now: now)
                    guard results.count == 1, results[0].result == .pass else {
                        throw CLIError("\(input.name): Posta's own \(algorithm.rawValue) signature does not verify")
                    }
                    let signing = try await Self.rate(seconds: seconds) { _ = try signer.sign(message: input.octets, time: now) }
                    let verifying = await Self.rate(seconds: seconds) {
                        _ = await verifier.verify(message: signed, now: now)
                    }
                    rows.append(
                        Row(
                            message: input.name, size: input.octets.count, algorithm: algorithm.rawValue,
                            signPerSecond: signing, verifyPerSecond: verifying))
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
            } else {
                print("message     octets  algorithm        sign/s   verify/s  (one core, per CPU second)")
                for row in rows {
                    print(
                        [
                            row.message.padding(toLength: 10, withPad: " ", startingAt: 0),
                            String(row.size).leftPadded(8), row.algorithm.padding(toLength: 15, withPad: " ", startingAt: 0),
                            String(format: "%9.1f", row.signPerSecond), String(format: "%10.1f", row.verifyPerSecond),
                        ].joined(separator: " "))
                }
            }
        }

        struct Row: Encodable {
            var message: String
            var size: Int
            var algorithm: String
            var signPerSecond: Double
            var verifyPerSecond: Double
        }

        /// Runs `work` until `seconds` of this process's CPU time have passed (at least 3 times);
        /// returns runs per CPU second.
        static func rate(seconds: Double, _ work: () async throws -> Void) async rethrows -> Double {
            let start = cpuSeconds()
            var runs = 0
            var spent = 0.0
            repeat {
                try await work()
                runs += 1
                spent = cpuSeconds() - start
            } while spent < seconds || runs < 3
            return Double(runs) / spent
        }

        /// User and system CPU time of this process.
        static func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
            return seconds(usage.ru_utime) + seconds(usage.ru_stime)
        }

        /// A plain-text message of about `size` octets: the usual header fields and 72-column lines.
        static func madeUp(size: Int) -> [UInt8] {
            var text =
                "From: Ada Lovelace <ada@speed.example>\r\nTo: Charles Babbage <charles@example.org>\r\n"
                + "Subject: The analytical engine, notes\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n"
                + "Message-ID: <speed-\(size)@speed.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            let line = "The engine might act upon other things besides number, were objects found whose"
            var count = 0
            while text.utf8.count < size {
                count += 1
                text += String("\(count) \(line)".prefix(72)) + "\r\n"
            }
            return Array(text.utf8)
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
