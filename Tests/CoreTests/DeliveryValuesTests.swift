import Foundation
import Testing

@testable import Core

/// The typed DSN parameters (RFC 3461, RFC 6152) and delivery replies that cross module
/// boundaries: one textual form each, read back by one parser.
@Suite("Core: DSN parameters and delivery replies")
struct DeliveryValuesTests {
    @Test("NOTIFY: RFC 3461 §4.1 syntax, any case, canonical spelling out")
    func notify() throws {
        #expect(DSNNotify(text: "NEVER") == .never)
        #expect(DSNNotify(text: "never")?.text == "NEVER")
        #expect(DSNNotify(text: "delay,Success") == [.success, .delay])
        #expect(DSNNotify(text: "delay,Success")?.text == "SUCCESS,DELAY")
        #expect(DSNNotify(text: "FAILURE,SUCCESS,DELAY")?.text == "SUCCESS,FAILURE,DELAY")
        for bad in [
            "", "NEVER,SUCCESS", "SUCCESS,SUCCESS", "SUCCESS,", ",FAILURE", "SUCCESS FAILURE", "NONE", "SUCCESS NOTIFY=X",
        ] {
            #expect(DSNNotify(text: bad) == nil, "\(bad)")
        }
        for value: DSNNotify in [.never, .success, .failure, .delay, [.failure, .delay], [.success, .failure, .delay]] {
            #expect(DSNNotify(text: value.text) == value)
        }
    }

    @Test("RET and BODY: known values in any case, RFC spelling out")
    func retAndBody() {
        #expect(DSNReturn(text: "hdrs") == .headers && DSNReturn.headers.rawValue == "HDRS")
        #expect(DSNReturn(text: "Full") == .full && DSNReturn(text: "NONE") == nil)
        #expect(MessageBodyType(text: "8bitmime") == .eightBitMIME && MessageBodyType(text: "8BIT") == nil)
        #expect(MessageBodyType(text: "BINARYMIME")?.isEightBit == true && !MessageBodyType.sevenBit.isEightBit)
    }

    @Test("ORCPT: type up to the first semicolon, both sides required")
    func orcpt() {
        let value = DSNOriginalRecipient(text: "rfc822;\"a;b\"@example.org")
        #expect(value == DSNOriginalRecipient(addressType: "rfc822", address: "\"a;b\"@example.org"))
        #expect(value?.text == "rfc822;\"a;b\"@example.org")
        for bad in ["", "bob@example.org", ";bob@example.org", "rfc822;"] {
            #expect(DSNOriginalRecipient(text: bad) == nil, "\(bad)")
        }
    }

    @Test("JSON keeps the RFC spelling (quarantined envelopes) and refuses anything else")
    func json() throws {
        struct Held: Codable, Equatable {
            var notify: DSNNotify?
            var ret: DSNReturn?
            var body: MessageBodyType
            var orcpt: DSNOriginalRecipient?
        }
        let held = Held(
            notify: [.delay, .failure], ret: .headers, body: .eightBitMIME,
            orcpt: .init(addressType: "rfc822", address: "b@x.org"))
        let text = String(decoding: try JSONEncoder().encode(held), as: UTF8.self)
        #expect(
            text.contains(#""notify":"FAILURE,DELAY""#) && text.contains(#""ret":"HDRS""#) && text.contains(#""body":"8BITMIME""#)
        )
        #expect(text.contains(#""orcpt":"rfc822;b@x.org""#))
        #expect(try JSONDecoder().decode(Held.self, from: Data(text.utf8)) == held)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Held.self, from: Data(#"{"notify":"SOMETIMES","body":"7BIT"}"#.utf8))
        }
    }

    @Test("a delivery reply renders once and gives a DSN its status without reparsing")
    func reply() {
        let full = DeliveryReply(552, .init(5, 2, 2), "bob@example.org: mailbox full")
        #expect(full.description == "552 5.2.2 bob@example.org: mailbox full")
        #expect(full.dsnStatus(fallback: .init(5, 0, 0)) == .init(5, 2, 2))
        // Text that looks like a status is text: the reply had none, so the fallback applies.
        let bare = DeliveryReply(550, nil, "4.4.4 is not a status here")
        #expect(bare.description == "550 4.4.4 is not a status here")
        #expect(bare.dsnStatus(fallback: .init(5, 0, 0)) == .init(5, 0, 0))
        #expect(DeliveryReply(550, .init(2, 0, 0), "odd").dsnStatus(fallback: .init(5, 0, 0)) == .init(5, 0, 0))
        #expect(full.appending(" (expired after 5d)").description == "552 5.2.2 bob@example.org: mailbox full (expired after 5d)")
    }
}
