import Core

/// The SMTP and LMTP server's metrics (docs/metrics.md), counted by the adapter
/// (`SMTPServerHandler`) and the receiver, never by the sans-I/O session.
public enum SMTPMetrics {
    public static let replies = PostaMetric(
        "posta_smtp_replies_total", .counter, labels: ["mode", "class"],
        help: "SMTP/LMTP replies sent, by listener mode (mx, submission, lmtp) and reply code class (2xx, 3xx, 4xx, 5xx).")
    public static let transactions = PostaMetric(
        "posta_smtp_transactions_total", .counter, labels: ["mode", "class"],
        help: "SMTP/LMTP mail transactions that reached the end of data, by mode and the class of the final reply.")
    public static let messagesReceived = PostaMetric(
        "posta_messages_received_total", .counter, labels: ["mode"],
        help: "Messages accepted into the queue by SMTP/LMTP, by mode.")
    public static let receivedBytes = PostaMetric(
        "posta_smtp_received_bytes_total", .counter, labels: ["mode"],
        help: "Bytes of the messages accepted into the queue by SMTP/LMTP, by mode.")

    public static let all = [replies, transactions, messagesReceived, receivedBytes]

    /// One reply sent.
    static func reply(_ code: Int, mode: SMTPReceiver.Mode) { replies.increment(mode.name, PostaMetric.codeClass(code)) }

    /// One message queued, of `size` bytes.
    static func received(size: Int64, mode: SMTPReceiver.Mode) {
        messagesReceived.increment(mode.name)
        receivedBytes.increment(mode.name, by: size)
    }

    /// One transaction's end-of-data answer (LMTP: the first recipient's reply).
    static func transaction(_ result: SMTPEffectResult, mode: SMTPReceiver.Mode) {
        let code: Int
        switch result {
        case .reply(let reply), .recipientAccepted(let reply, _): code = reply.code
        case .replies(let replies): code = replies.first?.code ?? 0
        default: return
        }
        transactions.increment(mode.name, PostaMetric.codeClass(code))
    }
}
