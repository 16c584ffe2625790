import Core
import Foundation
import NIOCore
import Queue
import SMTP

extension SMTPRelay {
    /// The `[delivery]` smarthost, its password read from `relay_password_file` (first line);
    /// nil without `relay_host`.
    init?(_ delivery: DeliverySettings) throws {
        guard let host = delivery.relayHost else { return nil }
        var credentials: SMTPClientCredentials?
        if let user = delivery.relayUser, let file = delivery.relayPasswordFile {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            credentials = SMTPClientCredentials(user: user, password: password)
        }
        self.init(host: host.host, port: host.port, credentials: credentials)
    }
}

extension SMTPClientTimeouts {
    /// The `[delivery] smtp_*_timeout` settings.
    init(_ settings: DeliverySettings.SMTPTimeouts) {
        self.init()
        func amount(_ duration: ConfigDuration) -> TimeAmount { .seconds(duration.seconds) }
        connect = amount(settings.connect)
        greeting = amount(settings.greeting)
        command = amount(settings.command)
        dataInitiation = amount(settings.dataInit)
        dataBlock = amount(settings.dataBlock)
        dataTermination = amount(settings.dataDone)
    }
}
