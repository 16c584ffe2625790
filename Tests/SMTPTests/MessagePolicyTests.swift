import SMTP
import Testing

@Suite("Policy decisions for a whole message, gathered over RCPT and end of data")
struct MessagePolicyTests {
    @Test func holdAndDiscardStickAndHeaderFieldsAreAddedOnce() {
        let spf = "Received-SPF: pass (mx.example.org: domain of a@spf.example designates 127.0.0.1)"
        var policy = SMTPMessagePolicy(headers: [spf])
        policy.merge(SMTPMessagePolicy(hold: true, headers: [spf]))
        policy.merge(SMTPMessagePolicy(headers: [spf, "Authentication-Results: mx.example.org; spf=pass"]))
        policy.merge(SMTPMessagePolicy())
        #expect(policy.hold)
        #expect(!policy.discard)
        #expect(policy.headers == [spf, "Authentication-Results: mx.example.org; spf=pass"])
        policy.merge(SMTPMessagePolicy(discard: true))
        #expect(policy.hold && policy.discard)
    }
}
