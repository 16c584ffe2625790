import MIME

/// The parts of a bounce that speak about the delivery: the bodies of its delivery-status parts and the
/// text of its human-readable parts. The returned message (message/rfc822, message/global, the
/// text/rfc822-headers of RFC 6522 §4) is not entered: the addresses in it are the sender's, not failures.
struct BounceParts {
    private(set) var deliveryStatus: [[UInt8]] = []
    private(set) var text = ""
    private(set) var truncated = false

    init(_ message: MIMEMessage, limits: BounceParser.Limits) {
        truncated = !message.exceededLimits.isEmpty
        var pending = [message.root]
        var visited = 0
        var statusBytes = 0
        while let entity = pending.popLast() {
            visited += 1
            guard visited <= limits.maxParts else {
                truncated = true
                break
            }
            switch entity.content {
            case .multipart(let multipart):
                pending.append(contentsOf: multipart.parts.reversed())
            case .message(let encapsulated):
                // A notice forwarded whole (a DSN inside message/rfc822) is read; any other encapsulated
                // message is the returned original.
                if encapsulated.contentType.mimeType == "multipart/report" { pending.append(encapsulated) }
            case .single:
                let type = entity.contentType
                // RFC 3464 §2.1 message/delivery-status; RFC 6533 §6.2 its UTF-8 form.
                if type.type == "message", type.subtype == "delivery-status" || type.subtype == "global-delivery-status" {
                    guard statusBytes < limits.maxTextBytes, var body = message.decodedBody(of: entity) else { continue }
                    if body.count > limits.maxTextBytes - statusBytes {
                        body.removeLast(body.count - (limits.maxTextBytes - statusBytes))
                        truncated = true
                    }
                    statusBytes += body.count
                    deliveryStatus.append(body)
                } else if type.isText, type.subtype != "rfc822-headers" {
                    appendText(of: entity, in: message, limit: limits.maxTextBytes)
                }
            }
        }
    }

    private mutating func appendText(of entity: MIMEEntity, in message: MIMEMessage, limit: Int) {
        guard text.utf8.count < limit else {
            truncated = true
            return
        }
        let content =
            message.plainText(of: entity) ?? String(decoding: message[entity.bodyRange].prefix(limit), as: UTF8.self)
        var room = limit - text.utf8.count
        for character in content {
            let size = character.utf8.count
            guard size <= room else {
                truncated = true
                break
            }
            text.append(character)
            room -= size
        }
        text.append("\n")
    }
}
