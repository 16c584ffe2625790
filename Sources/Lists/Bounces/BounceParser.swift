import Core
import MIME

/// Reads a bounce message (a delivery status notification or one of the older free-text formats) and says
/// which recipients it reports as failed. Sans-I/O and pure: bytes in, a `BounceReport` out, the same
/// answer every time.
///
/// Order: an RFC 3464 delivery-status part decides when it names any recipient (even only successful ones);
/// otherwise the text of the notification (every text part outside the returned message) goes through the
/// text formats of `BounceTextFormat.all`, the first one that finds an address winning.
///
/// The input is hostile: everything is bounded by `Limits` (bytes read, MIME parts visited, text scanned,
/// addresses returned); what does not parse is skipped; garbage gives an empty report, never a crash.
public enum BounceParser {
    /// Bounds on the work one message may cause. Beyond them the report is `truncated`.
    public struct Limits: Sendable, Hashable {
        /// Bytes of the message read; a bounce's notification comes first, the returned message after it.
        public var maxMessageBytes: Int
        /// MIME entities parsed and visited, and the nesting followed.
        public var maxParts: Int
        public var maxDepth: Int
        /// Bytes of notification text scanned by the text formats, and of delivery-status fields read.
        public var maxTextBytes: Int
        /// Recipients returned, permanent and temporary together.
        public var maxAddresses: Int

        public init(
            maxMessageBytes: Int = 1 << 20, maxParts: Int = 100, maxDepth: Int = 8, maxTextBytes: Int = 64 << 10,
            maxAddresses: Int = 100
        ) {
            self.maxMessageBytes = maxMessageBytes
            self.maxParts = maxParts
            self.maxDepth = maxDepth
            self.maxTextBytes = maxTextBytes
            self.maxAddresses = maxAddresses
        }

        public static let `default` = Limits()
    }

    /// The recipients `message` (a whole message, header and body) reports as failed or delayed.
    public static func parse(_ message: [UInt8], limits: Limits = .default) -> BounceReport {
        var bytes = message.count > limits.maxMessageBytes ? Array(message[..<limits.maxMessageBytes]) : message
        stripMboxFromLine(&bytes)
        let mime = MIMEMessage(
            bytes, limits: MIMEParseLimits(maxDepth: limits.maxDepth, maxEntities: limits.maxParts, maxHeaderBytes: 64 << 10))
        let parts = BounceParts(mime, limits: limits)
        var collector = BounceRecipients(limit: limits.maxAddresses)
        collector.truncated = message.count > limits.maxMessageBytes || parts.truncated

        // RFC 3464 §2: the machine-readable part, when there is one that names recipients, is the answer,
        // also when all of them were delivered (its text would then speak of "delivery to the following").
        var named = 0
        for body in parts.deliveryStatus {
            named += DeliveryStatus.read(body, into: &collector)
        }
        if named > 0 { return collector.report(detector: .dsn) }

        let ownAddresses = BounceAddressScanner.headerAddresses(of: mime.header)
        let text = BounceText(parts.text)
        // A notice that says delivery goes on makes every address it names a delay, whatever its wording.
        let delayWarning = text.contains(anyOf: BounceTextFormat.delayPhrases)
        for format in BounceTextFormat.all {
            var attempt = collector
            if format.scan(text, excluding: ownAddresses, delayWarning: delayWarning, into: &attempt) {
                return attempt.report(detector: format.detector)
            }
        }
        return collector.report(detector: nil)
    }

    /// An mbox file's `From sender date` separator line is not part of the message (RFC 4155 §2).
    private static func stripMboxFromLine(_ bytes: inout [UInt8]) {
        guard bytes.starts(with: Array("From ".utf8)) else { return }
        let end = bytes.firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
        bytes.removeSubrange(0..<end)
    }
}
