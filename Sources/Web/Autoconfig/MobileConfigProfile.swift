import Core
import Crypto

/// An Apple configuration profile (`.mobileconfig`) that sets up one mail account on iOS, iPadOS
/// and macOS: a property list (XML plist, DOCTYPE of Apple's PropertyList-1.0.dtd) holding one
/// `com.apple.mail.managed` payload with the account's address, the best IMAP (else POP3) server
/// and the best submission server. No password: the device asks for it. The console serves it
/// over HTTPS to the logged-in user, signed with the site's certificate (`MobileConfigSigner`).
///
/// The profile's and the payload's identifiers and UUIDs are derived from the host name and the
/// address (RFC 9562 §5.5 name-based UUIDs), so a profile downloaded again replaces the installed
/// one instead of adding a second account.
public enum MobileConfigProfile {
    /// The MIME type devices open as a profile.
    public static let contentType = "application/x-apple-aspen-config"

    /// The file name offered for the download.
    public static func fileName(for address: MailAddress) -> String {
        let safe = address.domain.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "a"..."z", "0"..."9", "-", ".": String(scalar)
            default: "_"
            }
        }.joined()
        return "\(safe).mobileconfig"
    }

    /// The profile for `address`, or nil when the site announces no incoming or no outgoing server.
    /// `displayName` is the name shown on sent mail (`EmailAccountName`); nil leaves it to the device.
    public static func render(address: MailAddress, displayName: String?, site: AutoconfigSite) -> String? {
        guard let incoming = site.incomingServers.first, let outgoing = site.outgoingServers.first else { return nil }
        let reverseHost = site.hostname.split(separator: ".").reversed().joined(separator: ".")
        let profileID = "\(reverseHost).posta.mail.\(address.key)"
        let payloadID = profileID + ".account"
        var plist = XMLWriter()
        plist.raw(
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">")
        plist.start("plist", [("version", "1.0")])
        plist.start("dict")
        plist.element("key", "PayloadContent")
        plist.start("array")
        plist.start("dict")
        string("EmailAccountDescription", address.description, &plist)
        if let displayName, !displayName.isEmpty { string("EmailAccountName", displayName, &plist) }
        string("EmailAccountType", incoming.kind == .imap ? "EmailTypeIMAP" : "EmailTypePOP", &plist)
        string("EmailAddress", address.description, &plist)
        server(incoming, prefix: "IncomingMailServer", username: address.description, &plist)
        server(outgoing, prefix: "OutgoingMailServer", username: address.description, &plist)
        bool("OutgoingPasswordSameAsIncomingPassword", true, &plist)
        string("PayloadDescription", "Mail account \(address)", &plist)
        string("PayloadDisplayName", address.description, &plist)
        string("PayloadIdentifier", payloadID, &plist)
        string("PayloadType", "com.apple.mail.managed", &plist)
        string("PayloadUUID", nameBasedUUID(payloadID), &plist)
        integer("PayloadVersion", 1, &plist)
        plist.close()
        plist.close()
        string("PayloadDescription", "Sets up the mail account \(address) (\(site.displayName))", &plist)
        string("PayloadDisplayName", "\(site.displayName): \(address)", &plist)
        string("PayloadIdentifier", profileID, &plist)
        bool("PayloadRemovalDisallowed", false, &plist)
        string("PayloadType", "Configuration", &plist)
        string("PayloadUUID", nameBasedUUID(profileID), &plist)
        integer("PayloadVersion", 1, &plist)
        plist.close()
        plist.close()
        return plist.text
    }

    private static func server(_ setting: MailServerSetting, prefix: String, username: String, _ plist: inout XMLWriter) {
        string("\(prefix)Authentication", "EmailAuthPassword", &plist)
        string("\(prefix)HostName", setting.hostname, &plist)
        integer("\(prefix)PortNumber", setting.port, &plist)
        // With UseSSL the device uses TLS: from the first byte on the implicit-TLS ports, by
        // STARTTLS on the others; plain-text listeners are never announced.
        bool("\(prefix)UseSSL", true, &plist)
        string("\(prefix)Username", username, &plist)
    }

    private static func string(_ key: String, _ value: String, _ plist: inout XMLWriter) {
        plist.element("key", key)
        plist.element("string", value)
    }

    private static func integer(_ key: String, _ value: Int, _ plist: inout XMLWriter) {
        plist.element("key", key)
        plist.element("integer", String(value))
    }

    private static func bool(_ key: String, _ value: Bool, _ plist: inout XMLWriter) {
        plist.element("key", key)
        plist.raw(value ? "<true/>" : "<false/>")
    }

    /// RFC 9562 §5.5: a version 5 (SHA-1, name-based) UUID of `name` in the URL namespace (§6.6),
    /// upper-case as Apple's tools write them.
    static func nameBasedUUID(_ name: String) -> String {
        // The URL namespace ID 6ba7b811-9dad-11d1-80b4-00c04fd430c8 (RFC 9562 §6.6).
        let namespace: [UInt8] = [
            0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
        ]
        var bytes = Array(Insecure.SHA1.hash(data: namespace + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
