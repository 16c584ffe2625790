/// Extended operation names (RFC 4511 §4.12) this client uses.
public enum LDAPExtendedOperation {
    /// StartTLS (RFC 4511 §4.14.1); no request value.
    public static let startTLS = "1.3.6.1.4.1.1466.20037"
    /// "Who am I?" (RFC 4532): a cheap authenticated round trip, used as a health check.
    public static let whoAmI = "1.3.6.1.4.1.4203.1.11.3"
    /// Password Modify (RFC 3062).
    public static let passwordModify = "1.3.6.1.4.1.4203.1.11.1"
    /// Notice of Disconnection (RFC 4511 §4.4.1), sent unsolicited with message ID 0.
    public static let noticeOfDisconnection = "1.3.6.1.4.1.1466.20036"
}
