import Crypto
import Foundation

/// The body hashes of RFC 6376 §3.7, computed as the body streams by: each chunk is
/// canonicalized (§3.4.3 simple, §3.4.4 relaxed) into one reusable buffer and hashed at once,
/// so the body is never held or copied whole. One hasher serves every `l=` length of its
/// canonicalization (§3.5: only the first `l` canonical octets are hashed).
///
/// Feed the octets after the header's empty line, in any chunks; the result does not depend on
/// where the chunks split (a CR at the end of one chunk waits for the next).
public struct DKIMBodyHasher: Sendable {
    public let canonicalization: DKIMCanonicalization

    private struct Sink: Sendable {
        var limit: Int?
        var hash = SHA256()
        var hashed = 0
    }

    private var sinks: [Sink]
    /// Line breaks seen but not yet written: they vanish if only empty lines follow (§3.4.3).
    private var pendingLineBreaks = 0
    /// Relaxed: white space seen in the current line, written as one SP before the next octet.
    private var pendingSpace = false
    /// A CR that ended the previous chunk.
    private var heldCR = false
    private var wroteContent = false
    private var buffer: [UInt8] = []
    /// Canonical octets produced so far, whatever the `l=` limits.
    public private(set) var canonicalLength = 0

    /// A hasher for the whole body and for each of `lengths` (`nil` stands for the whole body).
    public init(canonicalization: DKIMCanonicalization, lengths: Set<Int?> = [nil]) {
        self.canonicalization = canonicalization
        self.sinks = lengths.map { Sink(limit: $0) }
    }

    /// Canonicalizes and hashes the next octets of the body (a `[UInt8]`, `ArraySlice` or `Data`).
    public mutating func update(_ chunk: some ContiguousBytes) {
        buffer.removeAll(keepingCapacity: true)
        chunk.withUnsafeBytes { octets in
            for octet in octets { consume(octet) }
        }
        flush()
    }

    /// The digests once the body has ended.
    public mutating func finish() -> DKIMBodyDigests {
        buffer.removeAll(keepingCapacity: true)
        if heldCR {
            heldCR = false
            content(0x0D)
        }
        // Simple: the body ends with exactly one CRLF, an empty body is CRLF (§3.4.3). Relaxed:
        // the same, except that an empty body stays empty (§3.4.4, erratum 1384).
        if wroteContent || canonicalization == .simple { emit(0x0D, 0x0A) }
        pendingLineBreaks = 0
        flush()
        var digests: [Int?: [UInt8]] = [:]
        for sink in sinks { digests[sink.limit] = Array(sink.hash.finalize()) }
        return DKIMBodyDigests(canonicalLength: canonicalLength, digests: digests)
    }

    @inline(__always)
    private mutating func consume(_ octet: UInt8) {
        if heldCR {
            heldCR = false
            if octet == 0x0A {
                // End of line: trailing white space is dropped (§3.4.4), the break waits (§3.4.3).
                pendingSpace = false
                pendingLineBreaks += 1
                return
            }
            content(0x0D)
        }
        switch octet {
        case 0x0D: heldCR = true
        case 0x20, 0x09:
            if canonicalization == .relaxed { pendingSpace = true } else { content(octet) }
        default: content(octet)
        }
    }

    @inline(__always)
    private mutating func content(_ octet: UInt8) {
        while pendingLineBreaks > 0 {
            emit(0x0D, 0x0A)
            pendingLineBreaks -= 1
        }
        if pendingSpace {
            buffer.append(0x20)
            pendingSpace = false
        }
        buffer.append(octet)
        wroteContent = true
    }

    private mutating func emit(_ first: UInt8, _ second: UInt8) {
        buffer.append(first)
        buffer.append(second)
    }

    /// Hashes what the buffer holds into every sink, each up to its limit.
    private mutating func flush() {
        guard !buffer.isEmpty else { return }
        canonicalLength += buffer.count
        buffer.withUnsafeBytes { bytes in
            for index in sinks.indices {
                let room = sinks[index].limit.map { max(0, $0 - sinks[index].hashed) } ?? bytes.count
                let take = min(room, bytes.count)
                guard take > 0 else { continue }
                sinks[index].hash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
                sinks[index].hashed += take
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The outcome of a `DKIMBodyHasher`: one SHA-256 digest per requested length.
public struct DKIMBodyDigests: Sendable, Hashable {
    /// The length of the whole canonical body.
    public let canonicalLength: Int
    let digests: [Int?: [UInt8]]

    /// The digest of the first `length` canonical octets (`nil`: all of them), if it was asked for.
    public func digest(length: Int? = nil) -> [UInt8]? { digests[length] }
}

/// The body hashers a set of signatures needs: one per body canonicalization in use (at most
/// two passes over the body), each with every `l=` length asked for.
struct DKIMBodyHashers: Sendable {
    private var hashers: [DKIMCanonicalization: DKIMBodyHasher] = [:]

    init(for signatures: some Sequence<DKIMSignature>) {
        var lengths: [DKIMCanonicalization: Set<Int?>] = [:]
        for signature in signatures { lengths[signature.canonicalization.body, default: []].insert(signature.bodyLength) }
        for (canonicalization, lengths) in lengths {
            hashers[canonicalization] = DKIMBodyHasher(canonicalization: canonicalization, lengths: lengths)
        }
    }

    var isEmpty: Bool { hashers.isEmpty }

    mutating func update(_ chunk: some ContiguousBytes) {
        // By the enum's cases, not `hashers.keys`: iterating the keys while mutating the values
        // would copy the dictionary (and each hasher's buffer) on every chunk.
        for canonicalization in DKIMCanonicalization.allCases { hashers[canonicalization]?.update(chunk) }
    }

    mutating func finish() -> [DKIMCanonicalization: DKIMBodyDigests] {
        var digests: [DKIMCanonicalization: DKIMBodyDigests] = [:]
        for canonicalization in DKIMCanonicalization.allCases {
            digests[canonicalization] = hashers[canonicalization]?.finish()
        }
        return digests
    }
}
